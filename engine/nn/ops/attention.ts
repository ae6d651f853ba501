// Multi-head self-attention core (BERT's BertSelfAttention after the Q/K/V projections and before
// the output projection):
//
//   per batch b and head h, with Qh, Kh, Vh the [seq x d] slices of head h:
//     S  = Qh Kh^T * (1/sqrt d) + maskBias        maskBias[j] = 0 (keep) or -10000 (padding key)
//     P  = softmax_rows(S)                        saved for backward
//     Pd = dropout(P)                             keep-mask saved for backward
//     C  = Pd Vh                                  merged back to [batch*seq x hidden]
//
// Why -10000 and not -Infinity: it is what BERT was pre-trained with (TF BERT, HF's original
// code), it can never produce Inf - Inf = NaN, and exp(-10000) underflows to exactly 0 in both
// float32 and float64, so masked keys get probability exactly 0 whenever a row keeps at least one
// key. A query row whose keys are all padding (only possible for all-padding sequences) then
// gets a softmax over its unmasked raw scores instead of NaN; such rows are padding queries whose
// outputs the loss ignores.
//
// The two batched matmuls (and the four in backward) go through an injectable BatchedMatmul so
// the lead can run them on onnxruntime; everything else (head split/merge, scaling, masking,
// softmax, dropout) is plain JS over flat Float32Arrays. Heads are split into [batch*heads, seq,
// d] so every matmul operand is one contiguous block per (batch, head). The split reads each
// token row of Q/K/V sequentially and writes `heads` contiguous runs of d floats, so both sides
// stream through cache. The backward needs P^T and dS^T; those [seq x seq] transposes are done
// here in 32x32 tiles (cost seq^2 per head, about 1/d of a matmul) so a BatchedMatmul only has to
// support a transposed B, which onnxruntime's MatMul-after-Transpose or Gemm handles directly.

import { OctetError } from '../../errors';
import { requireDims, requireLen } from './check';
import { dropoutApply, dropoutMask } from './dropout';
import type { Rng } from './rng';
import { softmaxRow } from './softmax';

/**
 * C[t] = A[t] * op(B[t]) for t < batch, all row-major float32:
 *   a: [batch x m x k];  b: [batch x k x n], or [batch x n x k] when transB (op(B) = B^T);
 *   result: [batch x m x n].
 * The result must be a fresh array the caller may keep and overwrite (attention runs softmax in
 * place on it); it must not alias a or b. a and b are not modified and are not used after the
 * returned promise settles. May return synchronously.
 */
export type BatchedMatmul = (
  a: Float32Array,
  b: Float32Array,
  batch: number,
  m: number,
  k: number,
  n: number,
  transB: boolean,
) => Float32Array | Promise<Float32Array>;

/** Additive score bias for padding keys (BERT's value). */
export const ATTENTION_MASK_BIAS = -10000;

/** Plain-JS BatchedMatmul: float64 accumulation, float32 result. The correctness reference. */
export const referenceBatchedMatmul: BatchedMatmul = (a, b, batch, m, k, n, transB) => {
  requireDims('batched matmul', { batch, m, k, n });
  requireLen('batched matmul', 'a', a, batch * m * k);
  requireLen('batched matmul', 'b', b, batch * k * n);
  const c = new Float32Array(batch * m * n);
  if (transB) {
    // Row of A dot row of B: both operands stream contiguously.
    for (let t = 0; t < batch; t++) {
      const aBase = t * m * k;
      const bBase = t * n * k;
      const cBase = t * m * n;
      for (let i = 0; i < m; i++) {
        const ao = aBase + i * k;
        for (let j = 0; j < n; j++) {
          const bo = bBase + j * k;
          let s = 0;
          for (let p = 0; p < k; p++) s += a[ao + p] * b[bo + p];
          c[cBase + i * n + j] = s;
        }
      }
    }
  } else {
    // i-p-j order: the inner loop walks a row of B and a float64 accumulator row contiguously,
    // instead of striding down a column of B.
    const acc = new Float64Array(n);
    for (let t = 0; t < batch; t++) {
      const aBase = t * m * k;
      const bBase = t * k * n;
      const cBase = t * m * n;
      for (let i = 0; i < m; i++) {
        acc.fill(0);
        const ao = aBase + i * k;
        for (let p = 0; p < k; p++) {
          const av = a[ao + p];
          const bo = bBase + p * n;
          for (let j = 0; j < n; j++) acc[j] += av * b[bo + j];
        }
        const co = cBase + i * n;
        for (let j = 0; j < n; j++) c[co + j] = acc[j];
      }
    }
  }
  return c;
};

/** What attentionForward saves for attentionBackward (and whose buffers it can reuse). */
export interface AttentionCache {
  readonly batch: number;
  readonly seq: number;
  readonly heads: number;
  readonly hidden: number;
  readonly headDim: number;
  /** 1/sqrt(headDim). */
  readonly scale: number;
  readonly dropoutP: number;
  /** Head-split inputs, [batch*heads x seq x headDim]. */
  readonly qh: Float32Array;
  readonly kh: Float32Array;
  readonly vh: Float32Array;
  /** Softmax output before dropout, [batch*heads x seq x seq]. */
  readonly probs: Float32Array;
  /** Dropout keep-mask over probs (1 = kept), or null when dropoutP = 0. */
  readonly dropMask: Uint8Array | null;
}

export interface AttentionOptions {
  /** Defaults to referenceBatchedMatmul. */
  matmul?: BatchedMatmul;
  /** Attention-probability dropout (BERT: 0.1 in training, 0 in eval). Default 0. */
  dropoutP?: number;
  /** Source of dropout masks; required when dropoutP > 0. Draws batch*heads*seq*seq uniforms. */
  rng?: Rng;
  /**
   * Use this keep-mask ([batch*heads x seq x seq], 1 = keep) instead of drawing one, e.g. to
   * recompute a forward pass exactly (activation recomputation, gradient checks). The rng is
   * then not touched.
   */
  dropMask?: Uint8Array;
  /**
   * A cache from an earlier call with the same shapes whose backward has already run: its
   * head-split and mask buffers are overwritten and reused instead of allocated.
   */
  reuse?: AttentionCache;
}

function sameSize(prev: Float32Array | undefined, n: number): Float32Array {
  return prev !== undefined && prev.length === n ? prev : new Float32Array(n);
}

function checkResult(r: Float32Array, n: number, what: string): Float32Array {
  if (!(r instanceof Float32Array) || r.length !== n) {
    throw new OctetError(
      'shape-mismatch',
      `attention: batched matmul for ${what} returned ${r instanceof Float32Array ? r.length : typeof r} elements, expected ${n}`,
    );
  }
  return r;
}

/** [batch*seq x heads*d] (token rows) -> [batch*heads x seq x d]. */
function splitHeads(dst: Float32Array, src: Float32Array, batch: number, seq: number, heads: number, d: number): void {
  const hidden = heads * d;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq; t++) {
      const so = (b * seq + t) * hidden;
      for (let h = 0; h < heads; h++) {
        const dOff = ((b * heads + h) * seq + t) * d;
        const sOff = so + h * d;
        for (let i = 0; i < d; i++) dst[dOff + i] = src[sOff + i];
      }
    }
  }
}

/** Inverse of splitHeads. */
function mergeHeads(dst: Float32Array, src: Float32Array, batch: number, seq: number, heads: number, d: number): void {
  const hidden = heads * d;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq; t++) {
      const dOff = (b * seq + t) * hidden;
      for (let h = 0; h < heads; h++) {
        const sOff = ((b * heads + h) * seq + t) * d;
        const o = dOff + h * d;
        for (let i = 0; i < d; i++) dst[o + i] = src[sOff + i];
      }
    }
  }
}

const TILE = 32;

/**
 * dst[t] = (src[t] * mask[t] * maskScale)^T for each of `count` square [n x n] blocks (mask may be
 * null: plain transpose). Tiled so both the row-wise reads and the column-wise writes stay within
 * a few cache lines per tile.
 */
function transposeBlocks(
  dst: Float32Array,
  src: Float32Array,
  mask: Uint8Array | null,
  maskScale: number,
  count: number,
  n: number,
): void {
  const nn = n * n;
  for (let t = 0; t < count; t++) {
    const base = t * nn;
    for (let i0 = 0; i0 < n; i0 += TILE) {
      const i1 = i0 + TILE < n ? i0 + TILE : n;
      for (let j0 = 0; j0 < n; j0 += TILE) {
        const j1 = j0 + TILE < n ? j0 + TILE : n;
        for (let i = i0; i < i1; i++) {
          const ro = base + i * n;
          if (mask === null) {
            for (let j = j0; j < j1; j++) dst[base + j * n + i] = src[ro + j];
          } else {
            for (let j = j0; j < j1; j++) dst[base + j * n + i] = mask[ro + j] !== 0 ? src[ro + j] * maskScale : 0;
          }
        }
      }
    }
  }
}

/**
 * Self-attention forward. q, k, v, out: [batch*seq x hidden] (row = token, the heads side by side
 * in each row as BERT lays them out); attnMask: [batch*seq], nonzero = real token, 0 = padding
 * (null = no padding). Writes the merged context into `out` and returns what backward needs.
 * `out` must not alias q, k or v.
 */
export async function attentionForward(
  out: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  attnMask: ArrayLike<number> | null,
  batch: number,
  seq: number,
  heads: number,
  hidden: number,
  opts: AttentionOptions = {},
): Promise<AttentionCache> {
  const OP = 'attention';
  requireDims(OP, { batch, seq, heads, hidden });
  if (hidden % heads !== 0) {
    throw new OctetError('invalid-argument', `attention: hidden ${hidden} is not a multiple of heads ${heads}`);
  }
  const d = hidden / heads;
  const rowsN = batch * seq * hidden;
  requireLen(OP, 'out', out, rowsN);
  requireLen(OP, 'q', q, rowsN);
  requireLen(OP, 'k', k, rowsN);
  requireLen(OP, 'v', v, rowsN);
  if (attnMask !== null) requireLen(OP, 'attnMask', attnMask, batch * seq);
  const p = opts.dropoutP ?? 0;
  if (!(p >= 0 && p < 1)) throw new OctetError('invalid-argument', `attention: dropoutP must be in [0, 1), got ${p}`);
  const matmul = opts.matmul ?? referenceBatchedMatmul;
  const bh = batch * heads;
  const headN = bh * seq * d;
  const probN = bh * seq * seq;
  const scale = 1 / Math.sqrt(d);

  const reuse = opts.reuse;
  const qh = sameSize(reuse?.qh, headN);
  const kh = sameSize(reuse?.kh, headN);
  const vh = sameSize(reuse?.vh, headN);
  splitHeads(qh, q, batch, seq, heads, d);
  splitHeads(kh, k, batch, seq, heads, d);
  splitHeads(vh, v, batch, seq, heads, d);

  // Additive bias per key, built once per call instead of testing the mask per score.
  let bias: Float32Array | null = null;
  if (attnMask !== null) {
    bias = new Float32Array(batch * seq);
    for (let i = 0; i < batch * seq; i++) bias[i] = attnMask[i] !== 0 ? 0 : ATTENTION_MASK_BIAS;
  }

  const probs = checkResult(await matmul(qh, kh, bh, seq, d, seq, true), probN, 'scores = Q K^T');
  for (let t = 0; t < bh; t++) {
    const bOff = ((t / heads) | 0) * seq;
    for (let i = 0; i < seq; i++) {
      const o = (t * seq + i) * seq;
      if (bias === null) {
        for (let j = 0; j < seq; j++) probs[o + j] *= scale;
      } else {
        for (let j = 0; j < seq; j++) probs[o + j] = probs[o + j] * scale + bias[bOff + j];
      }
      softmaxRow(probs, probs, o, seq);
    }
  }

  let dropMask: Uint8Array | null = null;
  let pd = probs;
  if (p > 0 || opts.dropMask !== undefined) {
    if (opts.dropMask !== undefined) {
      requireLen(OP, 'dropMask', opts.dropMask, probN);
      dropMask = opts.dropMask;
    } else {
      if (opts.rng === undefined) throw new OctetError('invalid-argument', 'attention: dropoutP > 0 needs an rng');
      const prev = reuse?.dropMask;
      dropMask = prev !== null && prev !== undefined && prev.length === probN ? prev : new Uint8Array(probN);
      dropoutMask(dropMask, probN, p, opts.rng);
    }
    // Dropped probabilities go to a separate buffer: backward needs the undropped P.
    pd = new Float32Array(probN);
    dropoutApply(pd, probs, dropMask, probN, p);
  }

  const ctx = checkResult(await matmul(pd, vh, bh, seq, seq, d, false), headN, 'context = P V');
  mergeHeads(out, ctx, batch, seq, heads, d);
  return { batch, seq, heads, hidden, headDim: d, scale, dropoutP: p, qh, kh, vh, probs, dropMask };
}

/**
 * Self-attention backward: from dout ([batch*seq x hidden], gradient of the merged context)
 * writes (overwrites) dq, dk, dv in the same layout. Use the same matmul as forward or any other
 * correct one. The padding mask needs no gradient (it is a constant bias).
 */
export async function attentionBackward(
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  dout: Float32Array,
  cache: AttentionCache,
  matmul: BatchedMatmul = referenceBatchedMatmul,
): Promise<void> {
  const OP = 'attention backward';
  const { batch, seq, heads, hidden, headDim: d, scale, dropoutP, qh, kh, vh, probs, dropMask } = cache;
  const rowsN = batch * seq * hidden;
  requireLen(OP, 'dq', dq, rowsN);
  requireLen(OP, 'dk', dk, rowsN);
  requireLen(OP, 'dv', dv, rowsN);
  requireLen(OP, 'dout', dout, rowsN);
  const bh = batch * heads;
  const headN = bh * seq * d;
  const probN = bh * seq * seq;
  const dropScale = dropMask !== null ? 1 / (1 - dropoutP) : 1;

  const dch = new Float32Array(headN);
  splitHeads(dch, dout, batch, seq, heads, d);

  // dPd = dC Vh^T ; dVh = Pd^T dC, with Pd^T built straight from P and the mask.
  const dp = checkResult(await matmul(dch, vh, bh, seq, d, seq, true), probN, 'dP = dC V^T');
  const tbuf = new Float32Array(probN);
  transposeBlocks(tbuf, probs, dropMask, dropScale, bh, seq);
  const dvh = checkResult(await matmul(tbuf, dch, bh, seq, seq, d, false), headN, 'dV = P^T dC');

  // In place over dp: through dropout (dP = dPd * mask * scale), then softmax
  // (dS = P * (dP - rowdot(dP, P))), then the 1/sqrt(d) score scale. Masked keys have P = 0 so
  // their dS is 0; the mask bias itself is constant.
  for (let r = 0; r < bh * seq; r++) {
    const o = r * seq;
    if (dropMask !== null) {
      for (let j = 0; j < seq; j++) dp[o + j] = dropMask[o + j] !== 0 ? dp[o + j] * dropScale : 0;
    }
    let dot = 0;
    for (let j = 0; j < seq; j++) dot += dp[o + j] * probs[o + j];
    for (let j = 0; j < seq; j++) dp[o + j] = scale * probs[o + j] * (dp[o + j] - dot);
  }

  // dQh = dS Kh ; dKh = dS^T Qh (the P^T buffer is free again: the dV matmul has settled).
  const dqh = checkResult(await matmul(dp, kh, bh, seq, seq, d, false), headN, 'dQ = dS K');
  transposeBlocks(tbuf, dp, null, 1, bh, seq);
  const dkh = checkResult(await matmul(tbuf, qh, bh, seq, seq, d, false), headN, 'dK = dS^T Q');

  mergeHeads(dq, dqh, batch, seq, heads, d);
  mergeHeads(dk, dkh, batch, seq, heads, d);
  mergeHeads(dv, dvh, batch, seq, heads, d);
}
