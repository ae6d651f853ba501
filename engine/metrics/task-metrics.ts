// The metric set reported for each task kind, so the trainer, CLI and editor all show the same
// numbers: GLUE reports accuracy/F1 (MRPC), MCC (CoLA) and Pearson/Spearman (STS-B).

import { OctetError } from '../errors';
import { accuracy, binaryF1, macroF1, matthewsCorrelation } from './classification';
import { pearson, spearman } from './correlation';
import type { Values } from './inputs';
import { meanSquaredError } from './regression-error';

export interface ClassificationMetrics {
  accuracy: number;
  /** Binary F1 of the positive class when the task has 2 classes, macro F1 otherwise. */
  f1: number;
  mcc: number;
}

export interface RegressionMetrics {
  pearson: number;
  spearman: number;
  mse: number;
}

export interface TaskMetricOptions {
  /**
   * Classes in the task (length of id2label). Decides binary vs macro F1; pass it, because an
   * evaluation slice need not contain every class. Default: largest id seen + 1.
   */
  numClasses?: number;
  /** Class id whose F1 is reported for binary tasks. Default 1 (GLUE's "positive"/"paraphrase"). */
  positiveClass?: number;
}

/** Classification: predictions are class ids. Regression: predictions are scores. */
export function computeTaskMetrics(
  kind: 'classification',
  predictions: Values,
  labels: Values,
  options?: TaskMetricOptions,
): ClassificationMetrics;
export function computeTaskMetrics(kind: 'regression', predictions: Values, labels: Values): RegressionMetrics;
export function computeTaskMetrics(
  kind: 'classification' | 'regression',
  predictions: Values,
  labels: Values,
  options?: TaskMetricOptions,
): ClassificationMetrics | RegressionMetrics;
export function computeTaskMetrics(
  kind: 'classification' | 'regression',
  predictions: Values,
  labels: Values,
  options: TaskMetricOptions = {},
): ClassificationMetrics | RegressionMetrics {
  if (kind === 'regression') {
    return {
      pearson: pearson(predictions, labels),
      spearman: spearman(predictions, labels),
      mse: meanSquaredError(predictions, labels),
    };
  }
  if (kind !== 'classification') {
    throw new OctetError('invalid-argument', `unknown task kind "${String(kind)}" (known: classification, regression)`);
  }
  const acc = accuracy(predictions, labels); // validates the inputs before the id scan below
  const numClasses = options.numClasses ?? largestId(predictions, labels) + 1;
  const positiveClass = options.positiveClass ?? 1;
  return {
    accuracy: acc,
    f1: numClasses <= 2 ? binaryF1(predictions, labels, positiveClass) : macroF1(predictions, labels),
    mcc: matthewsCorrelation(predictions, labels),
  };
}

function largestId(predictions: Values, labels: Values): number {
  let max = 0;
  for (let i = 0; i < labels.length; i++) max = Math.max(max, predictions[i]!, labels[i]!);
  return max;
}
