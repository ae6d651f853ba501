import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerNormBackward, layerNormForward } from '../../../engine/nn/ops/layernorm';
import { OctetError } from '../../../engine/errors';
import { TestRandom, assertGradClose, assertNonTrivial, maxRelErr, numericGrad, toF64, weightedSum } from './ops-helpers';

const ROWS = 6;
const DIM = 8;
const EPS = 1e-5; // BERT uses 1e-12; a larger eps also exercises its placement inside the sqrt.

/** Naive float64 LayerNorm (biased variance, eps inside the sqrt). */
function layerNormRef(x: Float64Array, gamma: Float64Array, beta: Float64Array, rows: number, dim: number, eps: number): Float64Array {
  const out = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let i = 0; i < dim; i++) m += x[r * dim + i];
    m /= dim;
    let v = 0;
    for (let i = 0; i < dim; i++) v += (x[r * dim + i] - m) ** 2;
    v /= dim;
    for (let i = 0; i < dim; i++) out[r * dim + i] = ((x[r * dim + i] - m) / Math.sqrt(v + eps)) * gamma[i] + beta[i];
  }
  return out;
}

function setup(seed: number) {
  const rnd = new TestRandom(seed);
  const x = rnd.f32(ROWS * DIM, 2);
  // A row with a large offset: the two-pass variance must not cancel.
  for (let i = 0; i < DIM; i++) x[DIM + i] += 100;
  const gamma = rnd.f32(DIM, 0.5).map((g) => g + 1);
  const beta = rnd.f32(DIM, 0.5);
  const w = rnd.f32(ROWS * DIM);
  return { x, gamma, beta, w };
}

test('layerNormForward matches the float64 reference and saves mean/rstd', () => {
  const { x, gamma, beta } = setup(1);
  const out = new Float32Array(ROWS * DIM);
  const mean = new Float32Array(ROWS);
  const rstd = new Float32Array(ROWS);
  layerNormForward(out, mean, rstd, x, gamma, beta, ROWS, DIM, EPS);
  const ref = layerNormRef(toF64(x), toF64(gamma), toF64(beta), ROWS, DIM, EPS);
  // float32 forward vs float64: a few float32 ulps of O(1) values.
  const { err } = maxRelErr(out, ref);
  assert.ok(err < 1e-5, `forward rel error ${err}`);
  for (let r = 0; r < ROWS; r++) {
    let m = 0;
    for (let i = 0; i < DIM; i++) m += x[r * DIM + i];
    m /= DIM;
    let v = 0;
    for (let i = 0; i < DIM; i++) v += (x[r * DIM + i] - m) ** 2;
    v /= DIM;
    assert.ok(Math.abs(mean[r] - m) <= 1e-6 * Math.max(1, Math.abs(m)), `mean[${r}]`);
    assert.ok(Math.abs(rstd[r] - 1 / Math.sqrt(v + EPS)) <= 1e-6 * rstd[r], `rstd[${r}]`);
  }
});

test('layerNormBackward: dx, dgamma, dbeta match float64 central differences (tol 1e-4)', () => {
  const { x, gamma, beta, w } = setup(2);
  const out = new Float32Array(ROWS * DIM);
  const mean = new Float32Array(ROWS);
  const rstd = new Float32Array(ROWS);
  layerNormForward(out, mean, rstd, x, gamma, beta, ROWS, DIM, EPS);
  const dx = new Float32Array(ROWS * DIM);
  const dgamma = new Float32Array(DIM);
  const dbeta = new Float32Array(DIM);
  layerNormBackward(dx, dgamma, dbeta, w, x, mean, rstd, gamma, ROWS, DIM);

  const x64 = toF64(x);
  const g64 = toF64(gamma);
  const b64 = toF64(beta);
  const L = () => weightedSum(w, layerNormRef(x64, g64, b64, ROWS, DIM, EPS));
  const ndx = numericGrad(L, x64);
  const ndg = numericGrad(L, g64);
  const ndb = numericGrad(L, b64);
  assertNonTrivial(ndx, 'dx');
  assertGradClose(dx, ndx, 'dx');
  assertGradClose(dgamma, ndg, 'dgamma');
  assertGradClose(dbeta, ndb, 'dbeta');
});

test('layerNormBackward overwrites dx but accumulates dgamma and dbeta', () => {
  const { x, gamma, beta, w } = setup(3);
  const out = new Float32Array(ROWS * DIM);
  const mean = new Float32Array(ROWS);
  const rstd = new Float32Array(ROWS);
  layerNormForward(out, mean, rstd, x, gamma, beta, ROWS, DIM, EPS);
  const dx1 = new Float32Array(ROWS * DIM);
  const dg = new Float32Array(DIM);
  const db = new Float32Array(DIM);
  layerNormBackward(dx1, dg, db, w, x, mean, rstd, gamma, ROWS, DIM);
  const dg1 = dg.slice();
  const db1 = db.slice();
  const dx2 = new Float32Array(ROWS * DIM).fill(123); // garbage must be overwritten
  layerNormBackward(dx2, dg, db, w, x, mean, rstd, gamma, ROWS, DIM);
  assert.deepEqual(dx2, dx1);
  for (let i = 0; i < DIM; i++) {
    assert.ok(Math.abs(dg[i] - 2 * dg1[i]) <= 1e-6 * Math.abs(dg1[i]) + 1e-7, `dgamma[${i}] accumulates`);
    assert.ok(Math.abs(db[i] - 2 * db1[i]) <= 1e-6 * Math.abs(db1[i]) + 1e-7, `dbeta[${i}] accumulates`);
  }
});

test('layerNormBackward allows dx to alias dout', () => {
  const { x, gamma, beta, w } = setup(4);
  const out = new Float32Array(ROWS * DIM);
  const mean = new Float32Array(ROWS);
  const rstd = new Float32Array(ROWS);
  layerNormForward(out, mean, rstd, x, gamma, beta, ROWS, DIM, EPS);
  const dx = new Float32Array(ROWS * DIM);
  layerNormBackward(dx, new Float32Array(DIM), new Float32Array(DIM), w, x, mean, rstd, gamma, ROWS, DIM);
  const buf = w.slice();
  layerNormBackward(buf, new Float32Array(DIM), new Float32Array(DIM), buf, x, mean, rstd, gamma, ROWS, DIM);
  assert.deepEqual(buf, dx);
});

test('layerNorm rejects short buffers and bad dims with OctetError', () => {
  const { x, gamma, beta } = setup(5);
  const out = new Float32Array(ROWS * DIM);
  assert.throws(
    () => layerNormForward(out, new Float32Array(ROWS - 1), new Float32Array(ROWS), x, gamma, beta, ROWS, DIM, EPS),
    (e: unknown) => e instanceof OctetError && e.code === 'shape-mismatch',
  );
  assert.throws(
    () => layerNormForward(out, new Float32Array(ROWS), new Float32Array(ROWS), x, gamma, beta, ROWS, 0, EPS),
    (e: unknown) => e instanceof OctetError && e.code === 'invalid-argument',
  );
});
