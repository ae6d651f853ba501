// Layers that read the same x (attention's query, key and value) run as one fused graph
// (Linear.forwardSharedInput / backwardSharedInput): every result must equal the layers run one
// by one, bit for bit, except the summed dX (float32 sums in another order: 1e-6 of its scale).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Linear } from '../../../engine/nn/linear';
import type { LinearPrecision } from '../../../engine/nn/precision';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { assertWithinScale } from '../../helpers/close';
import { plantedActivations, TestRandom } from '../../helpers/random';

const [M, K] = [96, 64];
const OUT = [64, 48, 64];

function layers(backend: OrtBackend, precision: (i: number) => Partial<LinearPrecision>): Linear[] {
  return OUT.map((n, i) => {
    const l = new Linear(`layer${i}`, K, n, backend, { precision: precision(i), seed: 10 + i });
    const rnd = new TestRandom(20 + i);
    l.weight.set(rnd.floats(n * K, 1 / Math.sqrt(K)));
    l.bias!.set(rnd.floats(n, 0.1));
    return l;
  });
}


describe('linear layers sharing one input', () => {
  let ort: OrtBackend;
  let calls: string[];
  before(async () => {
    ort = await OrtBackend.create({ threads: 2 });
    // How many layers each graph serves: the shared graphs must really be used where they can be.
    calls = [];
    const forward = ort.fusedSharedInputForward.bind(ort);
    ort.fusedSharedInputForward = (x, rows, ls, o) => {
      calls.push(`forward x${ls.length}`);
      return forward(x, rows, ls, o);
    };
    const f32Forward = ort.f32LinearForward.bind(ort);
    ort.f32LinearForward = (x, rows, ls, o) => {
      calls.push(`fp32 forward x${ls.length}`);
      return f32Forward(x, rows, ls, o);
    };
    const f32Backward = ort.f32LinearBackward.bind(ort);
    ort.f32LinearBackward = (dys, ws, x, rows, extras) => {
      calls.push(`fp32 backward x${dys.length}`);
      return f32Backward(dys, ws, x, rows, extras);
    };
    const backward = ort.fusedSharedInputBackward.bind(ort);
    ort.fusedSharedInputBackward = (dys, saved, noises, extras) => {
      calls.push(`backward x${saved.length}`);
      return backward(dys, saved, noises, extras);
    };
  });
  after(async () => ort.dispose());

  const settings: Array<[string, (i: number) => Partial<LinearPrecision>, boolean]> = [
    ['int8-outlier, stochastic backward', () => ({ mode: 'int8-outlier' }), true],
    ['int8, nearest backward', () => ({ mode: 'int8', backwardRounding: 'nearest' }), true],
    ['int8-outlier, threshold in std units', () => ({ mode: 'int8-outlier', thresholdUnits: 'std', threshold: 3 }), true],
    ['mixed precisions (no sharing)', (i) => ({ mode: i === 1 ? 'int8' : 'int8-outlier' }), false],
    ['fp32 (its own graphs, not the quantizing ones)', () => ({ mode: 'fp32' }), false],
  ];
  for (const [name, precision, shares] of settings) {
    test(`${name}: equal to the layers one by one`, async () => {
      const rnd = new TestRandom(5);
      const x = plantedActivations(rnd, M, K, [3, 40], 30, 0.2);
      const shared = layers(ort, precision);
      const alone = layers(ort, precision);
      calls.length = 0;
      const ys = await Linear.forwardSharedInput(shared, x, M);
      const fp32 = precision(0).mode === 'fp32';
      if (shares) assert.deepEqual(calls, ['forward x3']);
      else if (fp32) assert.deepEqual(calls, ['fp32 forward x3']);
      else assert.ok(!calls.includes('forward x3'), calls.join());
      for (let i = 0; i < OUT.length; i++) {
        assert.deepEqual(ys[i], await alone[i].forward(x, M), `y of layer ${i}`);
        assert.deepEqual(shared[i].lastStats, alone[i].lastStats, `stats of layer ${i}`);
      }
      const dys = OUT.map((n) => rnd.floats(M * n, 0.01));
      const residual = rnd.floats(M * K, 0.01);
      calls.length = 0;
      const dx = await Linear.backwardSharedInput(shared, dys, residual);
      if (shares) assert.deepEqual(calls, ['backward x3']);
      else if (fp32) assert.deepEqual(calls, ['fp32 backward x3']);
      else assert.ok(!calls.includes('backward x3'), calls.join());
      const want = new Float32Array(M * K);
      for (let i = 0; i < OUT.length; i++) {
        const dxi = await alone[i].backward(dys[i]);
        for (let j = 0; j < want.length; j++) want[j] += dxi[j];
        assert.deepEqual(shared[i].gradWeight, alone[i].gradWeight, `dW of layer ${i}`);
        assert.deepEqual(shared[i].gradBias, alone[i].gradBias, `db of layer ${i}`);
      }
      for (let j = 0; j < want.length; j++) want[j] += residual[j];
      assertWithinScale(dx, want, 1e-6, 'dx');
    });
  }

  test('a backward without a shared forward, or with wrong sizes, fails clearly', async () => {
    const rnd = new TestRandom(6);
    const x = rnd.floats(M * K);
    const ls = layers(ort, () => ({ mode: 'int8' }));
    await Linear.forwardSharedInput(ls, x, M);
    await assert.rejects(Linear.backwardSharedInput(ls, [rnd.floats(M * OUT[0]), rnd.floats(M * OUT[1]), rnd.floats(M)], null), /layer2: output gradient has/);
    await assert.rejects(Linear.forwardSharedInput(ls, x.subarray(1), M), /layer0: input has/);
  });
});
