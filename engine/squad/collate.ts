// A batch of windows, padded to the longest, with the answer positions as targets.
import type { TokenBatch } from '../model/batch';
import type { SquadWindow } from './windows';

export interface QaBatch extends TokenBatch {
  /** [batch] position of the answer's first token (0: [CLS], no answer in the window). */
  startPositions: Int32Array;
  /** [batch] position of the answer's last token. */
  endPositions: Int32Array;
}

export function collateWindows(windows: readonly SquadWindow[], indices: readonly number[], padId: number): QaBatch {
  const batch = indices.length;
  let seq = 0;
  for (const i of indices) seq = Math.max(seq, windows[i]!.ids.length);
  const inputIds = new Int32Array(batch * seq).fill(padId);
  const tokenTypeIds = new Int32Array(batch * seq);
  const attentionMask = new Uint8Array(batch * seq);
  const startPositions = new Int32Array(batch);
  const endPositions = new Int32Array(batch);
  indices.forEach((idx, b) => {
    const w = windows[idx]!;
    inputIds.set(w.ids, b * seq);
    tokenTypeIds.set(w.typeIds, b * seq);
    attentionMask.fill(1, b * seq, b * seq + w.ids.length);
    startPositions[b] = w.startPosition;
    endPositions[b] = w.endPosition;
  });
  return { batch, seq, inputIds, tokenTypeIds, attentionMask, startPositions, endPositions };
}
