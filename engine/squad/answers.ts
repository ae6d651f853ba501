// From window logits to one answer per question, as Hugging Face's postprocess_qa_predictions:
// pair the nBest highest start and end tokens of each window's context, keep spans of at most
// maxAnswerLength tokens that do not end before they start, score start + end logit, and take
// the best over all of the question's windows. The answer is the context text those tokens came
// from (through the tokenizer's offsets), so it is always an exact substring of the context.
// SQuAD 2.0: the empty answer wins when the [CLS] score (lowest over the windows) beats it.
import { tokensToCharSpan } from './answer-span';
import type { SquadExample } from './examples';
import type { WindowLogits } from './infer';
import type { SquadWindow } from './windows';

export interface AnswerOptions {
  nBest: number;
  maxAnswerLength: number;
  version2: boolean;
}

export interface PredictedAnswer {
  id: string;
  /** Exactly `context.slice(span[0], span[1])`; '' for no answer. */
  text: string;
  /** Start plus end logit of the chosen span (or of [CLS] for no answer). */
  score: number;
  /** [start, end) in the context, UTF-16 indices; null for no answer. */
  span: [number, number] | null;
}

export function predictAnswers(
  examples: readonly SquadExample[],
  windows: readonly SquadWindow[],
  logits: readonly WindowLogits[],
  o: AnswerOptions,
): PredictedAnswer[] {
  const best: { score: number; window: number; first: number; last: number }[] = examples.map(() => ({ score: -Infinity, window: -1, first: 0, last: 0 }));
  const nullScore = examples.map(() => Infinity);
  windows.forEach((w, i) => {
    const { start, end } = logits[i]!;
    const b = best[w.example]!;
    nullScore[w.example] = Math.min(nullScore[w.example]!, start[0]! + end[0]!);
    const contextTokens = w.offsets.length / 2;
    const starts = topContextTokens(start, w.contextStart, contextTokens, o.nBest);
    const ends = topContextTokens(end, w.contextStart, contextTokens, o.nBest);
    let found = false;
    for (const s of starts) {
      for (const e of ends) {
        if (e < s || e - s + 1 > o.maxAnswerLength) continue;
        found = true;
        const score = start[w.contextStart + s]! + end[w.contextStart + e]!;
        if (score > b.score) Object.assign(b, { score, window: i, first: s, last: e });
      }
    }
    // Hugging Face answers "" when no pair fits; the best single token is a better guess for v1.1.
    if (!found) {
      for (let t = 0; t < contextTokens; t++) {
        const score = start[w.contextStart + t]! + end[w.contextStart + t]!;
        if (score > b.score) Object.assign(b, { score, window: i, first: t, last: t });
      }
    }
  });
  return examples.map((ex, i) => {
    const b = best[i]!;
    if (b.window < 0 || (o.version2 && nullScore[i]! > b.score)) return { id: ex.id, text: '', score: nullScore[i]!, span: null };
    const span = tokensToCharSpan(windows[b.window]!.offsets, b.first, b.last);
    return { id: ex.id, text: ex.context.slice(span[0], span[1]), score: b.score, span };
  });
}

/** Indices (among the window's context tokens) of the k highest logits, highest first; ties keep token order. */
function topContextTokens(logits: Float32Array, contextStart: number, count: number, k: number): number[] {
  const order = Array.from({ length: count }, (_, t) => t);
  order.sort((a, b) => logits[contextStart + b]! - logits[contextStart + a]! || a - b);
  return order.slice(0, k);
}
