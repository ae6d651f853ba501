// Batches: a seeded shuffle per epoch (so a resumed run sees the same order) and padding to the
// longest sequence in each batch.
import type { TokenBatch } from '../model/batch';
import { Rng } from '../nn/ops/rng';
import type { Feature } from './features';

/** Example indices of every batch of one epoch; shuffled from (seed, epoch) when `shuffle`. */
export function epochBatches(count: number, batchSize: number, seed: number, epoch: number, shuffle: boolean): number[][] {
  const order = Array.from({ length: count }, (_, i) => i);
  if (shuffle) {
    const rng = new Rng(seed * 7919 + epoch);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(rng.nextFloat() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  const batches: number[][] = [];
  for (let i = 0; i < count; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}

export interface LabelledBatch extends TokenBatch {
  labels: Float32Array;
}

export function collate(features: readonly Feature[], indices: readonly number[], padId: number): LabelledBatch {
  const batch = indices.length;
  let seq = 0;
  for (const i of indices) seq = Math.max(seq, features[i].ids.length);
  const inputIds = new Int32Array(batch * seq).fill(padId);
  const tokenTypeIds = new Int32Array(batch * seq);
  const attentionMask = new Uint8Array(batch * seq);
  const labels = new Float32Array(batch);
  indices.forEach((idx, b) => {
    const f = features[idx];
    inputIds.set(f.ids, b * seq);
    tokenTypeIds.set(f.typeIds, b * seq);
    attentionMask.fill(1, b * seq, b * seq + f.ids.length);
    labels[b] = f.label;
  });
  return { batch, seq, inputIds, tokenTypeIds, attentionMask, labels };
}
