// Calibration batches: the first batches of the first training epoch, in the order training
// would see them (same seeded shuffle, same padding), so the profile sees what training sees.
import { OctetError } from '../errors';
import { collate, epochBatches, type LabelledBatch } from '../train/batching';
import type { Feature } from '../train/features';

export function checkBatchCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new OctetError('invalid-argument', `the number of calibration batches must be a positive integer, got ${count}`);
  }
}

/** Indices of the first `count` batches of epoch 0 over `size` training inputs. */
export function calibrationIndices(size: number, batchSize: number, seed: number, count: number): number[][] {
  checkBatchCount(count);
  return epochBatches(size, batchSize, seed, 0, true).slice(0, count);
}

/** The same, collated from tokenized sentence features (tests and tools without a task). */
export function calibrationBatches(features: readonly Feature[], batchSize: number, seed: number, count: number, padId: number): LabelledBatch[] {
  return calibrationIndices(features.length, batchSize, seed, count).map((indices) => collate(features, indices, padId));
}
