// Training losses, each returning the loss and (optionally) writing its gradient in one pass,
// since the gradient needs the same softmax / residual the loss does.
//
// Cross-entropy matches torch.nn.functional.cross_entropy(logits, labels, ignore_index=-100,
// reduction='mean'): mean over the rows whose label is not ignored (MLM labels every unmasked
// token -100). One deliberate difference: with every row ignored torch returns NaN (0/0); here
// the loss is 0 with zero gradient and count 0, so a batch with no masked token cannot turn the
// run into NaN; callers that care can test count.
//
// MSE matches torch.nn.functional.mse_loss(pred, target) (mean over elements), which is what
// HF uses for single-label regression (num_labels = 1, e.g. STS-B).

import { OctetError } from '../../errors';
import { requireDims, requireLen } from './check';

/** Label value that contributes neither loss nor gradient (torch / HF convention). */
export const IGNORE_INDEX = -100;

export interface LossResult {
  /** Mean loss (float64). */
  loss: number;
  /** Number of rows (cross-entropy) or elements (MSE) the mean is over. */
  count: number;
}

/**
 * Softmax cross-entropy over logits [rows x classes] with integer labels [rows].
 * Writes dlogits = (softmax(logits) - onehot(label)) / count for counted rows and 0 for ignored
 * rows, unless dlogits is null (evaluation). dlogits may alias logits (each row is fully read
 * before it is overwritten), which saves a [rows x vocab] buffer for MLM.
 * Labels must be integers in [0, classes) or ignoreIndex.
 */
export function crossEntropyLoss(
  dlogits: Float32Array | null,
  logits: Float32Array,
  labels: ArrayLike<number>,
  rows: number,
  classes: number,
  ignoreIndex: number = IGNORE_INDEX,
): LossResult {
  const OP = 'cross-entropy';
  requireDims(OP, { rows, classes });
  requireLen(OP, 'logits', logits, rows * classes);
  requireLen(OP, 'labels', labels, rows);
  if (dlogits !== null) requireLen(OP, 'dlogits', dlogits, rows * classes);
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const y = labels[r];
    if (y === ignoreIndex) continue;
    if (!(y >= 0 && y < classes && y === Math.floor(y))) {
      throw new OctetError('invalid-argument', `${OP}: label[${r}] = ${y} is outside [0, ${classes}) and is not ${ignoreIndex}`);
    }
    count++;
  }
  const invCount = count > 0 ? 1 / count : 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    const y = labels[r];
    if (y === ignoreIndex) {
      if (dlogits !== null) dlogits.fill(0, o, o + classes);
      continue;
    }
    // log-sum-exp with the max shifted out, in float64.
    let max = -Infinity;
    for (let j = 0; j < classes; j++) {
      const v = logits[o + j];
      if (v > max) max = v;
    }
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(logits[o + j] - max);
    const logZ = max + Math.log(sum);
    const target = logits[o + y];
    total += logZ - target;
    if (dlogits !== null) {
      // Reads logits[o + j] before writing dlogits[o + j]: safe when they alias.
      const invSum = invCount / sum;
      for (let j = 0; j < classes; j++) dlogits[o + j] = Math.exp(logits[o + j] - max) * invSum;
      dlogits[o + y] -= invCount;
    }
  }
  return { loss: total * invCount, count };
}

/**
 * Mean squared error over n elements: loss = mean((pred - target)^2); writes
 * dpred = 2 (pred - target) / n unless dpred is null. dpred may alias pred.
 */
export function mseLoss(
  dpred: Float32Array | null,
  pred: Float32Array,
  target: ArrayLike<number>,
  n: number,
): LossResult {
  const OP = 'mse';
  requireDims(OP, { n });
  requireLen(OP, 'pred', pred, n);
  requireLen(OP, 'target', target, n);
  if (dpred !== null) requireLen(OP, 'dpred', dpred, n);
  const g = 2 / n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = pred[i] - target[i];
    total += e * e;
    if (dpred !== null) dpred[i] = g * e;
  }
  return { loss: total / n, count: n };
}
