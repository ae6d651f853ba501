// Folds the tiled outlier product into the inlier GEMM, so the whole int8-outlier forward is one
// int8 GEMM with one float output (method.md section 4 computes it as three GEMMs whose float
// outputs are added: that costs two more passes over [M x N] each way, which at BERT-base shapes
// is ~30% of the plain GEMM whatever the number of outlier columns).
//
// When the outliers' step is s_out = r * s_in with r a power of two >= 1 (outliers of at least
// about 64 inlier steps have it; the 'at-least-inlier' exponent rule makes it so always), every outlier code q = 64 hi + lo adds r * q inlier steps to
// its row's product with column c of W. That is a sum of int8 values times W[:, c]:
//   r * 64 * hi = (f * hi) repeated r * 64 / f times, f * hi filling int8 (f = 4 for 12 bits),
//   r * lo      = lo repeated r times.
// So X gets those pieces as extra K columns, and W gets its column c repeated to match:
//   Y = s_in s_w ([Q_in | pieces] [Q_W | W_C repeated]^T) + b,
// exact in the int32 accumulator, scaled once. The tiled product's float value is the same.
// The repeating and concatenating happen inside the graph (ort-graphs.ts foldedForwardGraph):
// native copies, where a JS loop over [M x K'] would cost more than the GEMM saves.
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

/**
 * The pieces as the folded graph takes them, uint8 with zero point 128, [M x C] each: factor * hi
 * and lo. The graph repeats them (Tile) next to the inlier codes and W's columns to match.
 */
export function foldPieces(x: QuantizedActivation, plan: FoldPlan): { hi: Uint8Array; lo: Uint8Array } {
  const o = x.outlier!;
  const hi = new Uint8Array(o.hi.length);
  const lo = new Uint8Array(o.lo.length);
  for (let i = 0; i < hi.length; i++) {
    hi[i] = plan.factor * o.hi[i] + 128;
    lo[i] = o.lo[i] + 128;
  }
  return { hi, lo };
}
