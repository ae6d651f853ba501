// Streaming statistics against direct two-pass float64 computations on the same numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyMoments, kurtosisOf, mergeMoments, type Moments, stdOf } from '../../../engine/profile/moments';
import { centralMoments, scanTensor } from '../../../engine/profile/tensor-scan';
import { TensorStatsAccumulator, topIndices } from '../../../engine/profile/tensor-stats';
import { TestRandom } from '../../helpers/random';

function direct(values: ArrayLike<number>): Moments {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  const m: Moments = { n, mean, m2: 0, m3: 0, m4: 0 };
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    m.m2 += d * d;
    m.m3 += d * d * d;
    m.m4 += d * d * d * d;
  }
  return m;
}

function assertClose(a: number, b: number, rel: number, what: string): void {
  assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

test('merging moments of batches of unequal size equals the moments of all values', () => {
  const rnd = new TestRandom(3);
  // Skewed, offset data: the mean is far from 0 and the third moment is not 0.
  const values = Array.from({ length: 5000 }, () => 40 + Math.exp(rnd.normal()));
  let merged = emptyMoments();
  for (const [a, b] of [[0, 7], [7, 1800], [1800, 1801], [1801, 5000]]) merged = mergeMoments(merged, direct(values.slice(a, b)));
  const all = direct(values);
  for (const k of ['n', 'mean', 'm2', 'm3', 'm4'] as const) assertClose(merged[k], all[k], 1e-9, k);
  assertClose(kurtosisOf(merged)!, kurtosisOf(all)!, 1e-9, 'kurtosis');
  assert.equal(kurtosisOf(direct([2, 2, 2])), null, 'constant data has no kurtosis');
});

test('central moments from power sums about a shift equal the two-pass ones', () => {
  const rnd = new TestRandom(4);
  const values = Array.from({ length: 3000 }, () => 3 + rnd.normal() * 2);
  const shift = 2.5;
  const s = [0, 0, 0, 0];
  for (const v of values) for (let k = 0; k < 4; k++) s[k] += (v - shift) ** (k + 1);
  const m = centralMoments(values.length, shift, s[0], s[1], s[2], s[3]);
  const d = direct(values);
  for (const k of ['mean', 'm2', 'm3', 'm4'] as const) assertClose(m[k], d[k], 1e-9, k);
});

test('a Gaussian has kurtosis near 3 and a tensor with outlier columns far more', () => {
  const rnd = new TestRandom(5);
  const g = direct(Array.from({ length: 40000 }, () => rnd.normal()));
  assert.ok(Math.abs(kurtosisOf(g)! - 3) < 0.15, `Gaussian kurtosis ${kurtosisOf(g)}`);
  assert.ok(Math.abs(stdOf(g) - 1) < 0.02);
});

test('scanTensor matches a naive scan: padding excluded from statistics, included in quantization extremes', () => {
  const rnd = new TestRandom(6);
  const rows = 40;
  const cols = 24;
  const x = rnd.floats(rows * cols);
  const real = Uint8Array.from({ length: rows }, (_, r) => (r % 5 === 4 ? 0 : 1));
  const tokenIds = Int32Array.from({ length: rows }, (_, r) => 100 + (r % 3));
  for (let r = 0; r < rows; r += 3) x[r * cols + 7] = 9 + r; // outlier column 7 on every third row
  x[2 * cols + 11] = -6.5; // one outlier in column 11
  x[4 * cols + 3] = 80; // the largest value sits in a padding row
  x[9 * cols + 5] = 4.99; // the largest inlier sits in a padding row too
  const threshold = 5;
  const s = scanTensor(x, rows, cols, { real, tokenIds }, threshold);

  const realValues: number[] = [];
  const colCounts = new Array(cols).fill(0);
  const tokenCounts = new Map<number, number>();
  let maxAbs = 0;
  let allMax = 0;
  let argmaxRow = -1;
  let inlierMax = -1;
  let argmaxInlierRow = -1;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = x[r * cols + c];
      const a = Math.abs(v);
      if (a > allMax) [allMax, argmaxRow] = [a, r];
      if (a <= threshold && a > inlierMax) [inlierMax, argmaxInlierRow] = [a, r];
      if (!real[r]) continue;
      realValues.push(v);
      maxAbs = Math.max(maxAbs, a);
      if (a > threshold) {
        colCounts[c]++;
        tokenCounts.set(tokenIds[r], (tokenCounts.get(tokenIds[r]) ?? 0) + 1);
      }
    }
  }
  const d = direct(realValues);
  for (const k of ['n', 'mean', 'm2', 'm3', 'm4'] as const) assertClose(s.moments[k], d[k], 1e-6, k);
  assert.equal(s.realRows, 32);
  assert.equal(s.maxAbs, Math.fround(maxAbs));
  assert.deepEqual(Array.from(s.colCounts), colCounts);
  assert.deepEqual(new Map([...s.tokenCounts].sort()), new Map([...tokenCounts].sort()));
  assert.equal(s.outlierCount, colCounts.reduce((a, b) => a + b, 0));
  assert.deepEqual([s.all.argmaxRow, s.all.argmaxInlierRow], [argmaxRow, argmaxInlierRow]);
  assert.equal(s.all.argmaxRow, 4, 'a padding row');
  assert.equal(s.all.inlierMaxAbs, Math.fround(inlierMax));
  assert.ok(s.all.outlierCount > s.outlierCount, 'the padding row\'s outlier counts for quantization only');
});

test('the accumulator reports top columns and tokens over batches, spelled with the vocabulary', () => {
  const cols = 6;
  const acc = new TensorStatsAccumulator(cols);
  const vocab = ['[PAD]', '[CLS]', '[SEP]', 'a', 'b'];
  const make = (outlierCol: number): Float32Array => {
    const x = new Float32Array(4 * cols).fill(0.5);
    for (let r = 0; r < 4; r++) x[r * cols + outlierCol] = 20;
    x[cols + 1] = -30;
    return x;
  };
  const ids = Int32Array.from([1, 2, 3, 2]);
  acc.add(scanTensor(make(3), 4, cols, { real: null, tokenIds: ids }, 5), 5);
  acc.add(scanTensor(make(3), 4, cols, { real: null, tokenIds: ids }, 5), 5);
  const stats = acc.finish(vocab, new Map([[1, 2], [2, 4], [3, 2]]));
  assert.deepEqual(stats.outlierColumns.map((c) => [c.dim, c.count, c.rowFraction, c.maxAbs]), [[3, 8, 1, 20], [1, 2, 0.25, 30]]);
  assert.deepEqual(stats.topTokens, [
    { id: 2, token: '[SEP]', count: 6, occurrences: 4 },
    { id: 1, token: '[CLS]', count: 2, occurrences: 2 },
    { id: 3, token: 'a', count: 2, occurrences: 2 },
  ]);
  assert.equal(stats.outlierColumnCount, 2);
  assert.equal(stats.outlierFraction, 10 / 48);
  assert.deepEqual(topIndices(Float64Array.from([0, 3, 1, 3, 7, 0]), 3), [4, 1, 3]);
  assert.deepEqual(topIndices(Float64Array.from([0, 0]), 3), []);
});
