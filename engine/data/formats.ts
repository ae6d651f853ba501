// Which reader a data file gets. The extension decides unless the caller names a format,
// because GLUE ships .tsv, hand-made sets are often .csv, and exported datasets are .jsonl.

import * as path from 'node:path';
import { OctetError } from '../errors';

export type DataFormat = 'tsv' | 'csv' | 'jsonl';

const FORMAT_BY_EXTENSION: Readonly<Record<string, DataFormat>> = {
  '.tsv': 'tsv',
  '.csv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

const KNOWN_FORMATS: readonly DataFormat[] = ['tsv', 'csv', 'jsonl'];

/** The explicit format when given (validated, since it may come from a config file), else the one the extension implies. */
export function resolveDataFormat(file: string, explicit?: string): DataFormat {
  if (explicit !== undefined) {
    if ((KNOWN_FORMATS as readonly string[]).includes(explicit)) return explicit as DataFormat;
    throw new OctetError(
      'invalid-argument',
      `unknown data format "${explicit}" (known: ${KNOWN_FORMATS.join(', ')})`,
      { file },
    );
  }
  const extension = path.extname(file).toLowerCase();
  const format = FORMAT_BY_EXTENSION[extension];
  if (format === undefined) {
    throw new OctetError(
      'unsupported',
      `cannot tell the data format from the extension "${extension}" ` +
        `(known: ${Object.keys(FORMAT_BY_EXTENSION).join(', ')}); give the format explicitly`,
      { file },
    );
  }
  return format;
}
