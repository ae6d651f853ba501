// Greedy longest-match-first WordPiece, as in BERT: take the longest vocabulary entry that starts
// the word, then the longest continuation entry ("##" + piece) that starts the rest, and so on.
// If some remainder matches nothing, the WHOLE word becomes the unknown token (not just the
// remainder), exactly like the reference; so does any word longer than the character limit.

export interface WordPieceModel {
  /** Pieces allowed at the start of a word. */
  readonly wordStart: ReadonlyMap<string, number>;
  /** Pieces allowed after the start, keyed WITHOUT the continuation prefix. */
  readonly continuation: ReadonlyMap<string, number>;
  readonly unkId: number;
  /** Counted in code points, like the reference (Python `len`, Rust `chars().count()`). */
  readonly maxInputCharsPerWord: number;
}

/**
 * Splits the vocabulary by prefix once, so matching never has to build `"##" + piece` strings.
 * With an empty prefix every entry can appear anywhere in a word.
 */
export function buildWordPieceModel(
  idToToken: readonly string[],
  unkId: number,
  continuingSubwordPrefix: string,
  maxInputCharsPerWord: number,
): WordPieceModel {
  const wordStart = new Map<string, number>();
  const continuation = new Map<string, number>();
  for (let id = 0; id < idToToken.length; id++) {
    const token = idToToken[id]!;
    wordStart.set(token, id);
    if (continuingSubwordPrefix === '') continuation.set(token, id);
    else if (token.startsWith(continuingSubwordPrefix)) {
      continuation.set(token.slice(continuingSubwordPrefix.length), id);
    }
  }
  return { wordStart, continuation, unkId, maxInputCharsPerWord };
}

/**
 * Appends the pieces of `word` to `ids`, with each piece's [start, end) in `word`'s UTF-16 code
 * units appended to `starts`/`ends`. An unknown word yields one unkId spanning the whole word.
 * Returns the number of pieces appended.
 */
export function splitWordPieces(
  word: string,
  model: WordPieceModel,
  ids: number[],
  starts: number[],
  ends: number[],
): number {
  const n = word.length;
  const hasSurrogates = containsSurrogates(word);
  const charCount = hasSurrogates ? countCodePoints(word) : n;
  if (charCount > model.maxInputCharsPerWord) return pushUnknown(model, n, ids, starts, ends);

  const firstPiece = ids.length;
  let start = 0;
  while (start < n) {
    const vocab = start === 0 ? model.wordStart : model.continuation;
    let end = n;
    let id: number | undefined;
    while (end > start) {
      id = vocab.get(word.slice(start, end));
      if (id !== undefined) break;
      end -= hasSurrogates && isLowSurrogateEnding(word, end) ? 2 : 1;
    }
    if (id === undefined) {
      ids.length = firstPiece;
      starts.length = firstPiece;
      ends.length = firstPiece;
      return pushUnknown(model, n, ids, starts, ends);
    }
    ids.push(id);
    starts.push(start);
    ends.push(end);
    start = end;
  }
  return ids.length - firstPiece;
}

function pushUnknown(model: WordPieceModel, n: number, ids: number[], starts: number[], ends: number[]): number {
  ids.push(model.unkId);
  starts.push(0);
  ends.push(n);
  return 1;
}

function containsSurrogates(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

function countCodePoints(s: string): number {
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // The low half of a proper pair is not a character of its own.
    if (!(c >= 0xdc00 && c <= 0xdfff && i > 0 && isHighSurrogate(s.charCodeAt(i - 1)))) count++;
  }
  return count;
}

/** True when s[end-2, end) is a surrogate pair, so shortening must drop both halves together. */
function isLowSurrogateEnding(s: string, end: number): boolean {
  if (end < 2) return false;
  const low = s.charCodeAt(end - 1);
  return low >= 0xdc00 && low <= 0xdfff && isHighSurrogate(s.charCodeAt(end - 2));
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
