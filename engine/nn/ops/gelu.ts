// Exact GELU, BERT's hidden_act = "gelu": gelu(x) = x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2))),
// not the tanh approximation ("gelu_new"), because fine-tuning a checkpoint with a different
// activation than it was pre-trained with shifts every FFN output.
//
// JS has no Math.erf, and Math.exp alone costs about as much as a whole polynomial, so both
// functions the layer needs are evaluated from piecewise-polynomial tables built at module load:
//   erf(x)     on [-6, 6)      (|x| >= 6: erf = +-1; erfc(6) = 2e-17, below float64 resolution)
//   gelu'(x) = Phi(x) + x phi(x) on [-8.5, 8.5)   (outside: 0 or 1, off by < 1e-15)
// Each range is cut into segments of width 0.25 holding the degree-9 Chebyshev interpolant of the
// function (converted to monomial form in the local variable u in [-1, 1]). The node values come
// from the everywhere-positive series
//   erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)),
// which has no cancellation, so they are good to about 1e-16. Measured max |error| is about
// 5e-15 for erf over [-7, 7] (float64 level; the brief asks < 1e-7), likewise for gelu'.
// Why tables: one Horner evaluation of 10 terms, no division, no exp, and the segments span
// both signs so there is no data-dependent sign branch (random-sign activations made that
// branch mispredict half the time). The coefficients are derived here, not copied, so their
// provenance is this file.

import { OctetError } from '../../errors';
import { requireLen } from './check';

const SEG_WIDTH = 0.25;
const INV_SEG_WIDTH = 1 / SEG_WIDTH;
const DEGREE = 9;
const TERMS = DEGREE + 1;
const ERF_LO = -6;
const ERF_SEGMENTS = 48; // [-6, 6)
const GRAD_LO = -8.5;
const GRAD_SEGMENTS = 68; // [-8.5, 8.5)
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** High-precision (about 1e-16 relative) but slow erf: used only to build the tables. */
function erfSeries(x: number): number {
  const ax = x < 0 ? -x : x;
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 0; n < 2000; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  const r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}

/**
 * `segments` blocks of TERMS monomial coefficients (lowest degree first) in u in [-1, 1], for f on
 * [lo, lo + segments * SEG_WIDTH).
 */
function buildTable(f: (x: number) => number, lo: number, segments: number): Float64Array {
  const n = TERMS;
  const table = new Float64Array(segments * n);
  const fv = new Float64Array(n);
  const cheb = new Float64Array(n);
  // Monomial coefficients of T_0..T_{n-1}, built by T_{m+1} = 2u T_m - T_{m-1}.
  const T: Float64Array[] = [];
  for (let m = 0; m < n; m++) {
    const t = new Float64Array(n);
    if (m === 0) t[0] = 1;
    else if (m === 1) t[1] = 1;
    else {
      for (let i = 0; i < n; i++) t[i] = (i > 0 ? 2 * T[m - 1][i - 1] : 0) - T[m - 2][i];
    }
    T.push(t);
  }
  for (let k = 0; k < segments; k++) {
    const centre = lo + (k + 0.5) * SEG_WIDTH;
    // Interpolate at the Chebyshev nodes of the first kind: near-minimax, no Runge wiggles.
    for (let j = 0; j < n; j++) fv[j] = f(centre + 0.5 * SEG_WIDTH * Math.cos((Math.PI * (j + 0.5)) / n));
    for (let m = 0; m < n; m++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += fv[j] * Math.cos((Math.PI * m * (j + 0.5)) / n);
      cheb[m] = ((m === 0 ? 1 : 2) / n) * s;
    }
    for (let m = 0; m < n; m++) {
      for (let i = 0; i < n; i++) table[k * n + i] += cheb[m] * T[m][i];
    }
  }
  return table;
}

const ERF_TABLE: Float64Array = buildTable(erfSeries, ERF_LO, ERF_SEGMENTS);
const GRAD_TABLE: Float64Array = buildTable(
  (x) => 0.5 * (1 + erfSeries(x * Math.SQRT1_2)) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI,
  GRAD_LO,
  GRAD_SEGMENTS,
);

/** Degree-9 Horner at u over c[o .. o+9], unrolled (small enough for V8 to inline). */
function horner(c: Float64Array, o: number, u: number): number {
  return (
    c[o] +
    u *
      (c[o + 1] +
        u *
          (c[o + 2] +
            u *
              (c[o + 3] +
                u * (c[o + 4] + u * (c[o + 5] + u * (c[o + 6] + u * (c[o + 7] + u * (c[o + 8] + u * c[o + 9]))))))))
  );
}

/** erf(x) to about 5e-15 absolute, any finite x; erf(+-Infinity) = +-1; NaN in, NaN out. */
export function erf(x: number): number {
  const t = (x - ERF_LO) * INV_SEG_WIDTH;
  if (!(t >= 0 && t < ERF_SEGMENTS)) return x !== x ? NaN : x > 0 ? 1 : -1;
  const k = t | 0; // 0 <= t < 48, so truncation is floor
  return horner(ERF_TABLE, k * TERMS, 2 * (t - k) - 1);
}

/** d/dx gelu(x) = Phi(x) + x phi(x), to about 5e-15 absolute; NaN in, NaN out. */
export function geluGrad(x: number): number {
  const t = (x - GRAD_LO) * INV_SEG_WIDTH;
  if (!(t >= 0 && t < GRAD_SEGMENTS)) return x !== x ? NaN : x > 0 ? 1 : 0;
  const k = t | 0;
  return horner(GRAD_TABLE, k * TERMS, 2 * (t - k) - 1);
}

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new OctetError('invalid-argument', `gelu: n must be a non-negative integer, got ${n}`);
  }
}

// The training path evaluates GELU and its derivative on millions of elements per step. A dense
// table with linear interpolation (2^12 points per unit on [-10, 10], built once from the
// accurate erf above) costs a few ns an element instead of ~13 for the polynomial, with an
// interpolation error below h^2/8 * max|f''| ~ 6e-9: under float32's resolution of the result.
// Outside the table GELU is x or 0 (and its derivative 1 or 0) to float32 precision.
const LUT_RANGE = 10;
const LUT_PER_UNIT = 4096;
const LUT_SIZE = 2 * LUT_RANGE * LUT_PER_UNIT + 2;

function buildLut(f: (x: number) => number): Float64Array {
  const t = new Float64Array(LUT_SIZE);
  for (let i = 0; i < LUT_SIZE; i++) t[i] = f(i / LUT_PER_UNIT - LUT_RANGE);
  return t;
}

const GELU_LUT = buildLut((x) => 0.5 * x * (1 + erf(x * Math.SQRT1_2)));
const GELU_GRAD_LUT = buildLut(geluGrad);

/** out[i] = 0.5 * x * (1 + erf(x / sqrt 2)). `out` may alias `x` only if backward is not needed. */
export function geluForward(out: Float32Array, x: Float32Array, n: number): void {
  checkN(n);
  requireLen('gelu', 'out', out, n);
  requireLen('gelu', 'x', x, n);
  const top = 2 * LUT_RANGE * LUT_PER_UNIT;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const t = (v + LUT_RANGE) * LUT_PER_UNIT;
    if (t >= 0 && t < top) {
      const k = t | 0;
      const a = GELU_LUT[k];
      out[i] = a + (t - k) * (GELU_LUT[k + 1] - a);
    } else {
      out[i] = v !== v ? NaN : v > 0 ? v : 0;
    }
  }
}

/**
 * dx[i] = dout[i] * (Phi(x) + x * phi(x)), Phi the normal CDF, phi = exp(-x^2/2)/sqrt(2 pi).
 * Recomputed from the saved input x (one table evaluation per element) rather than saving
 * anything from forward. `dx` may alias `dout`.
 */
export function geluBackward(dx: Float32Array, dout: Float32Array, x: Float32Array, n: number): void {
  checkN(n);
  requireLen('gelu', 'dx', dx, n);
  requireLen('gelu', 'dout', dout, n);
  requireLen('gelu', 'x', x, n);
  const top = 2 * LUT_RANGE * LUT_PER_UNIT;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const t = (v + LUT_RANGE) * LUT_PER_UNIT;
    let g: number;
    if (t >= 0 && t < top) {
      const k = t | 0;
      const a = GELU_GRAD_LUT[k];
      g = a + (t - k) * (GELU_GRAD_LUT[k + 1] - a);
    } else {
      g = v !== v ? NaN : v > 0 ? 1 : 0;
    }
    dx[i] = dout[i] * g;
  }
}
