import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, addInPlace } from '../../../engine/nn/ops/residual';
import { OctetError } from '../../../engine/errors';

test('add and addInPlace', () => {
  const a = Float32Array.of(1, 2, 3);
  const b = Float32Array.of(0.5, -2, 10);
  const out = new Float32Array(3);
  add(out, a, b, 3);
  assert.deepEqual(Array.from(out), [1.5, 0, 13]);
  add(a, a, b, 3); // aliasing out = a
  assert.deepEqual(a, out);
  addInPlace(out, b, 3);
  assert.deepEqual(Array.from(out), [2, -2, 23]);
  assert.throws(() => add(out, a, Float32Array.of(1), 3), (e: unknown) => e instanceof OctetError && e.code === 'shape-mismatch');
});
