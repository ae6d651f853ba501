// The loss of BertForQuestionAnswering: the mean of the start and the end cross-entropy, each
// over the positions of a window. Unlike Hugging Face (which pads every window to maxSeqLength
// and lets padding compete), padding positions are masked out of the softmax, so the loss does
// not depend on how a batch happens to be padded.
import { OctetError } from '../errors';
import type { LossAndGrad } from '../train/task-head';
import type { QaBatch } from './collate';

/** logits: [batch*seq x 2], the start and end logit of every position (BertModel's QA output). */
export function qaLossAndGrad(logits: Float32Array, b: QaBatch): LossAndGrad {
  const { batch, seq } = b;
  if (logits.length !== batch * seq * 2) {
    throw new OctetError('shape-mismatch', `QA logits have ${logits.length} values, expected ${batch} x ${seq} x 2`);
  }
  const dLogits = new Float32Array(logits.length);
  let total = 0;
  // Each of the 2·batch cross-entropies counts 1/(2·batch) of the loss.
  const weight = 1 / (2 * batch);
  for (let r = 0; r < batch; r++) {
    let length = 0;
    while (length < seq && b.attentionMask[r * seq + length]) length++;
    for (const [which, target] of [[0, b.startPositions[r]!], [1, b.endPositions[r]!]] as const) {
      if (!(target >= 0 && target < length)) {
        throw new OctetError('invalid-argument', `QA target position ${target} of row ${r} is outside its ${length} tokens`);
      }
      const at = (t: number): number => ((r * seq + t) * 2) + which;
      let max = -Infinity;
      for (let t = 0; t < length; t++) max = Math.max(max, logits[at(t)]!);
      let sum = 0;
      for (let t = 0; t < length; t++) sum += Math.exp(logits[at(t)]! - max);
      total += max + Math.log(sum) - logits[at(target)]!;
      for (let t = 0; t < length; t++) dLogits[at(t)] = (Math.exp(logits[at(t)]! - max) / sum) * weight;
      dLogits[at(target)]! -= weight;
    }
  }
  return { loss: total * weight, dLogits };
}
