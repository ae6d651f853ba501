import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IGNORE_INDEX, crossEntropyLoss, mseLoss } from '../../../engine/nn/ops/loss';
import { OctetError } from '../../../engine/errors';
import { TestRandom, assertGradClose, assertNonTrivial, numericGrad, toF64 } from './ops-helpers';

const ROWS = 5;
const CLASSES = 6;
const LABELS = Int32Array.of(3, IGNORE_INDEX, 0, 5, 2);

/** Float64 reference: mean over non-ignored rows of logsumexp(row) - row[label]. */
function ceRef(logits: Float64Array, labels: Int32Array, rows: number, classes: number): number {
  let total = 0;
  let count = 0;
  for (let r = 0; r < rows; r++) {
    if (labels[r] === IGNORE_INDEX) continue;
    let z = 0;
    for (let j = 0; j < classes; j++) z += Math.exp(logits[r * classes + j]);
    total += Math.log(z) - logits[r * classes + labels[r]];
    count++;
  }
  return total / count;
}

test('crossEntropyLoss: loss matches float64, dlogits match central differences (tol 1e-4), ignored rows get 0', () => {
  const logits = new TestRandom(61).f32(ROWS * CLASSES, 2);
  const dlogits = new Float32Array(ROWS * CLASSES).fill(9);
  const { loss, count } = crossEntropyLoss(dlogits, logits, LABELS, ROWS, CLASSES);
  const l64 = toF64(logits);
  assert.equal(count, 4);
  assert.ok(Math.abs(loss - ceRef(l64, LABELS, ROWS, CLASSES)) < 1e-6, `loss ${loss}`);
  const nd = numericGrad(() => ceRef(l64, LABELS, ROWS, CLASSES), l64);
  assertNonTrivial(nd, 'dlogits');
  assertGradClose(dlogits, nd, 'dlogits');
  assert.ok(dlogits.subarray(CLASSES, 2 * CLASSES).every((x) => x === 0), 'ignored row');
});

test('crossEntropyLoss: hand-computed value, aliasing, eval mode, stability, all-ignored batch', () => {
  // Two classes with logits (0, ln 3): p = (1/4, 3/4); label 0 -> loss ln 4, dlogits (1/4 - 1, 3/4).
  const logits = Float32Array.of(0, Math.log(3));
  const d = new Float32Array(2);
  const r = crossEntropyLoss(d, logits, [0], 1, 2);
  assert.ok(Math.abs(r.loss - Math.log(4)) < 1e-6);
  assert.ok(Math.abs(d[0] + 0.75) < 1e-6 && Math.abs(d[1] - 0.75) < 1e-6);
  // dlogits may alias logits.
  const big = new TestRandom(62).f32(ROWS * CLASSES, 3);
  const separate = new Float32Array(ROWS * CLASSES);
  const r1 = crossEntropyLoss(separate, big, LABELS, ROWS, CLASSES);
  const inPlace = big.slice();
  const r2 = crossEntropyLoss(inPlace, inPlace, LABELS, ROWS, CLASSES);
  assert.equal(r2.loss, r1.loss);
  assert.deepEqual(inPlace, separate);
  // No gradient wanted.
  assert.equal(crossEntropyLoss(null, big, LABELS, ROWS, CLASSES).loss, r1.loss);
  // Huge logits stay finite.
  const huge = Float32Array.of(1e30, -1e30, 0);
  assert.ok(Number.isFinite(crossEntropyLoss(new Float32Array(3), huge, [1], 1, 3).loss));
  // Everything ignored: loss 0, count 0, zero gradient (torch would give NaN).
  const dz = new Float32Array(4).fill(1);
  const z = crossEntropyLoss(dz, Float32Array.of(1, 2, 3, 4), [IGNORE_INDEX, IGNORE_INDEX], 2, 2);
  assert.deepEqual([z.loss, z.count], [0, 0]);
  assert.ok(dz.every((x) => x === 0));
  assert.throws(() => crossEntropyLoss(null, logits, [2], 1, 2), (e: unknown) => e instanceof OctetError && e.code === 'invalid-argument');
});

test('mseLoss: loss and dpred match float64 central differences (tol 1e-4)', () => {
  const rnd = new TestRandom(63);
  const n = 7;
  const pred = rnd.f32(n);
  const target = rnd.f32(n);
  const dpred = new Float32Array(n);
  const { loss, count } = mseLoss(dpred, pred, target, n);
  assert.equal(count, n);
  const p64 = toF64(pred);
  const ref = () => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (p64[i] - target[i]) ** 2;
    return s / n;
  };
  assert.ok(Math.abs(loss - ref()) < 1e-6);
  const nd = numericGrad(ref, p64);
  assertNonTrivial(nd, 'dpred');
  assertGradClose(dpred, nd, 'dpred');
  // Hand value: pred (1, 3), target (0, 0): loss (1 + 9)/2 = 5, dpred (2*1/2, 2*3/2) = (1, 3).
  const d = new Float32Array(2);
  assert.equal(mseLoss(d, Float32Array.of(1, 3), [0, 0], 2).loss, 5);
  assert.deepEqual(Array.from(d), [1, 3]);
});
