import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { computeTaskMetrics } from '../../../engine/metrics/task-metrics';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

// Same binary case as classification.test.ts: TP 3, FN 1, FP 2, TN 4.
const labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
const predictions = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];

describe('computeTaskMetrics', () => {
  it('classification with 2 classes reports binary F1 of class 1', () => {
    const m = computeTaskMetrics('classification', predictions, labels);
    assert.deepEqual(Object.keys(m).sort(), ['accuracy', 'f1', 'mcc']);
    close(m.accuracy, 0.7, 'accuracy');
    close(m.f1, 6 / 9, 'f1');
    close(m.mcc, 10 / Math.sqrt(600), 'mcc');
  });

  it('honours a different positive class', () => {
    close(computeTaskMetrics('classification', predictions, labels, { positiveClass: 0 }).f1, 8 / 11, 'f1 of class 0');
  });

  it('reports macro F1 when numClasses says the task has more than 2 classes', () => {
    close(computeTaskMetrics('classification', predictions, labels, { numClasses: 3 }).f1, (6 / 9 + 8 / 11) / 2, 'macro');
  });

  it('infers 3 classes from the ids and reports macro F1 (hand values in classification.test.ts)', () => {
    const m = computeTaskMetrics('classification', [0, 0, 0, 1, 1, 1, 2, 0, 2, 2], [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
    close(m.f1, (0.75 + 2 / 3 + 2 / 3) / 3, 'macro');
    close(m.mcc, 36 / 66, 'mcc');
  });

  it('gives 1.0 everywhere for perfect classification', () => {
    assert.deepEqual(computeTaskMetrics('classification', labels, labels), { accuracy: 1, f1: 1, mcc: 1 });
  });

  it('regression reports Pearson, Spearman and MSE', () => {
    // Hand values from correlation.test.ts: r = 6/sqrt(60), rho = 7/sqrt(90);
    // MSE of x vs y: (1 + 4 + 4 + 0 + 0) / 5 = 9/5.
    const m = computeTaskMetrics('regression', [1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
    assert.deepEqual(Object.keys(m).sort(), ['mse', 'pearson', 'spearman']);
    close(m.pearson, 6 / Math.sqrt(60), 'pearson');
    close(m.spearman, 7 / Math.sqrt(90), 'spearman');
    close(m.mse, 9 / 5, 'mse');
  });

  it('gives correlation 1 and MSE 0 for perfect regression', () => {
    assert.deepEqual(computeTaskMetrics('regression', [0.5, 3.2, 4.8], [0.5, 3.2, 4.8]), { pearson: 1, spearman: 1, mse: 0 });
  });

  it('rejects an unknown kind', () => {
    assert.throws(() => computeTaskMetrics('ranking' as 'regression', [1], [1]), { code: 'invalid-argument', message: /unknown task kind "ranking"/ });
  });
});
