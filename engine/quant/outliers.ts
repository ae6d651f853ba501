// Splits an activation matrix into inliers (DFP-8, small exponent) and outliers (DFP-12, their
// own exponent), with the 12-bit codes cut into two int8 pieces so every product stays an int8
// GEMM. See ../shared/notes/method.md, sections 3 and 4.
import { OctetError } from '../errors';
import { checkFinite, checkShape, DfpMatrix, Granularity, quantizeDfp, Rounding } from './dfp';
import type { Rng } from '../nn/ops/rng';

export type ThresholdUnits = 'absolute' | 'std';

/**
 * How the outliers' DFP-12 exponent is chosen [design, method.md section 3 says only "its own"]:
 * 'own' (default, the paper's reading) is the exponent rule on the outliers alone;
 * 'at-least-inlier' raises it to the inliers' exponent when it comes out finer. Outliers are
 * larger than every inlier, so a step as fine as the inliers' already gives them the smaller
 * relative error; and with a step s_out = r * s_in (r a power of two >= 1) their product can
 * join the inlier GEMM's int32 accumulator, which is what lets the onnxruntime backend fold the
 * whole tiled product into one GEMM (kernels/outlier-fold.ts). Under 'own' that holds only for
 * outliers of at least about 64 inlier steps. Measured on the demo model, the per-step error
 * against fp32 is the same under both rules (README, "What the comparison shows").
 */
export type OutlierExponentRule = 'own' | 'at-least-inlier';
export const DEFAULT_OUTLIER_EXPONENT: OutlierExponentRule = 'own';

export interface OutlierOptions {
  /** gamma: |x| > threshold makes an outlier. 5 in the paper. */
  threshold: number;
  /** 'absolute' compares |x| with gamma; 'std' with gamma times the tensor's standard deviation. */
  units?: ThresholdUnits;
  inlierBits?: number;
  outlierBits?: number;
  rounding?: Rounding;
  granularity?: Granularity;
  rng?: Rng;
  /** Default 'own'. */
  outlierExponent?: OutlierExponentRule;
}

export const DEFAULT_THRESHOLD = 5;
/** 12-bit codes split as q = 64*hi + lo with lo in [0, 63] and hi in [-32, 31]. */
export const INT12_LOW_RADIX = 64;

/**
 * The outlier part restricted to the outlier columns C (input features with any outlier): hi and
 * lo are row-major [rows x C], zero where the element is not an outlier.
 */
export interface OutlierPart {
  columns: Int32Array;
  hi: Int8Array;
  lo: Uint8Array;
  exponent: number;
  bits: number;
  /** Number of outlier elements (not columns). */
  count: number;
  maxAbs: number;
}

/** What a linear layer needs from its input: X = inlier + outlier, both quantized. */
export interface QuantizedActivation {
  inlier: DfpMatrix;
  outlier: OutlierPart | null;
  /** The absolute threshold that was applied (gamma, or gamma * std). */
  threshold: number;
  maxAbs: number;
}

export function effectiveThreshold(x: Float32Array, threshold: number, units: ThresholdUnits): number {
  if (!(threshold > 0)) throw new OctetError('invalid-argument', `outlier threshold must be > 0, got ${threshold}`);
  if (units === 'absolute') return threshold;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < x.length; i++) {
    sum += x[i];
    sumSq += x[i] * x[i];
  }
  const n = Math.max(1, x.length);
  const mean = sum / n;
  return threshold * Math.sqrt(Math.max(0, sumSq / n - mean * mean));
}

/** Columns (input features) holding at least one element with |x| > threshold, ascending. */
export function findOutlierColumns(x: Float32Array, rows: number, cols: number, threshold: number): Int32Array {
  const hit = new Uint8Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      if (Math.abs(x[base + c]) > threshold) hit[c] = 1;
    }
  }
  const out: number[] = [];
  for (let c = 0; c < cols; c++) if (hit[c]) out.push(c);
  return Int32Array.from(out);
}

/**
 * q = 64*hi + lo with hi = floor(q / 64) and lo = q - 64*hi in [0, 63]: exact for |q| <= 4095,
 * and both pieces fit int8 (lo also fits uint8 as is, hi + 128 does too).
 */
export function splitInt12(q: Int16Array | Int8Array): { hi: Int8Array; lo: Uint8Array } {
  const hi = new Int8Array(q.length);
  const lo = new Uint8Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const h = Math.floor(q[i] / INT12_LOW_RADIX);
    hi[i] = h;
    lo[i] = q[i] - INT12_LOW_RADIX * h;
  }
  return { hi, lo };
}

export function splitOutliers(x: Float32Array, rows: number, cols: number, opts: OutlierOptions): QuantizedActivation {
  checkShape(x, rows, cols, 'splitOutliers');
  checkFinite(x, cols, 'splitOutliers input');
  const outlierBits = opts.outlierBits ?? 12;
  if (outlierBits > 13 || outlierBits < 2) {
    // 13 bits is the most that hi = floor(q/64) keeps within int8 (|q| <= 4095 -> hi in [-64, 63]).
    throw new OctetError('bits-out-of-range', `outlier bits must be in [2, 13], got ${outlierBits}`);
  }
  const threshold = effectiveThreshold(x, opts.threshold, opts.units ?? 'absolute');
  const columns = findOutlierColumns(x, rows, cols, threshold);
  const common = { rounding: opts.rounding, rng: opts.rng };
  if (columns.length === 0) {
    const inlier = quantizeDfp(x, rows, cols, { bits: opts.inlierBits ?? 8, granularity: opts.granularity, ...common });
    return { inlier, outlier: null, threshold, maxAbs: inlier.maxAbs };
  }
  const inliers = Float32Array.from(x);
  const nc = columns.length;
  const gathered = new Float32Array(rows * nc);
  let count = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < nc; j++) {
      const idx = r * cols + columns[j];
      const v = x[idx];
      if (Math.abs(v) > threshold) {
        gathered[r * nc + j] = v;
        inliers[idx] = 0;
        count++;
      }
    }
  }
  const inlier = quantizeDfp(inliers, rows, cols, { bits: opts.inlierBits ?? 8, granularity: opts.granularity, ...common });
  const outlier = quantizeOutlierPart(gathered, rows, columns, outlierBits, opts.rounding ?? 'nearest', opts.rng, count, outlierExponentFloor(inlier, opts.outlierExponent));
  return { inlier, outlier, threshold, maxAbs: Math.max(inlier.maxAbs, outlier.maxAbs) };
}

function quantizeOutlierPart(
  gathered: Float32Array,
  rows: number,
  columns: Int32Array,
  bits: number,
  rounding: Rounding,
  rng: Rng | undefined,
  count: number,
  minExponent: number | undefined,
): OutlierPart {
  const m = quantizeDfp(gathered, rows, columns.length, { bits, rounding, rng, minExponent });
  return { columns, ...splitInt12(m.q), exponent: m.exponents[0], bits, count, maxAbs: m.maxAbs };
}

/**
 * The least exponent the outliers may take under the rule. Per-row inliers have no single step
 * to share, and all-zero inliers only a nominal one, so those keep the outliers' own exponent.
 */
export function outlierExponentFloor(inlier: DfpMatrix, rule: OutlierExponentRule = DEFAULT_OUTLIER_EXPONENT): number | undefined {
  if (rule === 'own' || inlier.exponents.length !== 1 || inlier.maxAbs === 0) return undefined;
  return inlier.exponents[0];
}

/** Reconstructs the float matrix the quantized activation stands for (tests, error analysis). */
export function dequantizeActivation(a: QuantizedActivation): Float32Array {
  const { inlier, outlier } = a;
  const out = new Float32Array(inlier.rows * inlier.cols);
  const perRow = inlier.exponents.length > 1;
  for (let r = 0; r < inlier.rows; r++) {
    const step = 2 ** inlier.exponents[perRow ? r : 0];
    for (let i = r * inlier.cols, end = i + inlier.cols; i < end; i++) out[i] = inlier.q[i] * step;
  }
  if (outlier) {
    const step = 2 ** outlier.exponent;
    const nc = outlier.columns.length;
    for (let r = 0; r < inlier.rows; r++) {
      for (let j = 0; j < nc; j++) {
        const code = INT12_LOW_RADIX * outlier.hi[r * nc + j] + outlier.lo[r * nc + j];
        out[r * inlier.cols + outlier.columns[j]] += code * step;
      }
    }
  }
  return out;
}
