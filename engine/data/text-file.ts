// Turns a data file into clean text: checked UTF-8, no byte-order mark (MRPC starts with one, and
// it would otherwise glue itself to the first column name), and lines without CR (CRLF files).

import * as fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { OctetError } from '../errors';

const BYTE_ORDER_MARK = '\uFEFF';

/** The whole file as a string, BOM removed. Throws OctetError for a missing file or invalid UTF-8. */
export function readTextFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OctetError('file-not-found', 'file not found', { file });
    if (code === 'EISDIR') throw new OctetError('invalid-argument', 'is a directory, not a data file', { file });
    throw new OctetError('malformed-file', `cannot read the file: ${(e as Error).message}`, { file });
  }
  if (!isUtf8(bytes)) {
    throw new OctetError('malformed-file', 'not valid UTF-8 text (save the file as UTF-8)', {
      file,
      line: firstInvalidUtf8Line(bytes),
    });
  }
  const text = bytes.toString('utf8');
  return text.startsWith(BYTE_ORDER_MARK) ? text.slice(BYTE_ORDER_MARK.length) : text;
}

/**
 * Physical lines without their terminators (LF or CRLF). Empty lines at the end are dropped,
 * because editors leave one (or several) after the last row and they are not rows.
 */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Only runs on the error path, so a line-by-line scan is fine. */
function firstInvalidUtf8Line(bytes: Buffer): number {
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    if (!isUtf8(bytes.subarray(start, end))) return line;
    line++;
    start = end + 1;
  }
  return line;
}
