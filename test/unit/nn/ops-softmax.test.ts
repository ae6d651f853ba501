import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softmaxBackward, softmaxForward } from '../../../engine/nn/ops/softmax';
import { TestRandom, assertGradClose, assertNonTrivial, maxRelErr, numericGrad, toF64, weightedSum } from './ops-helpers';

const ROWS = 4;
const COLS = 7;

/** Naive float64 softmax (no max shift: fine for the moderate test inputs). */
function softmaxRef(x: Float64Array, rows: number, cols: number): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[r * cols + j]);
    for (let j = 0; j < cols; j++) y[r * cols + j] = Math.exp(x[r * cols + j]) / s;
  }
  return y;
}

test('softmaxForward matches float64 and rows sum to 1', () => {
  const rnd = new TestRandom(21);
  const x = rnd.f32(ROWS * COLS, 3);
  const y = new Float32Array(ROWS * COLS);
  softmaxForward(y, x, ROWS, COLS);
  const { err } = maxRelErr(y, softmaxRef(toF64(x), ROWS, COLS));
  assert.ok(err < 1e-6, `forward error ${err}`);
  for (let r = 0; r < ROWS; r++) {
    let s = 0;
    for (let j = 0; j < COLS; j++) s += y[r * COLS + j];
    assert.ok(Math.abs(s - 1) < 1e-6, `row ${r} sums to ${s}`);
  }
});

test('softmaxForward is stable for huge logits and gives zeros for an all -Infinity row', () => {
  const x = Float32Array.of(1000, 999, -1000, -Infinity, -Infinity, -Infinity);
  const y = new Float32Array(6);
  softmaxForward(y, x, 2, 3);
  const e = Math.exp(-1);
  assert.ok(Math.abs(y[0] - 1 / (1 + e)) < 1e-6);
  assert.ok(Math.abs(y[1] - e / (1 + e)) < 1e-6);
  assert.equal(y[2], 0);
  assert.deepEqual(Array.from(y.subarray(3)), [0, 0, 0]);
  // In place works too.
  softmaxForward(x, x, 2, 3);
  assert.deepEqual(x, y);
});

test('softmaxBackward matches float64 central differences (tol 1e-4)', () => {
  const rnd = new TestRandom(22);
  const x = rnd.f32(ROWS * COLS, 2);
  const w = rnd.f32(ROWS * COLS);
  const y = new Float32Array(ROWS * COLS);
  softmaxForward(y, x, ROWS, COLS);
  const dx = new Float32Array(ROWS * COLS);
  softmaxBackward(dx, w, y, ROWS, COLS);
  const x64 = toF64(x);
  const ndx = numericGrad(() => weightedSum(w, softmaxRef(x64, ROWS, COLS)), x64);
  assertNonTrivial(ndx, 'dx');
  assertGradClose(dx, ndx, 'softmax dx');
  const buf = w.slice();
  softmaxBackward(buf, buf, y, ROWS, COLS);
  assert.deepEqual(buf, dx, 'dx may alias dout');
});
