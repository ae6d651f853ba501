// The fp32 linear graphs (f32-linear-graphs.ts) against a float64 reference: y = x W^T + b,
// dX = sum of dY W (+ addend), dW = dY^T x, db = column sums of dY, and through GELU
// x = gelu(pre), dX times gelu'(pre). Tolerance: 1e-5 of each result's largest magnitude
// (float32 products and sums over at most 96 terms).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { erf, geluGrad } from '../../../engine/nn/ops/gelu';
import { assertWithinScale } from '../../helpers/close';
import { TestRandom } from '../../helpers/random';

const [M, K] = [96, 40];
const OUT = [24, 16];

const gelu64 = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));


describe('fp32 linear graphs', () => {
  let ort: OrtBackend;
  before(async () => {
    ort = await OrtBackend.create({ threads: 2 });
  });
  after(async () => ort.dispose());

  for (const throughGelu of [false, true]) {
    for (const remake of throughGelu ? [false, true] : [false]) {
      const name = throughGelu ? `through GELU (x ${remake ? 'remade from pre in the graph' : 'given'})` : 'plain';
      test(`two layers sharing x, with an addend, ${name}: equal to float64`, async () => {
        const rnd = new TestRandom(throughGelu ? (remake ? 3 : 2) : 1);
        const pre = Float32Array.from({ length: M * K }, () => (rnd.uniform() - 0.5) * 8);
        const x = throughGelu ? Float32Array.from(pre, gelu64) : pre;
        const layers = OUT.map((n) => ({ w: rnd.floats(n * K, 0.2), outFeatures: n, bias: rnd.floats(n, 0.1) }));
        const ys = await ort.f32LinearForward(throughGelu ? pre : x, M, layers, { geluInput: throughGelu });
        layers.forEach((l, i) => {
          const want = new Float64Array(M * l.outFeatures);
          for (let r = 0; r < M; r++) for (let j = 0; j < l.outFeatures; j++) {
            let acc = l.bias[j];
            for (let c = 0; c < K; c++) acc += x[r * K + c] * l.w[j * K + c];
            want[r * l.outFeatures + j] = acc;
          }
          assertWithinScale(ys[i], want, 1e-5, `y${i}`);
        });
        const dys = OUT.map((n) => rnd.floats(M * n, 0.05));
        const add = rnd.floats(M * K, 0.05);
        const r = await ort.f32LinearBackward(dys, layers.map((l) => l.w), remake ? null : x, M, { dxAdd: add, geluInput: throughGelu ? pre : undefined });
        const dx = Float64Array.from(add);
        layers.forEach((l, i) => {
          const n = l.outFeatures;
          const dw = new Float64Array(n * K);
          const db = new Float64Array(n);
          for (let row = 0; row < M; row++) for (let j = 0; j < n; j++) {
            const g = dys[i][row * n + j];
            db[j] += g;
            for (let c = 0; c < K; c++) {
              dw[j * K + c] += g * x[row * K + c];
              dx[row * K + c] += g * l.w[j * K + c];
            }
          }
          assertWithinScale(r.layers[i].dw, dw, 1e-5, `dw${i}`);
          assertWithinScale(r.layers[i].db!, db, 1e-5, `db${i}`);
        });
        if (throughGelu) for (let i = 0; i < dx.length; i++) dx[i] *= geluGrad(pre[i]);
        assertWithinScale(r.dx, dx, 1e-5, 'dx');
      });
    }
  }

  test('a backward with neither x nor the pre-activation, or wrong sizes, fails clearly', async () => {
    const rnd = new TestRandom(4);
    const w = rnd.floats(OUT[0] * K);
    const dy = rnd.floats(M * OUT[0]);
    await assert.rejects(ort.f32LinearBackward([dy], [w], null, M), /needs the forward input/);
    await assert.rejects(ort.f32LinearBackward([dy], [w], rnd.floats(M * K), M, { dxAdd: rnd.floats(M) }), /dX addend has/);
  });
});
