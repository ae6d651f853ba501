// Append-only JSON-lines logs (metrics, run history). A process killed mid-append leaves at most
// one unterminated, unparseable last line; that is an interrupted write, not corruption, so readers
// drop it and the next append cuts it off. Damage anywhere else is reported, never skipped.
// One writer per file: concurrent appenders are not coordinated.
import { promises as fsp } from 'node:fs';
import { OctetError } from '../errors';
import { errnoCode } from './errno';

const NEWLINE = 0x0a;
const SCAN_CHUNK = 64 * 1024;

/** Appends `value` as one JSON line, first removing a torn last line left by a crashed writer. */
export async function appendJsonLine(file: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new OctetError('invalid-argument', 'value cannot be written as JSON', { file });
  }
  // JSON.stringify escapes control characters, so `text` never contains a raw newline.
  let line = Buffer.from(text + '\n', 'utf8');
  let handle: fsp.FileHandle;
  try {
    // 'a+': create if missing, read the tail, and every write lands at the end of the file.
    handle = await fsp.open(file, 'a+');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') {
      throw new OctetError('file-not-found', 'folder does not exist', { file });
    }
    throw e;
  }
  try {
    const { size } = await handle.stat();
    const tailStart = size === 0 ? size : await startOfUnterminatedTail(handle, size);
    if (tailStart < size) {
      const tail = Buffer.alloc(size - tailStart);
      await handle.read(tail, 0, tail.length, tailStart);
      if (parses(tail.toString('utf8'))) {
        // A complete record that only lacks its newline: keep it, as readJsonLines does.
        line = Buffer.concat([Buffer.from('\n'), line]);
      } else {
        await handle.truncate(tailStart);
      }
    }
    await handle.write(line, 0, line.length, null);
  } finally {
    await handle.close();
  }
}

/**
 * Reads every JSON value in a JSON-lines file. Blank lines are skipped. An unparseable LAST line
 * without a terminating newline is dropped (a torn append); any other unparseable line throws an
 * OctetError naming the file and 1-based line.
 */
export async function readJsonLines<T = unknown>(file: string): Promise<T[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') {
      throw new OctetError('file-not-found', 'file does not exist', { file });
    }
    throw e;
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const terminated = text.endsWith('\n');
  const lines = text.split('\n');
  const values: T[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line) as T);
    } catch (e) {
      const isTornTail = i === lines.length - 1 && !terminated;
      if (isTornTail) break;
      throw new OctetError(
        'malformed-file',
        `not valid JSON (${(e as Error).message}); only an unterminated last line is ` +
          'treated as an interrupted write',
        { file, line: i + 1 },
      );
    }
  }
  return values;
}

/** Offset just past the last newline: where an unterminated last line starts (size if none). */
async function startOfUnterminatedTail(handle: fsp.FileHandle, size: number): Promise<number> {
  const buf = Buffer.alloc(Math.min(SCAN_CHUNK, size));
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - buf.length);
    const { bytesRead } = await handle.read(buf, 0, end - start, start);
    const at = buf.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
}

function parses(text: string): boolean {
  if (text.trim() === '') return false;
  try {
    JSON.parse(text.endsWith('\r') ? text.slice(0, -1) : text);
    return true;
  } catch {
    return false;
  }
}
