import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinearWarmupDecaySchedule, linearWarmupDecayFactor, resolveWarmupSteps } from '../../../engine/optim/schedule';
import { clipGradNorm, globalGradNorm } from '../../../engine/optim/clip';
import { OctetError } from '../../../engine/errors';

test('linear warmup + decay reproduces get_linear_schedule_with_warmup (total 10, warmup 2)', () => {
  const s = new LinearWarmupDecaySchedule({ baseLr: 2e-5, totalSteps: 10, warmupSteps: 2 });
  // HF lambda: s/2 for s < 2, then (10 - s)/8, floored at 0.
  const want = [0, 0.5, 1, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8, 0, 0, 0];
  const got: number[] = [];
  for (let i = 0; i < want.length; i++) {
    got.push(s.lr());
    s.step();
  }
  want.forEach((f, i) => assert.ok(Math.abs(got[i] - 2e-5 * f) < 1e-20, `lr at step ${i}: ${got[i]} vs ${2e-5 * f}`));
  assert.equal(s.stepCount, want.length);
  assert.equal(linearWarmupDecayFactor(0, 0, 4), 1, 'no warmup starts at full lr');
});

test('warmup ratio is ceil(total * ratio) as in HF; steps and ratio together are rejected', () => {
  assert.equal(resolveWarmupSteps(10, undefined, 0.15), 2);
  assert.equal(resolveWarmupSteps(1000, undefined, 0.1), 100);
  assert.equal(resolveWarmupSteps(10, undefined, 0.12), 2, 'rounds up, not to nearest');
  assert.equal(resolveWarmupSteps(10, 3, undefined), 3);
  assert.equal(resolveWarmupSteps(10), 0);
  assert.equal(new LinearWarmupDecaySchedule({ baseLr: 1, totalSteps: 10, warmupRatio: 0.15 }).warmupSteps, 2);
  const isErr = (e: unknown) => e instanceof OctetError && e.code === 'invalid-argument';
  assert.throws(() => resolveWarmupSteps(10, 2, 0.1), isErr);
  assert.throws(() => resolveWarmupSteps(10, undefined, 1.5), isErr);
  assert.throws(() => new LinearWarmupDecaySchedule({ baseLr: 1, totalSteps: 0 }), isErr);
});

test('schedule state saves and restores the step count', () => {
  const a = new LinearWarmupDecaySchedule({ baseLr: 1, totalSteps: 20, warmupSteps: 5 });
  for (let i = 0; i < 7; i++) a.step();
  const b = new LinearWarmupDecaySchedule({ baseLr: 1, totalSteps: 20, warmupSteps: 5 });
  b.loadState(a.saveState());
  assert.equal(b.lr(), a.lr());
  assert.equal(b.lr(), 13 / 15);
  assert.throws(() => b.loadState({ step: 1.5 }), (e: unknown) => e instanceof OctetError);
});

test('clipGradNorm: global L2 norm over all arrays, torch scaling max/(norm+1e-6), returns pre-clip norm', () => {
  // Norm of (3, 4) and (12) is 13.
  const g1 = Float32Array.of(3, 4);
  const g2 = Float32Array.of(12);
  assert.equal(globalGradNorm([g1, g2]), 13);
  const norm = clipGradNorm([g1, g2], 1);
  assert.equal(norm, 13);
  const c = 1 / (13 + 1e-6);
  assert.deepEqual(Array.from(g1), [Math.fround(3 * c), Math.fround(4 * c)]);
  assert.deepEqual(Array.from(g2), [Math.fround(12 * c)]);
  assert.ok(Math.abs(globalGradNorm([g1, g2]) - 1) < 1e-6);
  // Under the limit: untouched.
  const h = Float32Array.of(0.1, -0.2);
  const before = h.slice();
  assert.ok(Math.abs(clipGradNorm([h], 1) - Math.hypot(0.1, 0.2)) < 1e-8);
  assert.deepEqual(h, before);
  // Just over the limit (norm 1.5, max 1) is clipped too.
  const j = Float32Array.of(0.9, 1.2);
  clipGradNorm([j], 1);
  assert.ok(Math.abs(globalGradNorm([j]) - 1 / (1 + 1e-6 / 1.5)) < 1e-6);
  // torch's +1e-6 in the denominator matters for tiny norms: norm 5e-6, max 1e-6 gives
  // coefficient 1e-6 / 6e-6 = 1/6, not 1/5.
  const tiny = Float32Array.of(3e-6, 4e-6);
  clipGradNorm([tiny], 1e-6);
  assert.ok(Math.abs(tiny[0] - 0.5e-6) < 1e-12 && Math.abs(tiny[1] - (4e-6) / 6) < 1e-12, `tiny: ${tiny}`);
});

test('clipGradNorm: non-finite norm is returned untouched, or thrown with errorIfNonfinite', () => {
  const g = Float32Array.of(1, NaN);
  assert.ok(Number.isNaN(clipGradNorm([g], 1)));
  assert.equal(g[0], 1);
  assert.throws(
    () => clipGradNorm([Float32Array.of(Infinity)], 1, { errorIfNonfinite: true }),
    (e: unknown) => e instanceof OctetError && e.code === 'non-finite',
  );
  assert.throws(() => clipGradNorm([g], 0), (e: unknown) => e instanceof OctetError && e.code === 'invalid-argument');
});
