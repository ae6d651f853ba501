import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dequantizeActivation, findOutlierColumns, INT12_LOW_RADIX, splitInt12, splitOutliers } from '../../../engine/quant/outliers';
import { plantedActivations, TestRandom } from '../../helpers/random';

test('the 12-bit split reconstructs every code exactly, pieces within int8 / [0, 63]', () => {
  const all = Int16Array.from({ length: 4095 }, (_, i) => i - 2047);
  const { hi, lo } = splitInt12(all);
  for (let i = 0; i < all.length; i++) {
    assert.equal(INT12_LOW_RADIX * hi[i] + lo[i], all[i]);
    assert.ok(hi[i] >= -32 && hi[i] <= 31, `hi ${hi[i]}`);
    assert.ok(lo[i] >= 0 && lo[i] <= 63);
  }
});

test('outlier columns are the features with any |x| > gamma (strictly greater)', () => {
  // Column 0 peaks at exactly 5 and column 2 at 5: neither is an outlier; column 1 has 6 and -5.5.
  const x = Float32Array.from([1, 6, -2, 0, -5.5, 5, 5, 0, 1]);
  assert.deepEqual([...findOutlierColumns(x, 3, 3, 5)], [1]);
  assert.deepEqual([...findOutlierColumns(x, 3, 3, 4.9)], [0, 1, 2]);
});

test('split keeps inliers in DFP-8 with a small exponent and outliers in DFP-12', () => {
  const rnd = new TestRandom(11);
  const rows = 64;
  const cols = 48;
  const x = plantedActivations(rnd, rows, cols, [5, 30], 60);
  const a = splitOutliers(x, rows, cols, { threshold: 5 });
  assert.ok(a.outlier);
  assert.deepEqual([...a.outlier.columns].filter((c) => c === 5 || c === 30), [5, 30]);
  // Inliers are bounded by gamma, so their step is at most 5 / 127 rounded up to a power of two.
  assert.ok(2 ** a.inlier.exponents[0] <= 2 ** Math.ceil(Math.log2(5 / 127)));
  const y = dequantizeActivation(a);
  const inStep = 2 ** a.inlier.exponents[0];
  const outStep = 2 ** a.outlier.exponent;
  for (let i = 0; i < x.length; i++) {
    const bound = Math.abs(x[i]) > 5 ? outStep / 2 : inStep / 2;
    assert.ok(Math.abs(x[i] - y[i]) <= bound, `element ${i}: ${x[i]} vs ${y[i]}`);
  }
  let count = 0;
  for (const v of x) if (Math.abs(v) > 5) count++;
  assert.equal(a.outlier.count, count);
});

test('threshold in units of the standard deviation', () => {
  const rnd = new TestRandom(12);
  const x = rnd.floats(1000, 10); // std ~ 10: an absolute gamma = 5 would flag most columns
  x[17] = 200;
  const abs = splitOutliers(x, 10, 100, { threshold: 5 });
  const std = splitOutliers(x, 10, 100, { threshold: 5, units: 'std' });
  assert.ok(abs.outlier && abs.outlier.columns.length > 50);
  assert.ok(std.outlier);
  assert.deepEqual([...std.outlier.columns], [17]);
  assert.ok(std.threshold > 30 && std.threshold < 70);
});

test('no outliers gives a plain DFP-8 activation', () => {
  const x = new TestRandom(4).floats(200, 1).map((v) => Math.max(-4, Math.min(4, v)));
  const a = splitOutliers(x, 10, 20, { threshold: 5 });
  assert.equal(a.outlier, null);
});

test('outlier exponent rules: own (default) keeps the outliers\' exponent, at-least-inlier raises it to the inliers\'', () => {
  const rnd = new TestRandom(12);
  const rows = 50;
  const cols = 40;
  // Outliers just above gamma: by themselves they would take a finer step than the inliers.
  const x = plantedActivations(rnd, rows, cols, [4, 17], 6).map((v) => (Math.abs(v) > 5 ? v : Math.max(-4.5, Math.min(4.5, v))));
  const own = splitOutliers(x, rows, cols, { threshold: 5 });
  const floored = splitOutliers(x, rows, cols, { threshold: 5, outlierExponent: 'at-least-inlier' });
  const inlierExp = floored.inlier.exponents[0];
  assert.ok(own.outlier!.exponent < inlierExp, `own ${own.outlier!.exponent} is finer than the inliers' ${inlierExp}`);
  assert.equal(floored.outlier!.exponent, inlierExp);
  assert.deepEqual(floored.inlier.q, own.inlier.q, 'the inliers do not change');
  // Every element stays within half of its part's step under both rules.
  for (const a of [own, floored]) {
    const y = dequantizeActivation(a);
    const outStep = 2 ** a.outlier!.exponent;
    for (let i = 0; i < x.length; i++) {
      const bound = Math.abs(x[i]) > 5 ? outStep / 2 : 2 ** inlierExp / 2;
      assert.ok(Math.abs(x[i] - y[i]) <= bound, `element ${i}: ${x[i]} vs ${y[i]}`);
    }
  }
  // Large outliers keep their own, coarser exponent under both rules.
  const big = plantedActivations(rnd, rows, cols, [4], 500);
  assert.equal(splitOutliers(big, rows, cols, { threshold: 5, outlierExponent: 'at-least-inlier' }).outlier!.exponent, splitOutliers(big, rows, cols, { threshold: 5 }).outlier!.exponent);
  // All-zero inliers have only a nominal step: no floor then.
  const lonely = new Float32Array(rows * cols);
  lonely[3] = 7;
  assert.equal(splitOutliers(lonely, rows, cols, { threshold: 5, outlierExponent: 'at-least-inlier' }).outlier!.exponent, splitOutliers(lonely, rows, cols, { threshold: 5 }).outlier!.exponent);
});
