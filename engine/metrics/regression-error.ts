// Mean squared error: the regression loss, reported next to the correlations so a model that
// correlates well but is off in scale is still visible.

import { checkFinite, checkPaired, type Values } from './inputs';

export function meanSquaredError(predictions: Values, labels: Values): number {
  checkPaired('MSE', predictions, labels);
  checkFinite('MSE', 'predictions', predictions);
  checkFinite('MSE', 'labels', labels);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const d = predictions[i]! - labels[i]!;
    sum += d * d;
  }
  return sum / labels.length;
}
