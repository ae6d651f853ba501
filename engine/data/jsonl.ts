// JSON Lines: one JSON object (named fields) or one JSON array (positional fields) per line.
// Values become strings so every format reaches the example loader in the same shape; numbers
// keep their JSON spelling (1, 0.5), which is what the label parsers expect.

import { OctetError } from '../errors';
import type { RawRecord } from './records';
import { splitLines } from './text-file';

export interface JsonlTable {
  /** Field names of the objects (order of the first line), or null when lines are arrays. */
  readonly columns: readonly string[] | null;
  readonly records: RawRecord[];
}

export function parseJsonlTable(text: string, file: string): JsonlTable {
  const lines = splitLines(text);
  let columns: string[] | null = null;
  let linesAreObjects: boolean | undefined;
  const records: RawRecord[] = [];

  for (let i = 0; i < lines.length; i++) {
    const source = lines[i]!;
    const line = i + 1;
    if (source.trim() === '') continue; // blank lines separate nothing in JSONL; skip them
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (e) {
      throw new OctetError('malformed-file', `not valid JSON: ${(e as Error).message}`, { file, line });
    }
    const isArray = Array.isArray(value);
    const isObject = !isArray && typeof value === 'object' && value !== null;
    if (!isArray && !isObject) {
      throw new OctetError('malformed-file', 'each line must be a JSON object or a JSON array', { file, line });
    }
    if (linesAreObjects === undefined) {
      linesAreObjects = isObject;
      if (isObject) columns = Object.keys(value as object);
    } else if (linesAreObjects !== isObject) {
      throw new OctetError(
        'malformed-file',
        `this line is a JSON ${isObject ? 'object' : 'array'} but earlier lines are ${linesAreObjects ? 'objects' : 'arrays'}`,
        { file, line },
      );
    }
    const fields = isObject
      ? objectFields(value as Record<string, unknown>, columns!, file, line)
      : (value as unknown[]).map((v, index) => fieldText(v, file, line, `element ${index}`));
    records.push({ line, fields });
  }
  return { columns, records };
}

/** Fields in the column order of the first line; a missing or extra key is an error, like a wrong field count in TSV. */
function objectFields(object: Record<string, unknown>, columns: readonly string[], file: string, line: number): string[] {
  const fields = new Array<string>(columns.length);
  for (let c = 0; c < columns.length; c++) {
    const name = columns[c]!;
    if (!Object.prototype.hasOwnProperty.call(object, name)) {
      throw new OctetError('malformed-file', `missing field "${name}" (every line needs the fields of the first line)`, {
        file,
        line,
        field: name,
      });
    }
    fields[c] = fieldText(object[name], file, line, name);
  }
  const keyCount = Object.keys(object).length;
  if (keyCount !== columns.length) {
    const extra = Object.keys(object).find((k) => !columns.includes(k))!;
    throw new OctetError('malformed-file', `unexpected field "${extra}" (not in the first line: ${columns.join(', ')})`, {
      file,
      line,
      field: extra,
    });
  }
  return fields;
}

function fieldText(value: unknown, file: string, line: number, field: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return '';
  throw new OctetError('malformed-file', 'value must be a string, number, boolean or null (not a nested object or array)', {
    file,
    line,
    field,
  });
}
