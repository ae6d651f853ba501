import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { accuracy, binaryF1, macroF1, matthewsCorrelation } from '../../../engine/metrics/classification';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

// Binary case, computed by hand:
//   labels      1 1 1 1 0 0 0 0 0 0
//   predictions 1 1 1 0 1 1 0 0 0 0
//   TP = 3, FN = 1, FP = 2, TN = 4
//   accuracy    = (3 + 4) / 10 = 0.7
//   F1(class 1) = 2·3 / (2·3 + 2 + 1) = 6/9
//   F1(class 0) = 2·4 / (2·4 + 1 + 2) = 8/11      (class 0: TP 4, FP 1, FN 2)
//   macro F1    = (6/9 + 8/11) / 2
//   MCC         = (3·4 − 2·1) / sqrt((3+2)(3+1)(4+2)(4+1)) = 10 / sqrt(600)
const binaryLabels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
const binaryPredictions = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];

// Three classes, confusion matrix (rows = true, columns = predicted):
//   t0: 3 1 0    t1: 0 2 1    t2: 1 0 2
//   s = 10, correct c = 7, true counts t = (4,3,3), predicted counts p = (4,3,3)
//   MCC = (c·s − Σ p·t) / sqrt((s² − Σp²)(s² − Σt²)) = (70 − 34) / sqrt(66 · 66) = 36/66
//   F1: class 0 = 2·3/(4+4) = 0.75, class 1 = 2·2/(3+3) = 2/3, class 2 = 2·2/(3+3) = 2/3
//   macro F1 = (0.75 + 2/3 + 2/3) / 3
const multiLabels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const multiPredictions = [0, 0, 0, 1, 1, 1, 2, 0, 2, 2];

describe('accuracy', () => {
  it('matches the hand count', () => {
    close(accuracy(binaryPredictions, binaryLabels), 0.7, 'binary');
    close(accuracy(multiPredictions, multiLabels), 0.7, 'three classes');
  });

  it('is 1 for perfect predictions and accepts typed arrays', () => {
    assert.equal(accuracy(Int32Array.from(multiLabels), multiLabels), 1);
  });
});

describe('F1', () => {
  it('binary F1 of class 1 by default, and of a chosen positive class', () => {
    close(binaryF1(binaryPredictions, binaryLabels), 6 / 9, 'positive 1');
    close(binaryF1(binaryPredictions, binaryLabels, 0), 8 / 11, 'positive 0');
  });

  it('macro F1 averages the per-class scores', () => {
    close(macroF1(binaryPredictions, binaryLabels), (6 / 9 + 8 / 11) / 2, 'binary');
    close(macroF1(multiPredictions, multiLabels), (0.75 + 2 / 3 + 2 / 3) / 3, 'three classes');
  });

  it('is 1 for perfect predictions', () => {
    assert.equal(binaryF1(binaryLabels, binaryLabels), 1);
    assert.equal(macroF1(multiLabels, multiLabels), 1);
  });

  it('is 0 when the positive class is never present nor predicted (zero_division = 0)', () => {
    assert.equal(binaryF1([0, 0], [0, 0]), 0);
  });
});

describe('matthewsCorrelation', () => {
  it('binary: matches (TP·TN − FP·FN) / sqrt(...)', () => {
    close(matthewsCorrelation(binaryPredictions, binaryLabels), 10 / Math.sqrt(600), 'binary');
  });

  it('multiclass: matches the confusion-matrix formula', () => {
    close(matthewsCorrelation(multiPredictions, multiLabels), 36 / 66, 'three classes');
  });

  it('is 1 for perfect and −1 for perfectly inverted binary predictions', () => {
    assert.equal(matthewsCorrelation(binaryLabels, binaryLabels), 1);
    assert.equal(matthewsCorrelation(binaryLabels.map((l) => 1 - l), binaryLabels), -1);
  });

  it('is 0 when undefined: one class predicted, or one class present', () => {
    assert.equal(matthewsCorrelation([1, 1, 1, 1], [0, 1, 0, 1]), 0);
    assert.equal(matthewsCorrelation([0, 1, 0, 1], [1, 1, 1, 1]), 0);
  });
});

describe('input checks', () => {
  it('rejects mismatched lengths, empty inputs and non-id values', () => {
    assert.throws(() => accuracy([0, 1], [0]), { name: 'OctetError', code: 'shape-mismatch', message: 'accuracy: 2 predictions but 1 labels' });
    assert.throws(() => macroF1([], []), { code: 'invalid-argument', message: 'macro F1: no examples to score' });
    assert.throws(() => matthewsCorrelation([0.5, 1], [0, 1]), {
      code: 'invalid-argument',
      message: 'MCC: predictions[0] = 0.5 is not a class id (a non-negative integer)',
    });
    assert.throws(() => binaryF1([0, 1], [0, -1]), { message: /labels\[1\] = -1/ });
  });
});
