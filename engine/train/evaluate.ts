// Evaluation over a feature set: loss, the task's metrics and every prediction, in data order.
import type { InferenceModel } from '../model/inference-model';
import { collate, epochBatches } from './batching';
import type { Feature } from './features';
import { lossAndGrad, predictions, SequenceTask, taskMetrics } from './task-head';

export interface EvalResult {
  loss: number;
  metrics: Record<string, number>;
  predictions: number[];
  logits: Float32Array[];
}

export interface EvalOptions {
  task: SequenceTask;
  numLabels: number;
  positiveClass: number;
  batchSize: number;
  padId: number;
}

export async function evaluate(model: InferenceModel, features: readonly Feature[], o: EvalOptions): Promise<EvalResult> {
  let lossSum = 0;
  const preds: number[] = [];
  const logitsRows: Float32Array[] = [];
  for (const indices of epochBatches(features.length, o.batchSize, 0, 0, false)) {
    const b = collate(features, indices, o.padId);
    const logits = await model.forward(b, false);
    lossSum += lossAndGrad(o.task, logits, b.labels, o.numLabels).loss * b.batch;
    preds.push(...predictions(o.task, logits, o.numLabels));
    for (let r = 0; r < b.batch; r++) logitsRows.push(logits.slice(r * o.numLabels, (r + 1) * o.numLabels));
  }
  const labels = features.map((f) => f.label);
  return { loss: lossSum / features.length, metrics: taskMetrics(o.task, preds, labels, o.numLabels, o.positiveClass), predictions: preds, logits: logitsRows };
}
