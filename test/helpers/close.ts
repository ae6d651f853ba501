import assert from 'node:assert/strict';

/**
 * Every element of `actual` within `relative` times the largest |expected| of `expected`: the
 * tolerance the kernel tests state for float results against a float64 (or float32) reference.
 */
export function assertWithinScale(actual: Float32Array, expected: Float32Array | Float64Array, relative: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what} length`);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= relative * scale)) assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}
