// Every fast backend against the plain reference: integer results bit-exact, float results
// within a stated tolerance of a float64 computation from the same integers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { ReferenceBackend, referenceMatmul } from '../../../engine/kernels/reference';
import type { GemmBackend, MatmulLayout } from '../../../engine/kernels/backend';
import { MAX_EXACT_K } from '../../../engine/kernels/backend';
import { quantizeDfp } from '../../../engine/quant/dfp';
import { splitOutliers } from '../../../engine/quant/outliers';
import { Rng } from '../../../engine/nn/ops/rng';
import { OctetError } from '../../../engine/errors';
import { plantedActivations, TestRandom } from '../../helpers/random';

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [17, 33, 9], [64, 128, 32], [31, 257, 63], [5, 4096, 3], [2, 4095, 11], [129, 768, 65],
];

/** |fast - exact| <= REL * (sum of the magnitudes of the terms) + ABS: float32 rounding of a few ops. */
const REL = 1e-6;
const ABS = 1e-30;

function assertClose(actual: Float32Array, expected: Float64Array, magnitude: Float64Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const tol = REL * magnitude[i] + ABS;
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (tolerance ${tol})`);
    }
  }
}

describe('GEMM backends agree with the reference', () => {
  const backends: GemmBackend[] = [];
  const reference = new ReferenceBackend();
  before(async () => {
    backends.push(new ReferenceBackend());
    backends.push(await OrtBackend.create({ threads: 2, intPath: 'u8s8' }));
    backends.push(await OrtBackend.create({ threads: 2, intPath: 'u8u8' }));
  });
  after(async () => {
    for (const b of backends) await b.dispose();
  });

  test('the probe picks an exact int8 path on this CPU', async () => {
    const auto = await OrtBackend.create({ threads: 1 });
    const exact = await auto.u8s8IsExact();
    assert.equal(auto.intPath, exact ? 'u8s8' : 'u8u8');
    // Whatever path was picked, the worst case (all 255 x 127 after the offset) is exact.
    const k = 256;
    const c = await auto.int8Matmul(new Int8Array(k).fill(127), new Int8Array(k).fill(127), { m: 1, k, n: 1 }, 'NT');
    assert.equal(c[0], 127 * 127 * k);
    await auto.dispose();
  });

  test('int8 matmul is bit-exact in every layout, odd sizes and K up to 4096, extremes included', async () => {
    const rnd = new TestRandom(21);
    for (const layout of ['NT', 'NN', 'TN'] as MatmulLayout[]) {
      for (const [m, k, n] of SHAPES) {
        const a = rnd.int8s(m * k);
        const b = rnd.int8s(k * n);
        // Plant the extremes: -128 and 127 everywhere in one row and one column.
        a.fill(-128, 0, Math.min(k, a.length));
        b.fill(127, b.length - Math.min(k, b.length));
        const expected = Int32Array.from(referenceMatmul(a, b, { m, k, n }, layout));
        for (const be of backends) {
          const got = await be.int8Matmul(a, b, { m, k, n }, layout);
          assert.deepEqual(got, expected, `${be.name} ${layout} ${m}x${k}x${n}`);
        }
      }
    }
  });

  test('long contractions are chunked in TN layout and stay exact', async () => {
    const rnd = new TestRandom(22);
    const m = 3;
    const n = 2;
    const k = 70_001; // beyond both paths' chunk length
    const a = rnd.int8s(k * m);
    const b = rnd.int8s(k * n);
    a.fill(127, 0, 3 * 40_000); // long runs of the largest products
    b.fill(127, 0, 2 * 40_000);
    const expected = Int32Array.from(referenceMatmul(a, b, { m, k, n }, 'TN'));
    for (const be of backends) assert.deepEqual(await be.int8Matmul(a, b, { m, k, n }, 'TN'), expected, be.name);
  });

  test('K beyond the int32-exact limit is refused with a typed error', async () => {
    const k = MAX_EXACT_K + 1;
    for (const be of backends) {
      await assert.rejects(be.int8Matmul(new Int8Array(k), new Int8Array(k), { m: 1, k, n: 1 }, 'TN'), (e) => e instanceof OctetError && e.code === 'k-too-large');
    }
  });

  test('tiled outlier forward: integer parts bit-exact, fused float output within tolerance', async () => {
    const rnd = new TestRandom(23);
    const cases: [number, number, number, number[]][] = [
      [7, 9, 5, [0]], [33, 64, 17, [3, 40, 63]], [128, 768, 96, [308, 381]], [16, 4096, 8, [0, 1, 2048, 4095]], [40, 100, 30, []],
    ];
    for (const [m, k, n, cols] of cases) {
      for (const granularity of ['tensor', 'row'] as const) {
        const x = plantedActivations(rnd, m, k, cols, 120);
        const xa = splitOutliers(x, m, k, { threshold: 5, granularity });
        const w = quantizeDfp(rnd.floats(n * k, 0.05), n, k, { bits: 8, granularity });
        const bias = rnd.floats(n);
        const input = { x: xa, w, bias };
        const parts = await reference.linearForwardParts(input);
        const sOut = xa.outlier ? 2 ** xa.outlier.exponent : 0;
        const expected = new Float64Array(m * n);
        const magnitude = new Float64Array(m * n);
        for (let i = 0; i < m; i++) {
          const sx = 2 ** xa.inlier.exponents[granularity === 'row' ? i : 0];
          for (let j = 0; j < n; j++) {
            const sw = 2 ** w.exponents[granularity === 'row' ? j : 0];
            const t1 = sx * sw * parts.inlier[i * n + j];
            const t2 = parts.outlier ? sOut * sw * parts.outlier[i * n + j] : 0;
            expected[i * n + j] = t1 + t2 + bias[j];
            magnitude[i * n + j] = Math.abs(t1) + Math.abs(t2) + Math.abs(bias[j]);
          }
        }
        for (const be of backends) {
          const what = `${be.name} ${m}x${k}x${n} C=${cols.length} ${granularity}`;
          if (granularity === 'tensor') {
            const got = await be.linearForwardParts(input);
            assert.deepEqual(got.inlier, parts.inlier, `${what} inlier`);
            assert.deepEqual(got.outlier, parts.outlier, `${what} outlier`);
          }
          assertClose(await be.linearForward(input), expected, magnitude, what);
        }
      }
    }
  });

  test('input and weight gradients match the float64 reference', async () => {
    const rnd = new TestRandom(24);
    for (const [m, k, n] of [[9, 13, 7], [64, 96, 48], [300, 64, 33]] as const) {
      const rng = new Rng(5);
      const dy = quantizeDfp(rnd.floats(m * n, 1e-3), m, n, { bits: 8, rounding: 'stochastic', rng });
      const w = quantizeDfp(rnd.floats(n * k, 0.05), n, k, { bits: 8 });
      const xa = splitOutliers(plantedActivations(rnd, m, k, [1, k - 1], 50), m, k, { threshold: 5 });
      // Float64 expectations from the exact integers.
      const sdy = 2 ** dy.exponents[0];
      const dxAcc = referenceMatmul(dy.q, w.q, { m, k: n, n: k }, 'NN');
      const dxExp = dxAcc.map((v) => v * sdy * 2 ** w.exponents[0]);
      const dwExp = referenceMatmul(dy.q, xa.inlier.q, { m: n, k: m, n: k }, 'TN').map((v) => v * sdy * 2 ** xa.inlier.exponents[0]);
      const o = xa.outlier!;
      const c = o.columns.length;
      const codes = Float64Array.from({ length: m * c }, (_, i) => 64 * o.hi[i] + o.lo[i]);
      const outAcc = referenceMatmul(dy.q, codes, { m: n, k: m, n: c }, 'TN');
      const dwMag = dwExp.map(Math.abs);
      for (let j = 0; j < n; j++) {
        for (let t = 0; t < c; t++) {
          const v = outAcc[j * c + t] * sdy * 2 ** o.exponent;
          dwExp[j * k + o.columns[t]] += v;
          dwMag[j * k + o.columns[t]] += Math.abs(v);
        }
      }
      for (const be of backends) {
        assertClose(await be.linearGradInput(dy, w), dxExp, dxExp.map(Math.abs), `${be.name} dX ${m}x${k}x${n}`);
        assertClose(await be.linearGradWeight(dy, xa), dwExp, dwMag, `${be.name} dW ${m}x${k}x${n}`);
      }
    }
  });

  test('fp32 matmul (all layouts, with bias) and the LLM.int8()-style baseline', async () => {
    const rnd = new TestRandom(25);
    for (const layout of ['NT', 'NN', 'TN'] as MatmulLayout[]) {
      const [m, k, n] = [19, 70, 23];
      const a = rnd.floats(m * k);
      const b = rnd.floats(k * n);
      const bias = rnd.floats(n);
      const acc = referenceMatmul(a, b, { m, k, n }, layout);
      const absAcc = referenceMatmul(a.map(Math.abs), b.map(Math.abs), { m, k, n }, layout);
      const expected = acc.map((v, i) => v + bias[i % n]);
      const mag = absAcc.map((v, i) => v + Math.abs(bias[i % n]));
      for (const be of backends) {
        // Float GEMMs reorder sums: tolerance K * 2^-24 of the magnitudes.
        const got = await be.f32Matmul(a, b, { m, k, n }, layout, bias);
        for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - expected[i]) <= k * 2 ** -24 * mag[i], `${be.name} ${layout} ${i}`);
      }
    }
    const [m, k, n] = [24, 40, 12];
    const cols = Int32Array.from([2, 30]);
    const xq = rnd.int8s(m * k, -127, 127);
    const wq = rnd.int8s(n * k, -127, 127);
    for (let i = 0; i < m; i++) for (const c of cols) xq[i * k + c] = 0;
    const input = {
      xq, wq, columns: cols, dims: { m, k, n },
      xScale: Float32Array.from({ length: m }, () => rnd.uniform(0.01, 0.1)),
      wScale: Float32Array.from({ length: n }, () => rnd.uniform(0.001, 0.01)),
      xOutlier: rnd.floats(m * 2, 50), wOutlier: rnd.floats(n * 2, 0.1), bias: rnd.floats(n),
    };
    const expected = await reference.llmInt8Forward(input);
    for (const be of backends) {
      const got = await be.llmInt8Forward(input);
      for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - expected[i]) <= 1e-5 * (1 + Math.abs(expected[i])), `${be.name} llm.int8 ${i}`);
    }
  });

  test('shape mismatches are typed errors, not crashes', async () => {
    const w = quantizeDfp(new Float32Array(12), 3, 4, { bits: 8 });
    const x = splitOutliers(new Float32Array(10), 2, 5, { threshold: 5 });
    for (const be of backends) {
      await assert.rejects(be.linearForward({ x, w, bias: null }), (e) => e instanceof OctetError && e.code === 'shape-mismatch');
      await assert.rejects(be.int8Matmul(new Int8Array(5), new Int8Array(6), { m: 2, k: 3, n: 2 }, 'NT'), (e) => e instanceof OctetError && e.code === 'shape-mismatch');
      await assert.rejects(be.f32Matmul(new Float32Array(6), new Float32Array(6), { m: 2, k: 3, n: 0 }, 'NN'), (e) => e instanceof OctetError);
    }
  });
});
