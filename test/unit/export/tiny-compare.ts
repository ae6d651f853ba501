// Shared by the export tests: Octet's own inference (BertModel on the onnxruntime backend) and the
// exported graph run side by side on the same batches. No tests here.
import * as ort from 'onnxruntime-node';
import type { TokenBatch } from '../../../engine/model/batch';
import type { BertModel } from '../../../engine/model/bert-model';
import { inferenceSessionOptions } from '../../../engine/export/onnx-model';

export interface BatchComparison {
  /** max |onnx - octet| over every logit. */
  maxAbsDiff: number;
  /** max |octet| over every logit, for scale. */
  maxAbs: number;
  /** Rows (or tokens, for QA) whose argmax differs. */
  argmaxDiffers: number;
  rows: number;
  /** Logits that are not bit-identical. */
  notIdentical: number;
  logits: number;
  /** Outliers Octet's int8-outlier layers split off over these batches (0 when the path did not run). */
  outliers: number;
}

export async function createSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, inferenceSessionOptions(2));
}

export async function runSession(session: ort.InferenceSession, b: TokenBatch): Promise<Float32Array> {
  const dims = [b.batch, b.seq];
  const i64 = (a: ArrayLike<number>): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(Array.from(a, BigInt)), dims);
  const out = await session.run({ input_ids: i64(b.inputIds), token_type_ids: i64(b.tokenTypeIds), attention_mask: i64(b.attentionMask) });
  return out.logits.data as Float32Array;
}

export async function compareOnBatches(model: BertModel, session: ort.InferenceSession, batches: TokenBatch[], width: number): Promise<BatchComparison> {
  const c: BatchComparison = { maxAbsDiff: 0, maxAbs: 0, argmaxDiffers: 0, rows: 0, notIdentical: 0, logits: 0, outliers: 0 };
  for (const b of batches) {
    const octet = await model.forward(b, false);
    for (const l of model.linears.values()) c.outliers += l.lastStats?.outlierCount ?? 0;
    const onnx = await runSession(session, b);
    if (onnx.length !== octet.length) throw new Error(`onnx gave ${onnx.length} logits, Octet ${octet.length}`);
    for (let i = 0; i < octet.length; i++) {
      c.maxAbsDiff = Math.max(c.maxAbsDiff, Math.abs(onnx[i] - octet[i]));
      c.maxAbs = Math.max(c.maxAbs, Math.abs(octet[i]));
      if (onnx[i] !== octet[i]) c.notIdentical++;
    }
    c.logits += octet.length;
    for (let r = 0; r < octet.length / width; r++) {
      c.rows++;
      if (argmax(octet, r, width) !== argmax(onnx, r, width)) c.argmaxDiffers++;
    }
  }
  return c;
}

function argmax(a: Float32Array, row: number, width: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (a[row * width + j] > a[row * width + best]) best = j;
  return best;
}
