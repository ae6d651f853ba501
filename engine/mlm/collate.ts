// A batch of masked sequences, padded to the longest, with the chosen positions gathered: the
// model's masked-LM head computes logits only there (TokenBatch.maskedPositions).
import type { TokenBatch } from '../model/batch';
import { IGNORE_INDEX } from '../nn/ops/loss';
import type { MaskedSequence } from './masking';

export interface MlmBatch extends TokenBatch {
  maskedPositions: Int32Array;
  /** [positions] the original token at each masked position: the targets. */
  labels: Int32Array;
}

export function collateMasked(masked: readonly MaskedSequence[], padId: number): MlmBatch {
  const batch = masked.length;
  let seq = 0;
  for (const m of masked) seq = Math.max(seq, m.inputIds.length);
  const inputIds = new Int32Array(batch * seq).fill(padId);
  const tokenTypeIds = new Int32Array(batch * seq);
  const attentionMask = new Uint8Array(batch * seq);
  const positions: number[] = [];
  const labels: number[] = [];
  masked.forEach((m, b) => {
    inputIds.set(m.inputIds, b * seq);
    attentionMask.fill(1, b * seq, b * seq + m.inputIds.length);
    m.labels.forEach((label, t) => {
      if (label === IGNORE_INDEX) return;
      positions.push(b * seq + t);
      labels.push(label);
    });
  });
  return { batch, seq, inputIds, tokenTypeIds, attentionMask, maskedPositions: Int32Array.from(positions), labels: Int32Array.from(labels) };
}
