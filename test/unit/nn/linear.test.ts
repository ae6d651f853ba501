import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Linear } from '../../../engine/nn/linear';
import type { PrecisionMode } from '../../../engine/nn/precision';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { ReferenceBackend, referenceMatmul } from '../../../engine/kernels/reference';
import type { GemmBackend } from '../../../engine/kernels/backend';
import { OctetError } from '../../../engine/errors';
import { plantedActivations, TestRandom } from '../../helpers/random';

function layer(backend: GemmBackend, mode: PrecisionMode, k: number, n: number, seed = 1): Linear {
  const l = new Linear('test', k, n, backend, { precision: { mode }, seed });
  const rnd = new TestRandom(seed);
  l.weight.set(rnd.floats(n * k, 1 / Math.sqrt(k)));
  l.bias!.set(rnd.floats(n, 0.1));
  return l;
}

/** 10 log10(sum y^2 / sum (y - yq)^2): the output's signal-to-quantization-noise ratio. */
function sqnrDb(y: ArrayLike<number>, yq: ArrayLike<number>): number {
  let s = 0;
  let e = 0;
  for (let i = 0; i < y.length; i++) {
    s += y[i] * y[i];
    e += (y[i] - yq[i]) ** 2;
  }
  return 10 * Math.log10(s / e);
}

function relError(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    s += b[i] * b[i];
  }
  return Math.sqrt(d / s);
}

describe('integer linear layer', () => {
  let ort: OrtBackend;
  const ref = new ReferenceBackend();
  before(async () => {
    ort = await OrtBackend.create({ threads: 2 });
  });
  after(async () => ort.dispose());

  test('fp32 gradients match central finite differences', async () => {
    // L = sum(Y * G): dL/dX = G W, dL/dW = G^T X, dL/db = column sums of G. Checked numerically
    // in float64 with the reference backend; tolerance 1e-3 relative (float32 outputs, eps 1e-2).
    const [m, k, n] = [5, 7, 4];
    const rnd = new TestRandom(2);
    const l = layer(ref, 'fp32', k, n);
    const x = rnd.floats(m * k);
    const g = rnd.floats(m * n);
    const loss = async (): Promise<number> => {
      const y = await l.forward(x, m);
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i] * g[i];
      return s;
    };
    await loss();
    const dx = await l.backward(g);
    const eps = 1e-2;
    const numeric = async (arr: Float32Array, i: number): Promise<number> => {
      const v = arr[i];
      arr[i] = v + eps;
      const up = await loss();
      arr[i] = v - eps;
      const down = await loss();
      arr[i] = v;
      return (up - down) / (2 * eps);
    };
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs((await numeric(x, i)) - dx[i]) < 1e-3 * (1 + Math.abs(dx[i])), `dX ${i}`);
    for (let i = 0; i < l.weight.length; i++) assert.ok(Math.abs((await numeric(l.weight, i)) - l.gradWeight[i]) < 1e-3 * (1 + Math.abs(l.gradWeight[i])), `dW ${i}`);
    for (let i = 0; i < n; i++) assert.ok(Math.abs((await numeric(l.bias!, i)) - l.gradBias![i]) < 1e-3 * (1 + Math.abs(l.gradBias![i])), `db ${i}`);
  });

  test('on planted outlier columns, int8-outlier output SQNR beats plain int8 by at least 15 dB', async () => {
    // Outliers as BERT has them: two hidden dimensions, large on about 5% of the tokens. (When a
    // column is large on every token its own product dominates the output's energy and the gap
    // shrinks to about 10 dB; the note on the issue records that case.)
    const [m, k, n] = [256, 256, 128];
    const rnd = new TestRandom(3);
    const x = plantedActivations(rnd, m, k, [17, 200], 60, 0.05);
    const exact = (() => {
      const w = layer(ref, 'fp32', k, n).weight;
      const acc = referenceMatmul(x, w, { m, k, n }, 'NT');
      const b = layer(ref, 'fp32', k, n).bias!;
      return acc.map((v, i) => v + b[i % n]);
    })();
    const plain = sqnrDb(exact, await layer(ort, 'int8', k, n).forward(x, m));
    const tiled = sqnrDb(exact, await layer(ort, 'int8-outlier', k, n).forward(x, m));
    assert.ok(tiled - plain >= 15, `int8 ${plain.toFixed(1)} dB, int8-outlier ${tiled.toFixed(1)} dB`);
    assert.ok(tiled >= 30, `int8-outlier alone reaches ${tiled.toFixed(1)} dB`);
  });

  test('int8 and int8-outlier gradients stay within a stated error of fp32', async () => {
    // Stated bounds (relative L2 error against fp32): int8 on ordinary N(0,1) inputs < 5%;
    // with planted outliers, int8-outlier < 5% while untreated int8's dW error is larger.
    const [m, k, n] = [128, 96, 64];
    const rnd = new TestRandom(4);
    const g = rnd.floats(m * n, 0.01);
    const grads = async (mode: PrecisionMode, x: Float32Array): Promise<{ dx: Float32Array; dw: Float32Array }> => {
      const l = layer(ort, mode, k, n);
      await l.forward(x, m);
      const dx = await l.backward(g);
      return { dx, dw: Float32Array.from(l.gradWeight) };
    };
    const gaussian = rnd.floats(m * k);
    const fp = await grads('fp32', gaussian);
    const i8 = await grads('int8', gaussian);
    assert.ok(relError(i8.dx, fp.dx) < 0.05, `int8 dX error ${relError(i8.dx, fp.dx)}`);
    assert.ok(relError(i8.dw, fp.dw) < 0.05, `int8 dW error ${relError(i8.dw, fp.dw)}`);
    const planted = plantedActivations(rnd, m, k, [5, 50], 80);
    const fpP = await grads('fp32', planted);
    const i8P = await grads('int8', planted);
    const toP = await grads('int8-outlier', planted);
    assert.ok(relError(toP.dx, fpP.dx) < 0.05, `int8-outlier dX error ${relError(toP.dx, fpP.dx)}`);
    assert.ok(relError(toP.dw, fpP.dw) < 0.05, `int8-outlier dW error ${relError(toP.dw, fpP.dw)}`);
    assert.ok(relError(i8P.dw, fpP.dw) > relError(toP.dw, fpP.dw), 'the split must help the weight gradient');
  });

  test('gradients accumulate across backward calls until zeroGrad', async () => {
    const rnd = new TestRandom(5);
    const l = layer(ort, 'int8-outlier', 16, 8);
    const x = rnd.floats(4 * 16);
    const g = rnd.floats(4 * 8);
    await l.forward(x, 4);
    await l.backward(g);
    const once = Float32Array.from(l.gradBias!);
    await l.forward(x, 4);
    await l.backward(g);
    for (let i = 0; i < 8; i++) assert.ok(Math.abs(l.gradBias![i] - 2 * once[i]) < 1e-5);
    l.zeroGrad();
    assert.ok(l.gradWeight.every((v) => v === 0));
  });

  test('per-row granularity runs forward and backward', async () => {
    const rnd = new TestRandom(6);
    const [m, k, n] = [32, 48, 24];
    const l = new Linear('rows', k, n, ort, { precision: { mode: 'int8-outlier', granularity: 'row' } });
    l.weight.set(rnd.floats(n * k, 0.1));
    const x = plantedActivations(rnd, m, k, [3], 40);
    const y = await l.forward(x, m);
    const exact = referenceMatmul(x, l.weight, { m, k, n }, 'NT');
    assert.ok(sqnrDb(exact, y) > 30);
    const dx = await l.backward(rnd.floats(m * n));
    assert.equal(dx.length, m * k);
  });

  test('reports what it saw', async () => {
    const rnd = new TestRandom(7);
    const l = layer(ort, 'int8-outlier', 64, 16);
    await l.forward(plantedActivations(rnd, 20, 64, [9, 33], 30), 20);
    assert.deepEqual([...l.lastStats!.outlierColumns], [9, 33]);
    assert.equal(l.lastStats!.outlierCount, 40);
    assert.ok(l.lastStats!.maxAbs > 15);
  });

  test('misuse gives typed errors', async () => {
    const l = layer(ort, 'int8', 4, 3);
    await assert.rejects(l.forward(new Float32Array(7), 2), (e) => e instanceof OctetError && e.code === 'shape-mismatch');
    await assert.rejects(l.backward(new Float32Array(6)), (e) => e instanceof OctetError && e.code === 'invalid-argument');
    const bad = new Float32Array(8);
    bad[3] = NaN;
    await assert.rejects(l.forward(bad, 2), (e) => e instanceof OctetError && e.code === 'non-finite');
  });
});
