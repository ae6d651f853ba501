// Hugging Face tokenizers recognise their "added tokens" (for BERT: [CLS], [SEP], [PAD], [UNK],
// [MASK]) verbatim in the raw input, before any normalization, and emit each as a single token.
// Without this, "[MASK]" in a sentence would become "[", "mask", "]" and ids would differ from
// HF's. Matching is case-sensitive and leftmost-longest, like HF's Aho-Corasick matcher.

export interface LiteralMatch {
  /** [start, end) in UTF-16 code units of the input. */
  readonly start: number;
  readonly end: number;
  readonly id: number;
}

/** Non-overlapping occurrences of the literal tokens in `text`, in order of position. */
export function findLiteralTokens(text: string, literals: ReadonlyMap<string, number>): LiteralMatch[] {
  const found: LiteralMatch[] = [];
  for (const [literal, id] of literals) {
    if (literal.length === 0) continue;
    for (let at = text.indexOf(literal); at >= 0; at = text.indexOf(literal, at + 1)) {
      found.push({ start: at, end: at + literal.length, id });
    }
  }
  if (found.length <= 1) return found;
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: LiteralMatch[] = [];
  let coveredUntil = 0;
  for (const match of found) {
    if (match.start < coveredUntil) continue;
    kept.push(match);
    coveredUntil = match.end;
  }
  return kept;
}
