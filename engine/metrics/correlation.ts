// Pearson and Spearman correlation for regression tasks (STS-B).
//
// Convention when a correlation is undefined (either input has zero variance, e.g. a model that
// predicts the same score for every pair, or a single example): we return 0, not NaN or null.
// A constant predictor has no linear or monotonic relationship to the target, 0 keeps the type a
// plain number that serialises to JSON (NaN does not), and it makes "best checkpoint" comparisons
// behave. scipy would return NaN with a warning in this case.

import { checkFinite, checkPaired, type Values } from './inputs';

export function pearson(predictions: Values, labels: Values): number {
  checkInputs('Pearson', predictions, labels);
  return pearsonOfChecked(predictions, labels);
}

/** Pearson correlation of the ranks, with tied values sharing their average rank. */
export function spearman(predictions: Values, labels: Values): number {
  checkInputs('Spearman', predictions, labels);
  return pearsonOfChecked(averageRanks(predictions), averageRanks(labels));
}

/** 1-based ranks; a run of equal values gets the mean of the ranks it spans (e.g. 2, 3 -> 2.5, 2.5). */
export function averageRanks(values: Values): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + 1 + end) / 2; // mean of the 1-based ranks start+1 .. end
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

function checkInputs(metric: string, predictions: Values, labels: Values): void {
  checkPaired(metric, predictions, labels);
  checkFinite(metric, 'predictions', predictions);
  checkFinite(metric, 'labels', labels);
}

function pearsonOfChecked(x: Values, y: Values): number {
  // Tested exactly, not via the sums below: the mean of n equal floats need not equal them, and
  // the tiny leftover deviations would produce a meaningless ±1.
  if (isConstant(x) || isConstant(y)) return 0;
  const n = x.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i]!;
    meanY += y[i]!;
  }
  meanX /= n;
  meanY /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - meanX;
    const dy = y[i]! - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return 0;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

function isConstant(values: Values): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}
