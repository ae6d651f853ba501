// What the classification and regression tasks do with the model's logits: the loss, its
// gradient, predictions and metrics.
import { computeTaskMetrics } from '../metrics/task-metrics';
import { crossEntropyLoss, mseLoss } from '../nn/ops/loss';

export type SequenceTask = 'classification' | 'regression';

export interface LossAndGrad {
  loss: number;
  dLogits: Float32Array;
}

export function lossAndGrad(task: SequenceTask, logits: Float32Array, labels: Float32Array, numLabels: number): LossAndGrad {
  const dLogits = new Float32Array(logits.length);
  const batch = labels.length;
  const r = task === 'classification'
    ? crossEntropyLoss(dLogits, logits, labels, batch, numLabels)
    : mseLoss(dLogits, logits, labels, batch);
  return { loss: r.loss, dLogits };
}

/** The class id (argmax) or the regression value of each row. */
export function predictions(task: SequenceTask, logits: Float32Array, numLabels: number): number[] {
  if (task === 'regression') return Array.from(logits);
  const out: number[] = [];
  for (let r = 0; r < logits.length / numLabels; r++) {
    let best = 0;
    for (let c = 1; c < numLabels; c++) if (logits[r * numLabels + c] > logits[r * numLabels + best]) best = c;
    out.push(best);
  }
  return out;
}

/** The task's metrics under the names the manifest uses (accuracy, f1, matthews, pearson, spearman). */
export function taskMetrics(task: SequenceTask, preds: number[], labels: number[], numLabels: number, positiveClass: number): Record<string, number> {
  if (task === 'regression') {
    const m = computeTaskMetrics('regression', preds, labels);
    return { pearson: m.pearson, spearman: m.spearman, mse: m.mse };
  }
  const m = computeTaskMetrics('classification', preds, labels, { numClasses: numLabels, positiveClass });
  return { accuracy: m.accuracy, f1: m.f1, matthews: m.mcc };
}
