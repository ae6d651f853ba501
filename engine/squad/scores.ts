// Exact match and F1 over questions, with the official normalisation (engine/metrics/squad.ts).
// An unanswerable question (SQuAD 2.0) scores 1 on both when the prediction is empty, as in the
// official evaluate-v2.0.py; answerable questions score as in v1.1.
import { exactMatch, normalizeAnswer, tokenF1 } from '../metrics/squad';
import { OctetError } from '../errors';
import type { SquadExample } from './examples';

export function squadMetrics(examples: readonly SquadExample[], predictions: readonly string[]): { exactMatch: number; f1: number } {
  if (predictions.length !== examples.length) {
    throw new OctetError('shape-mismatch', `SQuAD: ${predictions.length} predictions but ${examples.length} questions`);
  }
  if (examples.length === 0) throw new OctetError('invalid-argument', 'SQuAD: no questions to score');
  let em = 0;
  let f1 = 0;
  examples.forEach((ex, i) => {
    const prediction = predictions[i]!;
    if (ex.answers.length === 0) {
      const right = normalizeAnswer(prediction) === '' ? 1 : 0;
      em += right;
      f1 += right;
      return;
    }
    const gold = ex.answers.map((a) => a.text);
    em += exactMatch(prediction, gold);
    f1 += tokenF1(prediction, gold);
  });
  return { exactMatch: em / examples.length, f1: f1 / examples.length };
}
