// vocab.txt: one token per line, the token's id is its 0-based line index.

import { OctetError } from '../errors';

/**
 * The tokens of a vocab.txt, index = id. CRLF line ends, a leading byte-order mark and one
 * final newline are accepted; an empty line or a repeated token is an error naming its line,
 * because either would silently shift or shadow ids and the model would read wrong embeddings.
 */
export function parseVocabTxt(text: string, file: string): string[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const firstLine = new Map<string, number>();
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let token = lines[i]!;
    if (token.endsWith('\r')) token = token.slice(0, -1);
    const line = i + 1;
    if (token.length === 0) {
      throw new OctetError('malformed-file', 'empty line in the vocabulary (every line must hold one token)', {
        file,
        line,
      });
    }
    const earlier = firstLine.get(token);
    if (earlier !== undefined) {
      throw new OctetError(
        'malformed-file',
        `duplicate token ${JSON.stringify(token)} (first on line ${earlier}); ids would be ambiguous`,
        { file, line },
      );
    }
    firstLine.set(token, line);
    tokens.push(token);
  }
  if (tokens.length === 0) throw new OctetError('malformed-file', 'the vocabulary is empty', { file });
  return tokens;
}
