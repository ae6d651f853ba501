// A data file as a table of string fields with an optional header: the common ground of TSV,
// CSV and JSONL. Field-count and empty-file checks happen here, once for every format.

import { OctetError } from '../errors';
import { parseCsvRecords } from './csv';
import { resolveDataFormat, type DataFormat } from './formats';
import { parseJsonlTable } from './jsonl';
import type { RawRecord } from './records';
import { readTextFile } from './text-file';
import { parseTsvRecords } from './tsv';

export interface Table {
  /** The path as the caller gave it, for messages. */
  readonly file: string;
  readonly format: DataFormat;
  /** Column names from the header row (or JSONL object keys); null for a headerless file. */
  readonly columns: readonly string[] | null;
  /** Number of fields every row has. */
  readonly width: number;
  /** Data rows only (the header is not a row). */
  readonly rows: readonly RawRecord[];
}

export interface ReadTableOptions {
  /** Overrides the format the extension implies. */
  format?: DataFormat;
  /**
   * TSV/CSV: whether the first row names the columns (default true). JSONL ignores it:
   * object lines carry their names, array lines have none.
   */
  header?: boolean;
}

export function readTable(file: string, options: ReadTableOptions = {}): Table {
  const format = resolveDataFormat(file, options.format);
  const text = readTextFile(file);

  let columns: readonly string[] | null;
  let rows: RawRecord[];
  if (format === 'jsonl') {
    ({ columns, records: rows } = parseJsonlTable(text, file));
  } else {
    const records = format === 'tsv' ? parseTsvRecords(text) : parseCsvRecords(text, file);
    const hasHeader = options.header ?? true;
    columns = hasHeader && records.length > 0 ? records[0]!.fields : null;
    rows = hasHeader ? records.slice(1) : records;
    if (hasHeader && records.length === 1) {
      throw new OctetError('malformed-file', 'the file has a header row but no data rows', { file, line: 1 });
    }
  }
  if (rows.length === 0) throw new OctetError('malformed-file', 'the file is empty (no data rows)', { file });

  const width = columns?.length ?? rows[0]!.fields.length;
  const widthSource = columns !== null ? 'in the header row' : `on line ${rows[0]!.line}`;
  const separator = format === 'tsv' ? ' (fields are separated by tabs)' : '';
  for (const row of rows) {
    if (row.fields.length !== width) {
      throw new OctetError(
        'malformed-file',
        `expected ${width} fields (as ${widthSource}), found ${row.fields.length}${separator}`,
        { file, line: row.line },
      );
    }
  }
  return { file, format, columns, width, rows };
}
