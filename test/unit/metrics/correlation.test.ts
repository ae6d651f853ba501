import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { averageRanks, pearson, spearman } from '../../../engine/metrics/correlation';
import { meanSquaredError } from '../../../engine/metrics/regression-error';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

// x = 1 2 3 4 5, y = 2 4 5 4 5
// Pearson by hand: means 3 and 4; dx = −2 −1 0 1 2, dy = −2 0 1 0 1
//   Σdxdy = 4 + 0 + 0 + 0 + 2 = 6, Σdx² = 10, Σdy² = 6  ->  r = 6 / sqrt(60)
// Spearman by hand: ranks(y) = 1, 2.5, 4.5, 2.5, 4.5 (the two 4s share ranks 2,3; the 5s 4,5)
//   mean 3; dy = −2 −0.5 1.5 −0.5 1.5; Σdxdy = 4 + 0.5 + 0 − 0.5 + 3 = 7, Σdy² = 9
//   -> rho = 7 / sqrt(10 · 9)   (scipy.stats.spearmanr gives 0.7378647873726218)
const x = [1, 2, 3, 4, 5];
const y = [2, 4, 5, 4, 5];

describe('pearson', () => {
  it('matches the hand computation', () => {
    close(pearson(x, y), 6 / Math.sqrt(60), 'r');
  });

  it('is 1 for a perfect linear fit and −1 for a reversed one', () => {
    close(pearson([0.5, 1.5, 4], [2, 4, 9]), 1, 'perfect');
    close(pearson(x, x.map((v) => -3 * v + 1)), -1, 'reversed');
  });

  it('returns 0 (the stated convention) when either side has zero variance', () => {
    assert.equal(pearson([2, 2, 2], [1, 2, 3]), 0);
    assert.equal(pearson([1, 2, 3], [0.1, 0.1, 0.1]), 0); // mean of 0.1s is not exactly 0.1
    assert.equal(pearson([7], [3]), 0);
  });
});

describe('spearman', () => {
  it('uses average ranks for ties', () => {
    close(spearman(x, y), 7 / Math.sqrt(90), 'rho');
    close(spearman(x, y), 0.7378647873726218, 'scipy value');
  });

  it('is 1 for any increasing relation, where Pearson is below 1', () => {
    const squares = [1, 4, 9, 16, 100];
    assert.equal(spearman(x, squares), 1);
    assert.ok(pearson(x, squares) < 0.99);
  });

  it('returns 0 when all values tie', () => {
    assert.equal(spearman([1, 2, 3], [4, 4, 4]), 0);
  });
});

describe('averageRanks', () => {
  it('gives 1-based ranks with ties averaged', () => {
    assert.deepEqual([...averageRanks([10, 20, 20, 5, 20])], [2, 4, 4, 1, 4]);
    assert.deepEqual([...averageRanks([3, 1, 3])], [2.5, 1, 2.5]);
  });
});

describe('meanSquaredError', () => {
  it('matches the hand computation: ((0)² + (1)² + (2)²) / 3 = 5/3', () => {
    close(meanSquaredError([1, 2, 3], [1, 3, 5]), 5 / 3, 'mse');
  });

  it('is 0 for perfect predictions', () => {
    assert.equal(meanSquaredError(y, y), 0);
  });
});

describe('input checks', () => {
  it('rejects NaN/Infinity, mismatched lengths and empty inputs', () => {
    assert.throws(() => pearson([1, NaN], [1, 2]), {
      name: 'OctetError',
      code: 'non-finite',
      message: 'Pearson: predictions[1] = NaN is not a finite number',
    });
    assert.throws(() => spearman([1, 2], [1, Infinity]), { code: 'non-finite', message: /labels\[1\]/ });
    assert.throws(() => meanSquaredError([1], [1, 2]), { code: 'shape-mismatch' });
    assert.throws(() => pearson([], []), { code: 'invalid-argument' });
  });
});
