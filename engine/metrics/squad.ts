// SQuAD v1.1 answer scoring, matching the official evaluate-v1.1.py so extractive-QA results
// compare with published numbers:
//   normalize: lower-case, drop ASCII punctuation, drop the articles a/an/the, collapse whitespace;
//   exact match and token F1 take the best score over the gold answers.
// Like the official v1.1 script (unlike v2.0), the token F1 of two answers that normalise to
// nothing (e.g. "The" vs "the") is 0 while their exact match is 1.
// Scores are fractions in [0, 1]; the official script prints them multiplied by 100.

import { OctetError } from '../errors';

/** Python's string.punctuation. */
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
/**
 * Python's `\b(a|an|the)\b` on str: a word character is a Unicode letter, digit or "_" (JS `\b`
 * is ASCII-only, which would find "the" inside "éthe").
 */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;
/** Python's str.split() whitespace (JS \s without U+FEFF, plus U+001C..U+001F and U+0085). */
const WHITESPACE = /[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

export function normalizeAnswer(text: string): string {
  let withoutPunctuation = '';
  for (const ch of text.toLowerCase()) if (!PUNCTUATION.has(ch)) withoutPunctuation += ch;
  return answerTokens(withoutPunctuation.replace(ARTICLES, ' ')).join(' ');
}

/** 1 when the prediction equals some gold answer after normalisation, else 0. */
export function exactMatch(prediction: string, goldAnswers: readonly string[]): number {
  checkGold(goldAnswers);
  const normalized = normalizeAnswer(prediction);
  return goldAnswers.some((gold) => normalizeAnswer(gold) === normalized) ? 1 : 0;
}

/** Best bag-of-tokens F1 between the prediction and any gold answer. */
export function tokenF1(prediction: string, goldAnswers: readonly string[]): number {
  checkGold(goldAnswers);
  const predicted = answerTokens(normalizeAnswer(prediction));
  return Math.max(...goldAnswers.map((gold) => tokenF1Single(predicted, answerTokens(normalizeAnswer(gold)))));
}

/** Mean exact match and token F1 over a set of questions. */
export function squadScores(
  predictions: readonly string[],
  goldAnswers: readonly (readonly string[])[],
): { exactMatch: number; f1: number } {
  if (predictions.length !== goldAnswers.length) {
    throw new OctetError('shape-mismatch', `SQuAD: ${predictions.length} predictions but ${goldAnswers.length} questions`);
  }
  if (predictions.length === 0) throw new OctetError('invalid-argument', 'SQuAD: no questions to score');
  let em = 0;
  let f1 = 0;
  for (let i = 0; i < predictions.length; i++) {
    em += exactMatch(predictions[i]!, goldAnswers[i]!);
    f1 += tokenF1(predictions[i]!, goldAnswers[i]!);
  }
  return { exactMatch: em / predictions.length, f1: f1 / predictions.length };
}

function tokenF1Single(predicted: readonly string[], gold: readonly string[]): number {
  const goldCounts = new Map<string, number>();
  for (const token of gold) goldCounts.set(token, (goldCounts.get(token) ?? 0) + 1);
  let common = 0; // size of the multiset intersection
  for (const token of predicted) {
    const left = goldCounts.get(token) ?? 0;
    if (left > 0) {
      common++;
      goldCounts.set(token, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / gold.length;
  return (2 * precision * recall) / (precision + recall);
}

function answerTokens(text: string): string[] {
  return text.split(WHITESPACE).filter((t) => t !== '');
}

function checkGold(goldAnswers: readonly string[]): void {
  if (goldAnswers.length === 0) {
    throw new OctetError('invalid-argument', 'SQuAD: a question needs at least one gold answer');
  }
}
