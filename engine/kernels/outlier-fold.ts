// Folds the tiled outlier product into the inlier GEMM, so the whole int8-outlier forward is one
// int8 GEMM with one float output (method.md section 4 computes it as three GEMMs whose float
// outputs are added: that costs two more passes over [M x N] each way, which at BERT-base shapes
// is ~30% of the plain GEMM whatever the number of outlier columns).
//
// When the outliers' step is s_out = r * s_in with r a power of two >= 1 (the 'at-least-inlier'
// exponent rule guarantees it), every outlier code q = 64 hi + lo adds r * q inlier steps to
// its row's product with column c of W. That is a sum of int8 values times W[:, c]:
//   r * 64 * hi = (f * hi) repeated r * 64 / f times, f * hi filling int8 (f = 4 for 12 bits),
//   r * lo      = lo repeated r times.
// So X gets those pieces as extra K columns, and W gets its column c repeated to match:
//   Y = s_in s_w ([Q_in | pieces] [Q_W | W_C repeated]^T) + b,
// exact in the int32 accumulator, scaled once. The tiled product's float value is the same.
import type { QuantizedActivation } from '../quant/outliers';
import { INT12_LOW_RADIX } from '../quant/outliers';
import { MAX_EXACT_K } from './backend';

/**
 * The most extra K columns worth folding in. The tiled combine costs a fixed ~4 ms at
 * 4096 x 768 x 768 (bench gemm), the time the int8 GEMM takes for ~240 more K columns at any
 * K; 192 keeps the fold the faster choice with a margin. Past it, the tiled path runs.
 */
export const FOLD_MAX_EXTRA_COLUMNS = 192;

export interface FoldPlan {
  /** s_out / s_in, a power of two >= 1. */
  ratio: number;
  /** hi is stored as factor * hi (fills int8), repeated hiCopies times. */
  factor: number;
  hiCopies: number;
  loCopies: number;
  /** K of the folded product. */
  foldedK: number;
}

/**
 * How the fold would go for this activation, or null where it cannot or should not: inliers
 * with per-row exponents, outliers finer than the inliers ('own' exponent rule), pieces that do
 * not fill int8 evenly (below 8 outlier bits), or more extra columns than the tiled path costs.
 */
export function planFold(x: QuantizedActivation, maxExtra = FOLD_MAX_EXTRA_COLUMNS): FoldPlan | null {
  const o = x.outlier;
  if (!o || x.inlier.exponents.length !== 1) return null;
  const shift = o.exponent - x.inlier.exponents[0];
  if (shift < 0 || o.bits < 8 || o.bits > 13) return null;
  const ratio = 2 ** shift;
  // hi lies in [-2^(bits-7), 2^(bits-7) - 1]; factor * hi then lies in [-128, 127].
  const factor = 2 ** (14 - o.bits);
  const hiCopies = (ratio * INT12_LOW_RADIX) / factor;
  const loCopies = ratio;
  const extra = o.columns.length * (hiCopies + loCopies);
  const foldedK = x.inlier.cols + extra;
  if (extra > maxExtra || foldedK > MAX_EXACT_K) return null;
  return { ratio, factor, hiCopies, loCopies, foldedK };
}

/** [M x foldedK] uint8 with zero point 128: the inlier codes, then each outlier column's pieces. */
export function foldActivation(x: QuantizedActivation, plan: FoldPlan): Uint8Array {
  const { rows: m, cols: k } = x.inlier;
  const o = x.outlier!;
  const c = o.columns.length;
  const kf = plan.foldedK;
  const q = x.inlier.q as Int8Array;
  const out = new Int8Array(m * kf);
  for (let r = 0; r < m; r++) {
    const base = r * kf;
    out.set(q.subarray(r * k, r * k + k), base);
    let p = base + k;
    for (let j = 0; j < c; j++) {
      const hi = plan.factor * o.hi[r * c + j];
      const lo = o.lo[r * c + j];
      for (let t = 0; t < plan.hiCopies; t++) out[p++] = hi;
      for (let t = 0; t < plan.loCopies; t++) out[p++] = lo;
    }
  }
  return flipSignBits(out);
}

/** [N x foldedK] int8: W's codes, then column c of W once per piece of outlier column c. */
export function foldWeight(w: Int8Array, n: number, x: QuantizedActivation, plan: FoldPlan): Int8Array {
  const k = x.inlier.cols;
  const columns = x.outlier!.columns;
  const kf = plan.foldedK;
  const copies = plan.hiCopies + plan.loCopies;
  const out = new Int8Array(n * kf);
  for (let r = 0; r < n; r++) {
    const base = r * kf;
    out.set(w.subarray(r * k, r * k + k), base);
    let p = base + k;
    for (let j = 0; j < columns.length; j++) {
      const v = w[r * k + columns[j]];
      for (let t = 0; t < copies; t++) out[p++] = v;
    }
  }
  return out;
}

/** x + 128 for every int8 code, in place, four bytes at a time: the uint8 zero-point-128 form. */
function flipSignBits(a: Int8Array): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.length);
  const words = a.byteOffset % 4 === 0 ? a.length >>> 2 : 0;
  const w32 = new Uint32Array(a.buffer, a.byteOffset, words);
  for (let i = 0; i < words; i++) w32[i] ^= 0x80808080;
  for (let i = words << 2; i < bytes.length; i++) bytes[i] ^= 0x80;
  return bytes;
}
