// Between answer characters and context tokens. `offsets` holds two numbers per context token,
// the [start, end) of the context text it came from (UTF-16 indices, from the tokenizer), so a
// token span maps back to `context.slice(start, end)`: the original text, case and accents kept.

export interface TokenSpan {
  /** Index of the answer's first and last token among the tokens `offsets` describes. */
  first: number;
  last: number;
}

/**
 * The tokens that cover the characters [start, end), or null when these tokens do not hold all
 * of them (the answer lies outside, or reaches outside, a window) or no token touches them.
 */
export function charSpanToTokens(offsets: Int32Array, start: number, end: number): TokenSpan | null {
  const n = offsets.length / 2;
  if (n === 0 || offsets[0]! > start || offsets[2 * n - 1]! < end) return null;
  let first = 0;
  while (first < n && offsets[2 * first + 1]! <= start) first++;
  let last = n - 1;
  while (last >= 0 && offsets[2 * last]! >= end) last--;
  return first <= last ? { first, last } : null;
}

/** The characters [start, end) of the context that tokens first..last came from. */
export function tokensToCharSpan(offsets: Int32Array, first: number, last: number): [number, number] {
  return [offsets[2 * first]!, offsets[2 * last + 1]!];
}
