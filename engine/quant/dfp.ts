// Dynamic fixed point (block floating point): one power-of-two step shared by a whole tensor (or
// by each row), each element a b-bit signed integer. See ../shared/notes/method.md, section 2.
import { OctetError } from '../errors';
import type { Rng } from '../nn/ops/rng';

export type Rounding = 'nearest' | 'stochastic';
/**
 * 'tensor': one exponent for the whole matrix. 'row': one per row of the row-major matrix, i.e.
 * per token for activations [M x K] and per output feature for weights [N x K]. Never blocks
 * along K: the contraction must see one scale per row so a single int32 GEMM stays valid.
 */
export type Granularity = 'tensor' | 'row';

export interface DfpOptions {
  bits: number;
  rounding?: Rounding;
  granularity?: Granularity;
  /** Required for stochastic rounding. */
  rng?: Rng;
  /**
   * The step never gets finer than 2^minExponent (the exponent rule's result is raised to it):
   * the error bound becomes half of that step. Lets outlier codes share the inliers' step.
   */
  minExponent?: number;
}

/** A quantized matrix: value[i][j] = q[i*cols + j] * 2^exponent(row i). */
export interface DfpMatrix {
  q: Int8Array | Int16Array;
  rows: number;
  cols: number;
  bits: number;
  /** Length 1 for 'tensor', `rows` for 'row'. */
  exponents: Int32Array;
  /** max |x| of the float input, which set the exponents. */
  maxAbs: number;
}

export const MIN_BITS = 2;
export const MAX_BITS = 16;

export function maxCode(bits: number): number {
  return 2 ** (bits - 1) - 1;
}

/** Exponent given to an all-zero tensor: any value works since every q is 0; 0 keeps scales finite. */
export const ZERO_TENSOR_EXPONENT = 0;

/**
 * The smallest integer e with maxAbs <= qmax * 2^e, so that round(x / 2^e) never leaves the code
 * range and nearest rounding stays within half a step. Computed with exact comparisons against
 * powers of two: Math.log2 alone can be off by one right at a power of two.
 */
export function dfpExponent(maxAbs: number, bits: number): number {
  if (maxAbs === 0) return ZERO_TENSOR_EXPONENT;
  const qmax = maxCode(bits);
  let e = Math.ceil(Math.log2(maxAbs / qmax)) || 0; // || 0 turns -0 into 0
  while (qmax * 2 ** e < maxAbs) e++;
  while (qmax * 2 ** (e - 1) >= maxAbs) e--;
  return e;
}

export function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < MIN_BITS || bits > MAX_BITS) {
    throw new OctetError('bits-out-of-range', `bits must be an integer in [${MIN_BITS}, ${MAX_BITS}], got ${bits}`);
  }
}

export function checkShape(data: ArrayLike<number>, rows: number, cols: number, what: string): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0 || data.length !== rows * cols) {
    throw new OctetError(
      'shape-mismatch',
      `${what}: expected ${rows} x ${cols} = ${rows * cols} elements, got ${data.length}`,
    );
  }
}

/** Throws an OctetError naming the first NaN or infinity, by row and column. */
export function checkFinite(x: Float32Array, cols: number, what: string): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v - v !== 0) {
      const row = cols > 0 ? Math.floor(i / cols) : 0;
      throw new OctetError('non-finite', `${what}: ${v} at row ${row}, column ${i - row * cols}`);
    }
  }
}

/** Round half to even, the rule of onnxruntime's QuantizeLinear, so both paths agree exactly. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/**
 * max |x| over [start, end), throwing on NaN or infinity: one pass does both checks. Written as
 * a plain loop over one typed-array type so V8 keeps it monomorphic (this runs on every tensor).
 */
function scanMaxAbs(x: Float32Array, start: number, end: number, cols: number, what: string): number {
  let m = 0;
  for (let i = start; i < end; i++) {
    const a = Math.abs(x[i]);
    if (a > m) {
      if (a === Infinity) checkFinite(x, cols, what);
      m = a;
    } else if (a !== a) {
      checkFinite(x, cols, what);
    }
  }
  return m;
}

/** 1.5 * 2^23: adding it in float32 arithmetic rounds to an integer, half to even. */
const ROUNDING_MAGIC = 12582912;

/**
 * q[i] = roundHalfEven(x[i] * inv). Math.round costs about 10 ns an element in V8; rounding by
 * a float32 addition of 1.5 * 2^23 costs about 4 and gives the same IEEE half-to-even result,
 * exactly, for |v| < 2^22 (codes are at most 2^15). x[i] * inv is exact in float32 (inv is a
 * power of two), so the first fround changes nothing but the type V8 sees.
 */
function roundNearest(q: Int8Array | Int16Array, x: Float32Array, start: number, end: number, inv: number): void {
  for (let i = start; i < end; i++) q[i] = (Math.fround(Math.fround(x[i] * inv) + ROUNDING_MAGIC) - ROUNDING_MAGIC) | 0;
}

/**
 * q[i] = floor(v + u), u uniform in [0, 1): equal in distribution to floor(v) + Bernoulli(frac(v)),
 * so E[q] = v exactly and gradient estimates stay unbiased. The noise comes in one bulk draw
 * (Rng.fillUniform); v + u is exact in float64 for |v| < 2^20.
 */
function roundStochastic(q: Int8Array | Int16Array, x: Float32Array, start: number, end: number, inv: number, rng: Rng): void {
  const u = new Float32Array(end - start);
  rng.fillUniform(u);
  for (let i = start; i < end; i++) q[i] = Math.floor(x[i] * inv + u[i - start]) | 0;
}

export function quantizeDfp(x: Float32Array, rows: number, cols: number, opts: DfpOptions): DfpMatrix {
  checkBits(opts.bits);
  checkShape(x, rows, cols, 'quantizeDfp');
  const rounding = opts.rounding ?? 'nearest';
  if (rounding === 'stochastic' && !opts.rng) {
    throw new OctetError('invalid-argument', 'stochastic rounding needs a seeded rng');
  }
  const perRow = (opts.granularity ?? 'tensor') === 'row';
  const q = opts.bits <= 8 ? new Int8Array(x.length) : new Int16Array(x.length);
  const exponents = new Int32Array(perRow ? rows : 1);
  const what = 'quantizeDfp input';
  let maxAbs = perRow ? 0 : scanMaxAbs(x, 0, x.length, cols, what);
  const floor = opts.minExponent ?? -Infinity;
  if (!perRow) exponents[0] = Math.max(floor, dfpExponent(maxAbs, opts.bits));
  // Per tensor, one pass over everything; per row, one pass per row with its own step.
  const spans = perRow ? rows : 1;
  const spanLen = perRow ? cols : x.length;
  for (let r = 0; r < spans; r++) {
    const start = r * spanLen;
    const end = start + spanLen;
    if (perRow) {
      const rowMax = scanMaxAbs(x, start, end, cols, what);
      maxAbs = Math.max(maxAbs, rowMax);
      exponents[r] = Math.max(floor, dfpExponent(rowMax, opts.bits));
    }
    const inv = 2 ** -exponents[r];
    if (rounding === 'nearest') roundNearest(q, x, start, end, inv);
    else roundStochastic(q, x, start, end, inv, opts.rng!);
  }
  return { q, rows, cols, bits: opts.bits, exponents, maxAbs };
}

/** Step (2^exponent) of the given row. */
export function rowStep(m: DfpMatrix, row: number): number {
  return 2 ** m.exponents[m.exponents.length === 1 ? 0 : row];
}

export function dequantizeDfp(m: DfpMatrix): Float32Array {
  const out = new Float32Array(m.q.length);
  for (let r = 0; r < m.rows; r++) {
    const step = rowStep(m, r);
    for (let i = r * m.cols, end = i + m.cols; i < end; i++) out[i] = m.q[i] * step;
  }
  return out;
}

/** True when one exponent serves the whole matrix. */
export function isPerTensor(m: DfpMatrix): boolean {
  return m.exponents.length === 1;
}
