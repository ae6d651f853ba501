// Lower-casing and accent stripping of ONE code point at a time. Working per character (instead
// of on the whole string) is what lets every output character remember which input character it
// came from, so token offsets can point back into the original text even when a character
// expands (U+0130 'İ' lower-cases to "i" + U+0307) or disappears (a combining accent).
//
// Per-character lower-casing is also what Hugging Face's Rust tokenizer does; the one visible
// consequence is that a word-final capital sigma becomes 'σ', never the final form 'ς'.

import { isNonspacingMark } from './char-classes';

const cache = [new Map<number, string>(), new Map<number, string>(), new Map<number, string>()];

/**
 * The normalized form of a non-ASCII code point: lower-cased if `lowercase`, then NFD-decomposed
 * with nonspacing marks (Mn) dropped if `stripAccents`. May be empty (a lone combining accent) or
 * longer than the input (a decomposed Hangul syllable). Callers handle ASCII themselves.
 */
export function normalizeCodePoint(cp: number, lowercase: boolean, stripAccents: boolean): string {
  if (!lowercase && !stripAccents) return String.fromCodePoint(cp);
  const memo = cache[(lowercase ? 1 : 0) + (stripAccents ? 2 : 0) - 1]!;
  let out = memo.get(cp);
  if (out === undefined) {
    out = computeNormalized(cp, lowercase, stripAccents);
    memo.set(cp, out);
  }
  return out;
}

function computeNormalized(cp: number, lowercase: boolean, stripAccents: boolean): string {
  let s = String.fromCodePoint(cp);
  if (lowercase) s = s.toLowerCase();
  if (!stripAccents) return s;
  let kept = '';
  for (const ch of s.normalize('NFD')) {
    if (!isNonspacingMark(ch.codePointAt(0)!)) kept += ch;
  }
  return kept;
}
