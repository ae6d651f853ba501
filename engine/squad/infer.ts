// The model over windows, in batches: each window's start and end logits (padding dropped) and
// the mean loss against the windows' targets.
import type { InferenceModel } from '../model/inference-model';
import { epochBatches } from '../train/batching';
import { collateWindows } from './collate';
import { qaLossAndGrad } from './qa-loss';
import type { SquadWindow } from './windows';

export interface WindowLogits {
  /** One value per token of the window, [CLS] and the question included. */
  start: Float32Array;
  end: Float32Array;
}

export async function inferWindows(
  model: InferenceModel,
  windows: readonly SquadWindow[],
  batchSize: number,
  padId: number,
): Promise<{ logits: WindowLogits[]; loss: number }> {
  const logits: WindowLogits[] = [];
  let lossSum = 0;
  for (const indices of epochBatches(windows.length, batchSize, 0, 0, false)) {
    const b = collateWindows(windows, indices, padId);
    const out = await model.forward(b, false);
    lossSum += qaLossAndGrad(out, b).loss * b.batch;
    indices.forEach((idx, r) => {
      const length = windows[idx]!.ids.length;
      const start = new Float32Array(length);
      const end = new Float32Array(length);
      for (let t = 0; t < length; t++) {
        start[t] = out[(r * b.seq + t) * 2]!;
        end[t] = out[(r * b.seq + t) * 2 + 1]!;
      }
      logits.push({ start, end });
    });
  }
  return { logits, loss: windows.length > 0 ? lossSum / windows.length : 0 };
}
