// A hand-made vocabulary small enough to reason about token by token, so the unit tests never
// need the real BERT files.

import { BertTokenizer, createVocab, type BertTokenizerOptions, type Vocab } from '../../../engine/text';

export const TINY_TOKENS: readonly string[] = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  // Greedy longest match: "unaffable" must become unaff + ##able, not un + ##aff + ##able.
  'un',
  'unaff',
  '##aff',
  '##able',
  'able',
  'hello',
  'world',
  'cafe',
  'naive',
  'the',
  'tab',
  'line',
  'i',
  'x',
  'y',
  '##s',
  '##y',
  '##x',
  'stanbul',
  '##stanbul',
  ',',
  '!',
  '.',
  "'",
  '?',
  '[',
  ']',
  '—',
  '$',
  '木',
  '铁',
  'σ',
  '##σ',
  'ab',
  'a',
  '##bc',
  'Hello',
  'Cafe',
  'Café',
];

export function tinyVocab(): Vocab {
  return createVocab(TINY_TOKENS);
}

export function tinyTokenizer(options: Partial<BertTokenizerOptions> = {}): BertTokenizer {
  return new BertTokenizer(tinyVocab(), options);
}

/** What BERT's normalizer makes of a slice of original text, written independently of engine/text. */
export function referenceNormalize(slice: string): string {
  let out = '';
  for (const ch of slice) {
    if (/[\p{C}\uFFFD]/u.test(ch) && !/[\t\n\r]/.test(ch)) continue;
    out += ch.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
  }
  return out;
}
