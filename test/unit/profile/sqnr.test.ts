// The SQNR sampler's claim: each sampled output row is exactly the row the whole tensor's
// quantization gives (the sample keeps the rows that set the scales), so sampling only chooses
// which rows enter the sums. Checked on the reference backend against full-tensor quantization.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceLinearForward, ReferenceBackend } from '../../../engine/kernels/reference';
import { quantizeDfp, type Granularity } from '../../../engine/quant/dfp';
import { splitOutliers, type QuantizedActivation } from '../../../engine/quant/outliers';
import { quantizeWeight, sampleRows, SqnrAccumulator } from '../../../engine/profile/sqnr';
import { scanTensor } from '../../../engine/profile/tensor-scan';
import { TestRandom } from '../../helpers/random';

const backend = new ReferenceBackend();

function sqnr(signal: number, noise: number): number {
  return 10 * Math.log10(signal / noise);
}

/** Expected figures: quantize the whole tensor, multiply, sum over `rows` only. */
function expected(x: Float32Array, rows: number, k: number, w: Float32Array, n: number, threshold: number, granularity: Granularity, summed: readonly number[]): { int8: number; tiled: number } {
  const wq = quantizeWeight(w, n, k, granularity);
  const inlier = quantizeDfp(x, rows, k, { bits: 8, granularity });
  const plain: QuantizedActivation = { inlier, outlier: null, threshold: Infinity, maxAbs: inlier.maxAbs };
  const yPlain = referenceLinearForward({ x: plain, w: wq, bias: null });
  const yTiled = referenceLinearForward({ x: splitOutliers(x, rows, k, { threshold, granularity }), w: wq, bias: null });
  let s = 0;
  let e1 = 0;
  let e2 = 0;
  for (const r of summed) {
    for (let j = 0; j < n; j++) {
      let ref = 0;
      for (let t = 0; t < k; t++) ref += x[r * k + t] * w[j * k + t];
      s += ref * ref;
      e1 += (ref - yPlain[r * n + j]) ** 2;
      e2 += (ref - yTiled[r * n + j]) ** 2;
    }
  }
  return { int8: sqnr(s, e1), tiled: sqnr(s, e2) };
}

for (const granularity of ['tensor', 'row'] as const) {
  test(`sampled SQNR equals full-tensor quantization on the sampled rows (${granularity} scales)`, async () => {
    const rnd = new TestRandom(granularity === 'tensor' ? 11 : 12);
    const rows = 60;
    const k = 32;
    const n = 12;
    const x = rnd.floats(rows * k);
    for (let r = 0; r < rows; r++) x[r * k + 9] = 15 + 10 * rnd.uniform(); // a planted outlier column
    x[37 * k + 20] = 140; // the largest value, in a padding row the sums skip
    x[41 * k + 2] = 4.9; // the largest inlier, also in padding
    const real = Uint8Array.from({ length: rows }, (_, r) => (r === 37 || r === 41 ? 0 : 1));
    const w = rnd.floats(n * k, 0.1);
    const y = new Float32Array(rows * n); // the fp32 product, as the layer returns it
    for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += x[r * k + t] * w[j * k + t];
      y[r * n + j] = s;
    }
    const scan = scanTensor(x, rows, k, { real, tokenIds: null }, 5);
    for (const limit of [0, 10]) {
      const acc = new SqnrAccumulator(quantizeWeight(w, n, k, granularity), null, { granularity, rounding: 'nearest', seed: 1 });
      await acc.add(x, y, { real, tokenIds: null }, scan, 5, limit, backend);
      const got = acc.finish();
      const sample = sampleRows(rows, real, limit, scan);
      const summed = Array.from(sample.rows.subarray(0, sample.counted));
      assert.equal(got.rows, limit === 0 ? 58 : 10);
      assert.ok(!summed.includes(37) && !summed.includes(41), 'padding rows never enter the sums');
      assert.ok(sample.rows.includes(37) && sample.rows.includes(41), 'but they are quantized with the sample');
      const want = expected(x, rows, k, w, n, 5, granularity, summed);
      assert.ok(Math.abs(got.int8! - want.int8) < 1e-3, `int8 ${got.int8} vs ${want.int8} (limit ${limit})`);
      assert.ok(Math.abs(got.int8Outlier! - want.tiled) < 1e-3, `tiled ${got.int8Outlier} vs ${want.tiled} (limit ${limit})`);
      assert.ok(got.gapDb! > 5, `tiling gains on a tensor with a large outlier (${got.gapDb} dB)`);
    }
  });
}

test('without outliers both figures are equal, and a zero input reports no error as null', async () => {
  const rnd = new TestRandom(13);
  const x = rnd.floats(8 * 16);
  const w = rnd.floats(4 * 16);
  const y = new Float32Array(8 * 4);
  for (let r = 0; r < 8; r++) for (let j = 0; j < 4; j++) for (let t = 0; t < 16; t++) y[r * 4 + j] += x[r * 16 + t] * w[j * 16 + t];
  const info = { real: null, tokenIds: null };
  const acc = new SqnrAccumulator(quantizeWeight(w, 4, 16, 'tensor'), null, { granularity: 'tensor', rounding: 'nearest', seed: 1 });
  await acc.add(x, y, info, scanTensor(x, 8, 16, info, 5), 5, 0, backend);
  const f = acc.finish();
  assert.ok(f.int8! > 25, `int8 SQNR of Gaussian data ${f.int8}`);
  assert.equal(f.int8, f.int8Outlier);
  assert.equal(f.gapDb, 0);

  const zeros = new Float32Array(8 * 16);
  const z = new SqnrAccumulator(quantizeWeight(w, 4, 16, 'tensor'), null, { granularity: 'tensor', rounding: 'nearest', seed: 1 });
  await z.add(zeros, new Float32Array(32), info, scanTensor(zeros, 8, 16, info, 5), 5, 0, backend);
  assert.deepEqual(z.finish(), { int8: null, int8Outlier: null, gapDb: null, rows: 8 });
});
