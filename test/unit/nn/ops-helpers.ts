// Shared helpers for the ops tests: deterministic test data, central finite differences in
// float64, and the error measure every gradient check uses.
//
// Gradient-check protocol (all ops tests): inputs are float32 values (so the float32 op and the
// float64 reference see exactly the same point); the objective is L = sum_i w_i * f(x)_i with
// fixed random weights w, so the analytic gradient is the op's backward with dout = w, and the
// numeric gradient is the central difference (L(x + eps e_k) - L(x - eps e_k)) / (2 eps) of a
// separate, naive float64 reference forward. With eps = 1e-3 the truncation error is about
// eps^2 / 6 * |L'''| ~ 1e-7 and the float64 rounding error about 1e-16 / eps = 1e-13, so the
// remaining difference is the float32 rounding of the analytic backward (~1e-6 relative).
// The test bound is max_k |analytic_k - numeric_k| / max(1, |numeric_k|) < GRAD_TOL = 1e-4:
// ten times tighter than the brief's example (1e-3) and still ~100x above the expected error.

import assert from 'node:assert/strict';

export const FD_EPS = 1e-3;
export const GRAD_TOL = 1e-4;

/** Small independent PRNG for test data (mulberry32), so tests do not depend on ops/rng.ts. */
export class TestRandom {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  uniform(): number {
    this.a = (this.a + 0x6d2b79f5) | 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
  /** n standard-normal values times `scale`, rounded to float32. */
  f32(n: number, scale = 1): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = this.normal() * scale;
    return a;
  }
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

export function toF64(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a);
}

/** sum_i w[i] * y[i] in float64. */
export function weightedSum(w: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * y[i];
  return s;
}

/**
 * Central-difference gradient of f at x (float64), perturbing each entry of `x` in place and
 * restoring it. `f` must read x afresh on every call.
 */
export function numericGrad(f: () => number, x: Float64Array, eps = FD_EPS): Float64Array {
  const g = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const orig = x[k];
    x[k] = orig + eps;
    const fp = f();
    x[k] = orig - eps;
    const fm = f();
    x[k] = orig;
    g[k] = (fp - fm) / (2 * eps);
  }
  return g;
}

/** max_k |a_k - b_k| / max(1, |b_k|). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): { err: number; at: number } {
  assert.equal(a.length, b.length, 'compared arrays differ in length');
  let err = 0;
  let at = -1;
  for (let k = 0; k < a.length; k++) {
    const e = Math.abs(a[k] - b[k]) / Math.max(1, Math.abs(b[k]));
    // NaN never compares greater, so catch it explicitly.
    if (!(e <= err)) {
      err = Number.isNaN(e) ? Infinity : e;
      at = k;
    }
  }
  return { err, at };
}

/** Asserts maxRelErr(analytic, numeric) < tol, naming the worst entry on failure. */
export function assertGradClose(
  analytic: ArrayLike<number>,
  numeric: ArrayLike<number>,
  label: string,
  tol = GRAD_TOL,
): void {
  const { err, at } = maxRelErr(analytic, numeric);
  assert.ok(
    err < tol,
    `${label}: max rel error ${err.toExponential(3)} >= ${tol} at index ${at} (analytic ${analytic[at]}, numeric ${numeric[at]})`,
  );
}

/** A gradient check is only meaningful if the gradient is not (nearly) all zero. */
export function assertNonTrivial(g: ArrayLike<number>, label: string): void {
  let max = 0;
  for (let i = 0; i < g.length; i++) max = Math.max(max, Math.abs(g[i]));
  assert.ok(max > 1e-3, `${label}: gradient is ~0 everywhere (max ${max}); the check would prove nothing`);
}
