// The data file format: given in the manifest, or told by the training file's extension.
import * as path from 'node:path';
import type { DataFormat, TaskType } from './types';

const FORMAT_BY_EXTENSION: Readonly<Record<string, DataFormat>> = {
  '.tsv': 'tsv',
  '.csv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** The format a file's extension stands for, or undefined when the extension says nothing. */
export function formatFromExtension(file: string): DataFormat | undefined {
  return FORMAT_BY_EXTENSION[path.extname(file).toLowerCase()];
}

/**
 * The format a task reads a file in, from its extension: as formatFromExtension, plus `.json` for
 * squad, where it is the official SQuAD JSON file, and `.txt` for mlm, plain text. Other tasks
 * have no reader for those, so the extensions say nothing for them.
 */
export function formatForTask(file: string, task: TaskType | undefined): DataFormat | undefined {
  const extension = path.extname(file).toLowerCase();
  if (task === 'squad' && extension === '.json') return 'json';
  if (task === 'mlm' && extension === '.txt') return 'text';
  return formatFromExtension(file);
}
