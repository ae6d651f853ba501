// The data file format: given in the manifest, or told by the training file's extension.
import * as path from 'node:path';
import type { DataFormat } from './types';

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
