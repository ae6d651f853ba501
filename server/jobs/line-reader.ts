// Splits a child's output stream into text lines as they arrive: the CLI prints one JSON event
// a line, and a chunk boundary can fall anywhere, even inside a UTF-8 character.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export function onLines(stream: Readable, onLine: (line: string) => void): void {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += decoder.write(chunk);
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      onLine(line);
    }
  });
  stream.on('end', () => {
    buffer += decoder.end();
    if (buffer !== '') onLine(buffer);
    buffer = '';
  });
}
