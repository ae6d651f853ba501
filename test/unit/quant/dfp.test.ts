import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dequantizeDfp, dfpExponent, maxCode, quantizeDfp, roundHalfEven } from '../../../engine/quant/dfp';
import { Rng } from '../../../engine/nn/ops/rng';
import { OctetError } from '../../../engine/errors';
import { TestRandom } from '../../helpers/random';

test('exponent is the smallest e with maxAbs <= qmax * 2^e, also right at powers of two', () => {
  for (const bits of [4, 8, 12]) {
    const qmax = maxCode(bits);
    for (let e = -20; e <= 20; e++) {
      const edge = qmax * 2 ** e;
      // Exactly on the edge: e itself; a hair above: e + 1; a hair below: still e.
      assert.equal(dfpExponent(edge, bits), e, `edge bits=${bits} e=${e}`);
      assert.equal(dfpExponent(edge * (1 + 1e-12), bits), e + 1);
      assert.equal(dfpExponent(qmax * 2 ** (e - 1) * (1 + 1e-12), bits), e);
    }
  }
  // 127.5 with 8 bits must not get exponent 0 (it would round to 128 and clip).
  assert.equal(dfpExponent(127.5, 8), 1);
});

test('nearest rounding error is at most half a step, codes stay in range', () => {
  const rnd = new TestRandom(1);
  for (const bits of [4, 8, 12]) {
    for (const scale of [1e-4, 1, 37, 1e5]) {
      const x = rnd.floats(2000, scale);
      const m = quantizeDfp(x, 40, 50, { bits });
      const y = dequantizeDfp(m);
      const step = 2 ** m.exponents[0];
      for (let i = 0; i < x.length; i++) {
        assert.ok(Math.abs(m.q[i]) <= maxCode(bits));
        assert.ok(Math.abs(x[i] - y[i]) <= step / 2, `bits=${bits} scale=${scale} i=${i}`);
      }
    }
  }
});

test('per-row granularity gives each row its own exponent', () => {
  const x = Float32Array.from([0.01, -0.02, 0.015, 100, -50, 25]);
  const m = quantizeDfp(x, 2, 3, { bits: 8, granularity: 'row' });
  assert.equal(m.exponents.length, 2);
  assert.equal(m.exponents[0], dfpExponent(0.02, 8));
  assert.equal(m.exponents[1], dfpExponent(100, 8));
  const y = dequantizeDfp(m);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(x[i] - y[i]) <= 2 ** m.exponents[0] / 2);
});

test('stochastic rounding is unbiased (statistical bound) and reproducible from its seed', () => {
  // A value a quarter-step above a code: E[q] must be code + 0.25. With n draws the mean's
  // standard deviation is sqrt(p(1-p)/n); 6 of them bound a false failure below 1e-8.
  const n = 200_000;
  const x = new Float32Array(n).fill(0.25);
  x[0] = 127; // pins the exponent to 0, so 0.25 is exactly a quarter step
  const m = quantizeDfp(x, 1, n, { bits: 8, rounding: 'stochastic', rng: new Rng(7) });
  assert.equal(m.exponents[0], 0);
  let sum = 0;
  for (let i = 1; i < n; i++) sum += m.q[i];
  const mean = sum / (n - 1);
  const sd = Math.sqrt((0.25 * 0.75) / (n - 1));
  assert.ok(Math.abs(mean - 0.25) < 6 * sd, `mean ${mean}`);
  const again = quantizeDfp(x, 1, n, { bits: 8, rounding: 'stochastic', rng: new Rng(7) });
  assert.deepEqual(again.q, m.q);
  const other = quantizeDfp(x, 1, n, { bits: 8, rounding: 'stochastic', rng: new Rng(8) });
  assert.notDeepEqual(other.q, m.q);
});

test('stochastic rounding never leaves the code range', () => {
  const rnd = new TestRandom(3);
  const x = rnd.floats(5000, 3);
  const m = quantizeDfp(x, 50, 100, { bits: 8, rounding: 'stochastic', rng: new Rng(1) });
  for (const q of m.q) assert.ok(Math.abs(q) <= 127);
});

test('an all-zero tensor quantizes to zeros with a defined exponent', () => {
  const m = quantizeDfp(new Float32Array(12), 3, 4, { bits: 8 });
  assert.ok(m.q.every((q) => q === 0));
  assert.ok(Number.isInteger(m.exponents[0]));
  assert.ok(dequantizeDfp(m).every((v) => v === 0));
});

test('round half to even matches onnxruntime QuantizeLinear', () => {
  assert.deepEqual([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, -2.6].map(roundHalfEven), [-2, -2, -0, 0, 2, 2, 2, -3]);
});

test('bad input throws typed errors that say where', () => {
  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof OctetError);
      return `${e.code}: ${e.message}`;
    }
    return 'no error';
  };
  assert.match(code(() => quantizeDfp(new Float32Array(5), 2, 3, { bits: 8 })), /^shape-mismatch/);
  assert.match(code(() => quantizeDfp(new Float32Array(6), 2, 3, { bits: 1 })), /^bits-out-of-range/);
  assert.match(code(() => quantizeDfp(new Float32Array(6), 2, 3, { bits: 17 })), /^bits-out-of-range/);
  const nan = new Float32Array(6);
  nan[4] = NaN;
  assert.match(code(() => quantizeDfp(nan, 2, 3, { bits: 8 })), /^non-finite: .*row 1, column 1/);
  const inf = new Float32Array(6);
  inf[0] = -Infinity;
  assert.match(code(() => quantizeDfp(inf, 2, 3, { bits: 8 })), /^non-finite/);
  assert.match(code(() => quantizeDfp(new Float32Array(6), 2, 3, { bits: 8, rounding: 'stochastic' })), /^invalid-argument/);
});
