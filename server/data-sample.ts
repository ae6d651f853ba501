// The start of a data file, read the way the trainer reads the whole file (engine/data parsers),
// for checks that must stay fast on every edit: column names, and labels of the first few
// thousand rows. A GLUE training file can hold hundreds of thousands of rows; the editor does
// not need them to tell that a column name is misspelt.
import { isUtf8 } from 'node:buffer';
import { promises as fsp } from 'node:fs';
import { OctetError } from '../engine/errors';
import { errnoCode } from '../engine/fs/errno';
import type { DataFormat } from '../engine/manifest';
import { parseCsvRecords } from '../engine/data/csv';
import { parseJsonlTable } from '../engine/data/jsonl';
import type { RawRecord } from '../engine/data/records';
import { parseTsvRecords } from '../engine/data/tsv';
import { StatCache } from './stat-cache';

/** Bytes read from the start of a file; about 10,000 GLUE rows. */
const MAX_SAMPLE_BYTES = 1 << 20;
/** Rows kept for label checks. */
export const MAX_SAMPLE_ROWS = 5000;

export interface DataSample {
  file: string;
  format: DataFormat;
  /** Header names (tsv/csv with header), object keys (jsonl), or null when columns have no names. */
  columns: readonly string[] | null;
  /** Fields per row. */
  width: number;
  /** The first rows (at most MAX_SAMPLE_ROWS), header excluded. */
  rows: readonly RawRecord[];
  /** Whether `rows` is the whole file. */
  complete: boolean;
}

export class DataSampler {
  private readonly cache = new StatCache<DataSample>();

  /**
   * @param header tsv/csv: whether the first line names the columns (ignored for jsonl)
   * @throws OctetError naming `file` for unreadable or malformed data; the fs error (ENOENT...) from stat
   */
  sample(file: string, format: DataFormat, header: boolean): Promise<DataSample> {
    return this.cache.get(file, `${file}\0${format}\0${header}`, () => readSample(file, format, header));
  }
}

async function readSample(file: string, format: DataFormat, header: boolean): Promise<DataSample> {
  const { text, complete } = await readStart(file);
  const { columns, rows } = parse(text, format, header, file, complete);
  if (rows.length === 0) {
    const message = columns !== null && format !== 'jsonl' ? 'the file has a header row but no data rows' : 'the file is empty (no data rows)';
    throw new OctetError('malformed-file', message, { file });
  }
  const width = columns?.length ?? rows[0].fields.length;
  const widthSource = columns !== null ? 'in the header row' : `on line ${rows[0].line}`;
  const separator = format === 'tsv' ? ' (fields are separated by tabs)' : '';
  for (const row of rows) {
    if (row.fields.length !== width) {
      throw new OctetError('malformed-file', `expected ${width} fields (as ${widthSource}), found ${row.fields.length}${separator}`, {
        file,
        line: row.line,
      });
    }
  }
  return { file, format, columns, width, rows: rows.slice(0, MAX_SAMPLE_ROWS), complete: complete && rows.length <= MAX_SAMPLE_ROWS };
}

/** The first MAX_SAMPLE_BYTES of the file as text, cut after the last whole line. */
async function readStart(file: string): Promise<{ text: string; complete: boolean }> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch (e) {
    if (errnoCode(e) === 'EISDIR') throw new OctetError('invalid-argument', 'is a directory, not a data file', { file });
    throw e;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new OctetError('invalid-argument', 'is not a regular file', { file });
    const size = stats.size;
    const length = Math.min(size, MAX_SAMPLE_BYTES);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    let bytes = buffer.subarray(0, bytesRead);
    const complete = bytesRead >= size;
    if (!complete) {
      const lastNewline = bytes.lastIndexOf(0x0a);
      if (lastNewline < 0) throw new OctetError('malformed-file', `the first line is longer than ${MAX_SAMPLE_BYTES} bytes; is this a data file?`, { file });
      bytes = bytes.subarray(0, lastNewline + 1);
    }
    if (!isUtf8(bytes)) throw new OctetError('malformed-file', 'not valid UTF-8 text (save the file as UTF-8)', { file });
    const text = bytes.toString('utf8');
    return { text: text.startsWith('\uFEFF') ? text.slice(1) : text, complete };
  } finally {
    await handle.close();
  }
}

function parse(
  text: string,
  format: DataFormat,
  header: boolean,
  file: string,
  complete: boolean,
): { columns: readonly string[] | null; rows: RawRecord[] } {
  if (format === 'jsonl') {
    const { columns, records } = parseJsonlTable(text, file);
    return { columns, rows: records };
  }
  let records: RawRecord[];
  if (format === 'tsv') {
    records = parseTsvRecords(text);
  } else {
    try {
      records = parseCsvRecords(text, file);
    } catch (e) {
      // The cut may fall inside a multi-line quoted field; the rows before that line are whole.
      const line = e instanceof OctetError ? e.location.line : undefined;
      if (complete || line === undefined || line <= 2) throw e;
      records = parseCsvRecords(text.split('\n').slice(0, line - 1).join('\n'), file);
    }
  }
  if (records.length === 0) return { columns: null, rows: [] };
  return header ? { columns: records[0].fields, rows: records.slice(1) } : { columns: null, rows: records };
}
