// The folded int8-outlier forward (outlier-fold.ts): the folded graph's single int32
// accumulator must equal the plain reference's tiled parts exactly (inlier + r * outlier), its
// float output must match the float64 value of those integers, and the dispatch must fall back
// to the tiled graph wherever the fold cannot be exact or would cost more.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ForwardPath, OrtBackend } from '../../../engine/kernels/ort-backend';
import { ReferenceBackend } from '../../../engine/kernels/reference';
import { FOLD_MAX_EXTRA_COLUMNS, planFold } from '../../../engine/kernels/outlier-fold';
import { quantizeDfp } from '../../../engine/quant/dfp';
import { splitOutliers, type OutlierExponentRule, type OutlierOptions } from '../../../engine/quant/outliers';
import { plantedActivations, TestRandom } from '../../helpers/random';

describe('folded outlier forward', () => {
  const reference = new ReferenceBackend();
  let folding: OrtBackend;
  let foldingU8u8: OrtBackend;
  let tiling: OrtBackend;
  before(async () => {
    folding = await OrtBackend.create({ threads: 2 });
    foldingU8u8 = await OrtBackend.create({ threads: 2, intPath: 'u8u8' });
    tiling = await OrtBackend.create({ threads: 2, outlierFold: 'never' });
  });
  after(async () => {
    await folding.dispose();
    await foldingU8u8.dispose();
    await tiling.dispose();
  });

  // [m, k, n, outlier columns, magnitude, outlier bits, exponent rule]: under 'at-least-inlier',
  // magnitudes from just above gamma (the outliers' own step finer than the inliers', raised to
  // it: r = 1) to r = 2 and r = 4; under 'own' (the default), outliers large enough for r >= 1.
  const cases: [number, number, number, number[], number, number, OutlierExponentRule][] = [
    [7, 9, 5, [0], 12, 12, 'at-least-inlier'],
    [33, 64, 17, [3, 40, 63], 30, 12, 'at-least-inlier'],
    [128, 768, 96, [308, 381], 120, 12, 'at-least-inlier'],
    [40, 100, 30, [7], 300, 12, 'at-least-inlier'],
    [16, 4096, 8, [0, 4095], 200, 12, 'at-least-inlier'],
    [20, 50, 12, [1, 2], 60, 8, 'at-least-inlier'],
    [20, 50, 12, [1, 2], 30, 13, 'at-least-inlier'],
    [64, 96, 24, [5], 30, 12, 'own'],
    [31, 257, 63, [0, 256], 40, 12, 'own'],
  ];
  for (const [m, k, n, cols, magnitude, outlierBits, outlierExponent] of cases) {
    test(`${m}x${k}x${n}, C=${cols.length}, outliers ~${magnitude}, ${outlierBits} bits, ${outlierExponent}: one accumulator equals the tiled parts`, async () => {
      const rnd = new TestRandom(m * 7 + k + magnitude);
      const x = splitOutliers(plantedActivations(rnd, m, k, cols, magnitude), m, k, { threshold: 5, outlierBits, outlierExponent });
      const w = quantizeDfp(rnd.floats(n * k, 0.05), n, k, { bits: 8 });
      const bias = rnd.floats(n);
      const input = { x, w, bias };
      const plan = planFold(x);
      assert.ok(plan, 'the fold applies');
      assert.equal(plan.ratio, 2 ** (x.outlier!.exponent - x.inlier.exponents[0]));
      assert.equal(folding.forwardPath(input), 'folded');
      assert.equal(tiling.forwardPath(input), 'tiled');

      // Integers: the folded graph's accumulator against the plain reference's parts, bit-exact.
      const parts = await reference.linearForwardParts(input);
      const expectedAcc = parts.inlier.map((v, i) => v + plan.ratio * parts.outlier![i]);
      for (const be of [folding, foldingU8u8]) assert.deepEqual(await be.linearForwardFoldedAccumulator(input), expectedAcc, be.name);
      assert.equal(await tiling.linearForwardFoldedAccumulator(input), null);

      // Floats: both onnxruntime paths against the float64 value of the exact integers.
      const sx = 2 ** x.inlier.exponents[0];
      const sw = 2 ** w.exponents[0];
      for (const be of [folding, foldingU8u8, tiling]) {
        const y = await be.linearForward(input);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            const exact = sx * sw * expectedAcc[i * n + j] + bias[j];
            const magnitudeSum: number = sx * sw * (Math.abs(parts.inlier[i * n + j]) + plan.ratio * Math.abs(parts.outlier![i * n + j])) + Math.abs(bias[j]);
            const tol: number = 1e-6 * magnitudeSum;
            if (!(Math.abs(y[i * n + j] - exact) <= tol)) assert.fail(`${be.forwardPath(input)} [${i},${j}]: ${y[i * n + j]} vs ${exact} (tolerance ${tol})`);
          }
        }
      }
    });
  }

  test('the tiled graph runs where the fold cannot be exact or would cost more', () => {
    const rnd = new TestRandom(5);
    const m = 24;
    const k = 64;
    const n = 8;
    const w = quantizeDfp(rnd.floats(n * k, 0.05), n, k, { bits: 8 });
    const path = (cols: number[], magnitude: number, opts: Partial<OutlierOptions> = {}): ForwardPath => {
      // Inliers up to 4.5 (step 2^-4), so outliers of ~12 have a finer step of their own.
      const planted = plantedActivations(rnd, m, k, cols, magnitude).map((v) => (Math.abs(v) > 5 ? v : Math.max(-4.5, Math.min(4.5, 4.5 * v))));
      const x = splitOutliers(planted, m, k, { threshold: 5, ...opts });
      return folding.forwardPath({ x, w, bias: null });
    };
    const floor = { outlierExponent: 'at-least-inlier' } as const;
    assert.equal(path([], 1), 'plain');
    assert.equal(path([3], 12, floor), 'folded');
    // Outliers keep their own, finer step (the default rule): r = 1/4 cannot join the inlier
    // accumulator; large ones can.
    assert.equal(path([3], 12), 'tiled');
    assert.equal(path([3], 100), 'folded');
    // Per-row inlier scales have no single step to share.
    assert.equal(path([3], 12, { ...floor, granularity: 'row' }), 'tiled');
    // Below 8 bits the hi pieces do not fill int8 evenly.
    assert.equal(path([3], 6, { ...floor, outlierBits: 7 }), 'tiled');
    // More extra columns than the budget: 17 per column at r = 1.
    const many = Array.from({ length: Math.floor(FOLD_MAX_EXTRA_COLUMNS / 17) + 1 }, (_, i) => i * 5);
    assert.equal(path(many, 12, floor), 'tiled');
    assert.equal(path(many.slice(1), 12, floor), 'folded');
  });
});
