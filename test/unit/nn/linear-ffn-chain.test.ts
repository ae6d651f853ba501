// The feed-forward block's backward (output layer through GELU, then the intermediate layer) as
// one graph (Linear.backwardThroughGeluInto): d(pre) never leaves onnxruntime. Every result must
// equal the two backward calls one after the other, bit for bit: dX, and both layers' dW and db
// (the rounding noise is drawn in the same order).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Linear } from '../../../engine/nn/linear';
import type { LinearPrecision } from '../../../engine/nn/precision';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { normRunner } from '../../../engine/model/norm-runner';
import { newParam } from '../../../engine/model/params';
import { Rng } from '../../../engine/nn/ops/rng';
import { plantedActivations, TestRandom } from '../../helpers/random';

const [M, H, F] = [96, 32, 64];

function block(backend: OrtBackend, inter: Partial<LinearPrecision>, out: Partial<LinearPrecision>): [Linear, Linear] {
  const make = (name: string, k: number, n: number, precision: Partial<LinearPrecision>, seed: number): Linear => {
    const l = new Linear(name, k, n, backend, { precision, seed });
    const rnd = new TestRandom(seed + 100);
    l.weight.set(rnd.floats(n * k, 2 / Math.sqrt(k)));
    l.bias!.set(rnd.floats(n, 0.1));
    return l;
  };
  return [make('intermediate', H, F, inter, 1), make('output', F, H, out, 2)];
}

describe('the feed-forward backward as one graph', () => {
  let ort: OrtBackend;
  let chained: number;
  before(async () => {
    ort = await OrtBackend.create({ threads: 2 });
    const chain = ort.fusedChainBackward.bind(ort);
    ort.fusedChainBackward = (...args) => {
      chained++;
      return chain(...args);
    };
  });
  after(async () => ort.dispose());

  const settings: Array<[string, Partial<LinearPrecision>, Partial<LinearPrecision>, boolean]> = [
    ['int8-outlier, stochastic', { mode: 'int8-outlier' }, { mode: 'int8-outlier' }, true],
    ['int8, nearest', { mode: 'int8', backwardRounding: 'nearest' }, { mode: 'int8', backwardRounding: 'nearest' }, true],
    ['mixed: int8-outlier in, int8 out, nearest out', { mode: 'int8-outlier' }, { mode: 'int8', backwardRounding: 'nearest' }, true],
    ['fp32 (one after the other)', { mode: 'fp32' }, { mode: 'fp32' }, false],
  ];
  for (const [name, inter, out, inOneGraph] of settings) {
    test(`${name}: equal to the two backward calls`, async () => {
      const rnd = new TestRandom(3);
      const x = plantedActivations(rnd, M, H, [5, 20], 25, 0.2);
      const [i1, o1] = block(ort, inter, out);
      const [i2, o2] = block(ort, inter, out);
      const pre1 = await i1.forward(x, M);
      const pre2 = await i2.forward(x, M);
      assert.deepEqual(pre1, pre2);
      assert.deepEqual(await o1.forwardThroughGelu(pre1, M, (p, r) => ort.geluForward(p, r)), await o2.forwardThroughGelu(pre2, M, (p, r) => ort.geluForward(p, r)));
      const dy = rnd.floats(M * H, 0.02);
      chained = 0;
      const dx1 = await Linear.backwardThroughGeluInto(o1, i1, dy, pre1);
      assert.equal(chained, inOneGraph ? 1 : 0);
      const dx2 = await i2.backward(await o2.backwardThroughGelu(dy, pre2));
      assert.deepEqual(dx1, dx2);
      assert.deepEqual(o1.gradWeight, o2.gradWeight, 'output dW');
      assert.deepEqual(o1.gradBias, o2.gradBias, 'output db');
      assert.deepEqual(i1.gradWeight, i2.gradWeight, 'intermediate dW');
      assert.deepEqual(i1.gradBias, i2.gradBias, 'intermediate db');
      // The layers are ready for the next step either way.
      await assert.rejects(i1.backward(dx1), /without a forward pass/);
    });
  }

  // From the LayerNorm after the block (Linear.backwardFromNormThroughGeluInto): its backward
  // joins the graph too; dSum, gamma's and beta's gradients must equal its own call's.
  for (const [name, lnDropout, oneGraph, precision] of [
    ['with LayerNorm dropout', 0.1, true, { mode: 'int8-outlier' }],
    ['without LayerNorm dropout', 0, true, { mode: 'int8', backwardRounding: 'nearest' }],
    ['fp32 (one after the other)', 0.1, false, { mode: 'fp32' }],
  ] as Array<[string, number, boolean, Partial<LinearPrecision>]>) {
    test(`from the LayerNorm, ${name}: equal to the calls one after the other`, async () => {
      const rnd = new TestRandom(5);
      const x = plantedActivations(rnd, M, H, [5, 20], 25, 0.2);
      const norm = normRunner(ort);
      const dims = { rows: M, dim: H, eps: 1e-12 };
      const run = async () => {
        const [inter, out] = block(ort, precision, precision);
        const gamma = newParam('ln.weight', [H]);
        const beta = newParam('ln.bias', [H]);
        gamma.data.fill(1.25);
        beta.data.fill(0.1);
        const pre = await inter.forward(x, M);
        const o = await out.forwardThroughGelu(pre, M, (p, r) => ort.geluForward(p, r));
        const { y, saved } = await norm.residualForward(o, x, gamma, beta, dims, lnDropout, new Rng(3));
        return { inter, out, gamma, beta, pre, y, saved };
      };
      const one = await run();
      const steps = await run();
      assert.deepEqual(one.y, steps.y);
      const dOut = rnd.floats(M * H, 0.02);
      chained = 0;
      const r1 = await Linear.backwardFromNormThroughGeluInto(norm.backwardSource(dOut.slice(), null, one.saved, one.gamma, one.beta, dims), one.out, one.inter, one.pre);
      assert.equal(chained, oneGraph ? 1 : 0);
      const { dSum, dA } = await norm.residualBackward(dOut.slice(), null, steps.saved, steps.gamma, steps.beta, dims);
      const dx2 = await steps.inter.backward(await steps.out.backwardThroughGelu(dA, steps.pre));
      assert.deepEqual(r1.dx, dx2);
      assert.deepEqual(r1.dSum, dSum);
      assert.deepEqual(one.gamma.grad, steps.gamma.grad, 'gamma');
      assert.deepEqual(one.beta.grad, steps.beta.grad, 'beta');
      for (const [a, b] of [[one.out, steps.out], [one.inter, steps.inter]]) {
        assert.deepEqual(a.gradWeight, b.gradWeight, `${a.name} dW`);
        assert.deepEqual(a.gradBias, b.gradBias, `${a.name} db`);
      }
    });
  }

  test('a wrong gradient size is named', async () => {
    const rnd = new TestRandom(4);
    const [i1, o1] = block(ort, { mode: 'int8' }, { mode: 'int8' });
    const pre = await i1.forward(rnd.floats(M * H), M);
    await o1.forwardThroughGelu(pre, M, (p, r) => ort.geluForward(p, r));
    await assert.rejects(Linear.backwardThroughGeluInto(o1, i1, rnd.floats(M * H - 1), pre), /output: output gradient has/);
  });
});
