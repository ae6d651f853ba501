// The masked-LM loss: cross-entropy over the masked positions only (the head computes no other
// logits), the mean over every masked token of the batch, as BertForMaskedLM's loss.
import { crossEntropyLoss } from '../nn/ops/loss';
import type { LossAndGrad } from '../train/task-head';

/**
 * logits: [positions x vocab]. The gradient is written over the logits (crossEntropyLoss allows
 * the aliasing): the training loop does not read them again, and with a real vocabulary the
 * buffer is tens of megabytes.
 */
export function mlmLossAndGrad(logits: Float32Array, labels: Int32Array, vocab: number): LossAndGrad {
  // Zero masked tokens: no logits, loss 0, nothing to learn from this batch.
  if (labels.length === 0) return { loss: 0, dLogits: logits };
  const { loss } = crossEntropyLoss(logits, logits, labels, labels.length, vocab);
  return { loss, dLogits: logits };
}

/** Summed loss and correct argmax predictions over the masked positions (evaluation). */
export function mlmScores(logits: Float32Array, labels: Int32Array, vocab: number): { lossSum: number; correct: number } {
  if (labels.length === 0) return { lossSum: 0, correct: 0 };
  let correct = 0;
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let v = 1; v < vocab; v++) if (logits[r * vocab + v]! > logits[r * vocab + best]!) best = v;
    if (best === labels[r]) correct++;
  }
  const { loss } = crossEntropyLoss(null, logits, labels, labels.length, vocab);
  return { lossSum: loss * labels.length, correct };
}
