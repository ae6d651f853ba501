// Classification metrics over class ids (predictions are argmax ids, not logits). Conventions
// follow scikit-learn so numbers compare with published GLUE results:
//  - F1 of a class that is neither present nor predicted is 0 (sklearn's zero_division=0).
//  - Macro F1 averages over the classes that occur in the labels or the predictions.
//  - MCC is 0 when undefined (all labels, or all predictions, in one class).

import { checkClassIds, checkPaired, type Values } from './inputs';

interface ClassCounts {
  truePositives: number;
  predicted: number;
  actual: number;
}

interface ClassStatistics {
  total: number;
  correct: number;
  perClass: Map<number, ClassCounts>;
}

export function accuracy(predictions: Values, labels: Values): number {
  const { correct, total } = classStatistics('accuracy', predictions, labels);
  return correct / total;
}

/** F1 of one class against all others; for binary tasks, the positive class (id 1 by default). */
export function binaryF1(predictions: Values, labels: Values, positiveClass = 1): number {
  const stats = classStatistics('binary F1', predictions, labels);
  return classF1(stats.perClass.get(positiveClass));
}

/** Unweighted mean of the per-class F1 scores. */
export function macroF1(predictions: Values, labels: Values): number {
  const stats = classStatistics('macro F1', predictions, labels);
  let sum = 0;
  for (const counts of stats.perClass.values()) sum += classF1(counts);
  return sum / stats.perClass.size;
}

/**
 * Matthews correlation coefficient in Gorodkin's multiclass form, which equals the usual binary
 * formula for two classes: with c correct out of s, and per class k p_k predicted and t_k actual,
 *   MCC = (c·s − Σ p_k·t_k) / sqrt((s² − Σ p_k²) · (s² − Σ t_k²)).
 */
export function matthewsCorrelation(predictions: Values, labels: Values): number {
  const { total: s, correct: c, perClass } = classStatistics('MCC', predictions, labels);
  let sumPT = 0;
  let sumPP = 0;
  let sumTT = 0;
  for (const { predicted, actual } of perClass.values()) {
    sumPT += predicted * actual;
    sumPP += predicted * predicted;
    sumTT += actual * actual;
  }
  const denominator = Math.sqrt((s * s - sumPP) * (s * s - sumTT));
  if (denominator === 0) return 0;
  return clampUnit((c * s - sumPT) / denominator);
}

function classF1(counts: ClassCounts | undefined): number {
  if (counts === undefined) return 0;
  // 2PR/(P+R) simplifies to 2TP / (predicted + actual).
  const denominator = counts.predicted + counts.actual;
  return denominator === 0 ? 0 : (2 * counts.truePositives) / denominator;
}

function classStatistics(metric: string, predictions: Values, labels: Values): ClassStatistics {
  checkPaired(metric, predictions, labels);
  checkClassIds(metric, 'predictions', predictions);
  checkClassIds(metric, 'labels', labels);
  const perClass = new Map<number, ClassCounts>();
  const countsOf = (id: number): ClassCounts => {
    let counts = perClass.get(id);
    if (counts === undefined) {
      counts = { truePositives: 0, predicted: 0, actual: 0 };
      perClass.set(id, counts);
    }
    return counts;
  };
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = predictions[i]!;
    const t = labels[i]!;
    countsOf(p).predicted++;
    countsOf(t).actual++;
    if (p === t) {
      correct++;
      countsOf(t).truePositives++;
    }
  }
  return { total: labels.length, correct, perClass };
}

/** Rounding can push a ±1 correlation a hair outside the interval. */
function clampUnit(x: number): number {
  return Math.max(-1, Math.min(1, x));
}
