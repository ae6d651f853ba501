// Reading the small text/JSON files of a model folder, with errors that name the file (and, for
// JSON syntax errors, the line) instead of a raw Node or V8 message.

import * as fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { OctetError } from '../errors';
import { errnoCode } from '../fs/errno';

/** The file's text, or undefined when it does not exist (optional files are normal). */
export function readOptionalTextFile(file: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw new OctetError('malformed-file', 'expected a file, found a directory', { file });
    throw new OctetError('malformed-file', `cannot read the file: ${(e as Error).message}`, { file });
  }
  if (!isUtf8(bytes)) throw new OctetError('malformed-file', 'not valid UTF-8 text', { file });
  return bytes.toString('utf8');
}

/** JSON.parse, with a syntax error reported as OctetError at the right line of `file`. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (e) {
    const message = (e as Error).message;
    const position = /position (\d+)/.exec(message);
    const line = position ? lineAt(text, Number(position[1])) : undefined;
    throw new OctetError('malformed-file', `invalid JSON: ${message}`, line === undefined ? { file } : { file, line });
  }
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line++;
  return line;
}
