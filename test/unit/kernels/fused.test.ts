// The fused graphs quantize inside onnxruntime: every integer they produce must equal
// engine/quant's plain functions exactly, and their float outputs must match the reference
// backend's computation from those integers (tolerances as in backends.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { referenceGradInput, referenceGradWeight, referenceLinearForward } from '../../../engine/kernels/reference';
import { quantizeDfp } from '../../../engine/quant/dfp';
import { splitOutliers, type QuantizedActivation } from '../../../engine/quant/outliers';
import { geluGrad } from '../../../engine/nn/ops/gelu';
import { plantedActivations, TestRandom } from '../../helpers/random';

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= 1e-5 * scale + 1e-30)) assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Drops the zero padding column the fused graphs keep on hi and lo. */
function unpad(a: Int8Array, rows: number, c: number): Int8Array {
  const out = new Int8Array(rows * c);
  for (let r = 0; r < rows; r++) out.set(a.subarray(r * (c + 1), r * (c + 1) + c), r * c);
  for (let r = 0; r < rows; r++) assert.equal(a[r * (c + 1) + c], 0, 'padding column is zero');
  return out;
}

describe('fused quantize-GEMM graphs', () => {
  let ort: OrtBackend;
  before(async () => {
    ort = await OrtBackend.create({ threads: 2 });
  });
  after(async () => ort.dispose());

  const cases: [string, number, number, number, number[], number][] = [
    ['planted outliers', 64, 96, 48, [3, 50, 95], 0.1],
    ['outliers on every row', 33, 40, 17, [0], 1],
    ['no outliers', 20, 30, 10, [], 0],
  ];
  for (const [name, m, k, n, cols, rowFraction] of cases) {
    test(`${name}: forward integers equal splitOutliers/quantizeDfp, outputs match the reference`, async () => {
      const rnd = new TestRandom(m + k);
      const x = plantedActivations(rnd, m, k, cols, 80, rowFraction).map((v) => (cols.length ? v : Math.max(-4.9, Math.min(4.9, v))));
      const w = rnd.floats(n * k, 0.1);
      const bias = rnd.floats(n);
      const r = await ort.fusedLinearForward(x, m, w, n, bias, { outliers: true, threshold: 5, stdUnits: false });
      const js = splitOutliers(x, m, k, { threshold: 5 });
      const wq = quantizeDfp(w, n, k, { bits: 8 });
      assert.deepEqual(r.saved.wq, wq.q);
      assert.equal(r.saved.wScale, 2 ** wq.exponents[0]);
      assert.deepEqual(r.saved.xq, js.inlier.q);
      assert.equal(r.saved.xScale, 2 ** js.inlier.exponents[0]);
      assert.equal(r.maxAbs, js.maxAbs);
      const o = r.saved.outlier!;
      assert.deepEqual([...o.columns], js.outlier ? [...js.outlier.columns] : []);
      if (js.outlier) {
        const c = o.columns.length;
        assert.deepEqual(unpad(o.hi, m, c), js.outlier.hi);
        assert.deepEqual(new Uint8Array(unpad(o.lo, m, c).buffer), js.outlier.lo);
        assert.equal(o.scale, 2 ** js.outlier.exponent);
        assert.equal(o.count, js.outlier.count);
      }
      assertClose(r.y, referenceLinearForward({ x: js, w: wq, bias }), 'y');

      // Backward with nearest rounding: dY's codes equal quantizeDfp's; dX and dW match the reference.
      const dy = rnd.floats(m * n, 0.01);
      const b = await ort.fusedLinearBackward(dy, r.saved, null, { withCodes: true });
      const dyq = quantizeDfp(dy, m, n, { bits: 8 });
      assert.deepEqual(b.dyq, dyq.q);
      assert.equal(b.dyScale, 2 ** dyq.exponents[0]);
      assertClose(b.dx, referenceGradInput(dyq, wq), 'dx');
      assertClose(b.dw, referenceGradWeight(dyq, js as QuantizedActivation), 'dw');
      const db = new Float32Array(n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) db[j] += dy[i * n + j];
      assertClose(b.db, db, 'db');
    });
  }

  test('plain int8 forward (no split) equals quantizeDfp', async () => {
    const rnd = new TestRandom(8);
    const [m, k, n] = [24, 50, 12];
    const x = plantedActivations(rnd, m, k, [7], 30, 0.2);
    const w = rnd.floats(n * k, 0.1);
    const r = await ort.fusedLinearForward(x, m, w, n, null, { outliers: false, threshold: 5, stdUnits: false });
    const xq = quantizeDfp(x, m, k, { bits: 8 });
    assert.deepEqual(r.saved.xq, xq.q);
    assert.equal(r.saved.outlier, null);
    assertClose(r.y, referenceLinearForward({ x: { inlier: xq, outlier: null, threshold: Infinity, maxAbs: xq.maxAbs }, w: quantizeDfp(w, n, k, { bits: 8 }), bias: null }), 'y');
  });

  for (const rule of ['own', 'at-least-inlier'] as const) {
    test(`outlier exponent rule ${rule}: the graph's outlier codes and scale equal splitOutliers'`, async () => {
      const rnd = new TestRandom(rule.length);
      const [m, k, n] = [30, 20, 6];
      // Outliers just above gamma: their own step would be finer than the inliers'.
      const x = plantedActivations(rnd, m, k, [5, 11], 6, 0.5).map((v) => (Math.abs(v) > 5 ? v : Math.max(-4.5, Math.min(4.5, v))));
      const r = await ort.fusedLinearForward(x, m, rnd.floats(n * k), n, null, { outliers: true, threshold: 5, stdUnits: false, outlierExponent: rule });
      const js = splitOutliers(x, m, k, { threshold: 5, outlierExponent: rule });
      const o = r.saved.outlier!;
      assert.equal(o.scale, 2 ** js.outlier!.exponent);
      assert.deepEqual(unpad(o.hi, m, o.columns.length), js.outlier!.hi);
      assert.deepEqual(new Uint8Array(unpad(o.lo, m, o.columns.length).buffer), js.outlier!.lo);
      assert.equal(rule === 'own' ? o.scale < r.saved.xScale : o.scale === r.saved.xScale, true, `${o.scale} vs ${r.saved.xScale}`);
    });
  }

  test('threshold in standard deviations matches splitOutliers', async () => {
    const rnd = new TestRandom(9);
    const [m, k, n] = [40, 64, 8];
    const x = plantedActivations(rnd, m, k, [2, 60], 40, 0.1);
    const r = await ort.fusedLinearForward(x, m, rnd.floats(n * k), n, null, { outliers: true, threshold: 3, stdUnits: true });
    const js = splitOutliers(x, m, k, { threshold: 3, units: 'std' });
    assert.ok(Math.abs(r.threshold - js.threshold) <= 1e-5 * js.threshold, `${r.threshold} vs ${js.threshold}`);
    assert.deepEqual([...r.saved.outlier!.columns], [...js.outlier!.columns]);
  });

  for (const outliers of [false, true]) {
    test(`backward through GELU (${outliers ? 'with' : 'without'} outliers): dX times gelu'(pre) within 2e-7 of the float64 derivative, the rest unchanged`, async () => {
      const rnd = new TestRandom(outliers ? 12 : 11);
      const [m, k, n] = [48, 40, 24];
      // pre-activations over GELU's whole curve, past the +-8.5 of gelu.ts's table, and exact 0.
      const pre = Float32Array.from({ length: m * k }, (_, i) => (i % 97 === 0 ? 0 : (rnd.uniform() - 0.5) * 24));
      const x = outliers ? plantedActivations(rnd, m, k, [4, 30], 20, 0.2) : rnd.floats(m * k);
      const w = rnd.floats(n * k, 0.1);
      const opts = { outliers, threshold: 5, stdUnits: false };
      const dy = rnd.floats(m * n, 0.01);
      const plain = await ort.fusedLinearBackward(dy, (await ort.fusedLinearForward(x, m, w, n, null, opts)).saved, null);
      const through = await ort.fusedLinearBackward(dy, (await ort.fusedLinearForward(x, m, w, n, null, opts)).saved, null, { geluInput: pre });
      assert.deepEqual(through.dw, plain.dw);
      assert.deepEqual(through.db, plain.db);
      let scale = 0;
      for (const v of plain.dx) scale = Math.max(scale, Math.abs(v));
      for (let i = 0; i < pre.length; i++) {
        const want = plain.dx[i] * geluGrad(pre[i]);
        // float32 Erf and Exp: the derivative is good to ~1.2e-7 absolute (at most ~1.13).
        if (!(Math.abs(through.dx[i] - want) <= 2e-7 * scale)) assert.fail(`dx[${i}] at pre = ${pre[i]}: ${through.dx[i]} vs ${want}`);
      }
      await assert.rejects(ort.fusedLinearBackward(dy, (await ort.fusedLinearForward(x, m, w, n, null, opts)).saved, null, { geluInput: pre.subarray(1) }), /GELU input has/);
    });
  }

  test("backward through GELU of two layers sharing x, plus an addend: (dX0 + dX1 + add) gelu'(pre) within 2e-7", async () => {
    const rnd = new TestRandom(13);
    const [m, k] = [40, 32];
    const outs = [24, 16];
    const pre = Float32Array.from({ length: m * k }, (_, i) => (i % 89 === 0 ? 0 : (rnd.uniform() - 0.5) * 20));
    const x = rnd.floats(m * k);
    const opts = { outliers: true, threshold: 5, stdUnits: false };
    const layers = outs.map((n) => ({ w: rnd.floats(n * k, 0.1), outFeatures: n, bias: null }));
    const dys = outs.map((n) => rnd.floats(m * n, 0.01));
    const add = rnd.floats(m * k, 0.01);
    const saved = (await ort.fusedSharedInputForward(x, m, layers, opts)).map((r) => r.saved);
    const plain = await ort.fusedSharedInputBackward(dys, saved, [null, null], { dxAdd: add });
    const through = await ort.fusedSharedInputBackward(dys, saved, [null, null], { dxAdd: add, geluInput: pre });
    let scale = 0;
    for (const v of plain.dx) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < pre.length; i++) {
      const want = plain.dx[i] * geluGrad(pre[i]);
      if (!(Math.abs(through.dx[i] - want) <= 2e-7 * scale)) assert.fail(`dx[${i}] at pre = ${pre[i]}: ${through.dx[i]} vs ${want}`);
    }
    through.layers.forEach((l, i) => assert.deepEqual(l.dw, plain.layers[i].dw));
  });

  test('stochastic rounding of dY stays within one code of dY/step and is unbiased', async () => {
    const rnd = new TestRandom(10);
    const [m, k, n] = [200, 16, 100];
    const r = await ort.fusedLinearForward(rnd.floats(m * k), m, rnd.floats(n * k), n, null, { outliers: false, threshold: 5, stdUnits: false });
    const dy = rnd.floats(m * n, 0.3);
    const noise = Float32Array.from({ length: m * n }, () => rnd.uniform() - 0.5);
    const b = await ort.fusedLinearBackward(dy, r.saved, noise, { withCodes: true });
    let bias = 0;
    for (let i = 0; i < dy.length; i++) {
      const v = dy[i] / b.dyScale;
      const q = b.dyq![i];
      assert.ok(q === Math.floor(v) || q === Math.floor(v) + 1, `code ${q} for ${v}`);
      bias += q - v;
    }
    // Mean rounding error over 20k codes: standard deviation <= 0.5/sqrt(20000) = 0.0035.
    assert.ok(Math.abs(bias / dy.length) < 6 * 0.0035, `mean rounding error ${bias / dy.length}`);
  });
});
