// CSV with RFC 4180 quoting: a field wrapped in double quotes may hold commas, line breaks and
// doubled quotes (""). We are strict about stray quotes because a lenient reader would silently
// merge or split rows, and a shifted label column is far harder to notice than an error.

import { OctetError } from '../errors';
import type { RawRecord } from './records';

const QUOTE = 0x22; // "
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

export function parseCsvRecords(text: string, file: string): RawRecord[] {
  const records: RawRecord[] = [];
  // Whether each record was an empty line (as opposed to, say, a quoted empty field "").
  const recordWasBlankLine: boolean[] = [];
  const n = text.length;
  let line = 1;
  let pos = 0;

  while (pos < n) {
    const recordLine = line;
    recordWasBlankLine.push(isLineBreak(text, pos));
    const fields: string[] = [];
    // One iteration per field; the loop ends at the record's line break or the end of the text.
    for (;;) {
      const fieldNumber = fields.length + 1;
      if (pos < n && text.charCodeAt(pos) === QUOTE) {
        const openedOnLine = line;
        pos++;
        let value = '';
        let chunkStart = pos;
        for (;;) {
          const q = text.indexOf('"', pos);
          if (q === -1) {
            throw new OctetError(
              'malformed-file',
              `field ${fieldNumber}: quoted field is never closed (a " opened here has no matching ")`,
              { file, line: openedOnLine },
            );
          }
          line += countLineFeeds(text, pos, q);
          if (q + 1 < n && text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(chunkStart, q + 1); // keep one quote of the doubled pair
            pos = q + 2;
            chunkStart = pos;
            continue;
          }
          value += text.slice(chunkStart, q);
          pos = q + 1;
          break;
        }
        fields.push(value);
        if (pos < n && !isFieldEnd(text, pos)) {
          throw new OctetError(
            'malformed-file',
            `field ${fieldNumber}: unexpected text after a closing quote (inside a quoted field write "" for a quote)`,
            { file, line },
          );
        }
      } else {
        const start = pos;
        while (pos < n && !isFieldEnd(text, pos)) {
          if (text.charCodeAt(pos) === QUOTE) {
            throw new OctetError(
              'malformed-file',
              `field ${fieldNumber}: quote character inside an unquoted field ` +
                '(RFC 4180: wrap the whole field in quotes and double the inner quotes)',
              { file, line },
            );
          }
          pos++;
        }
        fields.push(text.slice(start, pos));
      }

      if (pos >= n) break;
      const c = text.charCodeAt(pos);
      if (c === COMMA) {
        pos++;
        continue;
      }
      // A line break (LF or CRLF) ends the record.
      pos += c === CR ? 2 : 1;
      line++;
      break;
    }
    records.push({ line: recordLine, fields });
  }

  // Blank lines after the last row are editor leftovers, not rows with one empty field.
  while (records.length > 0 && recordWasBlankLine[records.length - 1]) records.pop();
  return records;
}

function isLineBreak(text: string, pos: number): boolean {
  const c = text.charCodeAt(pos);
  return c === LF || (c === CR && text.charCodeAt(pos + 1) === LF);
}

function isFieldEnd(text: string, pos: number): boolean {
  return text.charCodeAt(pos) === COMMA || isLineBreak(text, pos);
}

function countLineFeeds(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
