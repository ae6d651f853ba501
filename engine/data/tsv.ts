// TSV as GLUE writes it: one record per line, fields split on tabs, and no quoting at all.
// GLUE sentences contain `"` characters that are text, so a CSV-style reader would corrupt them.

import type { RawRecord } from './records';
import { splitLines } from './text-file';

export function parseTsvRecords(text: string): RawRecord[] {
  const lines = splitLines(text);
  const records: RawRecord[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    records[i] = { line: i + 1, fields: lines[i]!.split('\t') };
  }
  return records;
}
