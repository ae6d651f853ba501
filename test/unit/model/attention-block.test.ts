// The attention block's backward as one graph (AttentionRunner.blockBackward): the LayerNorm
// after the block, output projection, attention core and query/key/value with the residual
// branch, so dA, dSum, dContext and dQ, dK, dV never leave onnxruntime. Every result must equal
// the four calls one after the other, bit for bit: dX, the four layers' dW and db and the
// LayerNorm's gamma and beta gradients, with dropout in the core and the LayerNorm and stochastic
// rounding.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Linear } from '../../../engine/nn/linear';
import type { LinearPrecision } from '../../../engine/nn/precision';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { attentionRunner } from '../../../engine/model/attention-runner';
import { normRunner } from '../../../engine/model/norm-runner';
import { newParam, type Param } from '../../../engine/model/params';
import { Rng } from '../../../engine/nn/ops/rng';
import { plantedActivations, TestRandom } from '../../helpers/random';

const s = { batch: 3, seq: 16, heads: 2, hidden: 32 };
const ROWS = s.batch * s.seq;

interface Block {
  qkv: Linear[];
  out: Linear;
  gamma: Param;
  beta: Param;
}

function block(backend: OrtBackend, precision: Partial<LinearPrecision>): Block {
  const make = (name: string, seed: number): Linear => {
    const l = new Linear(name, s.hidden, s.hidden, backend, { precision, seed });
    const rnd = new TestRandom(seed + 50);
    l.weight.set(rnd.floats(s.hidden * s.hidden, 2 / Math.sqrt(s.hidden)));
    l.bias!.set(rnd.floats(s.hidden, 0.1));
    return l;
  };
  const gamma = newParam('ln.weight', [s.hidden]);
  const beta = newParam('ln.bias', [s.hidden]);
  const rnd = new TestRandom(60);
  gamma.data.set(rnd.floats(s.hidden, 0.5).map((g) => 1 + g));
  beta.data.set(rnd.floats(s.hidden, 0.1));
  return { qkv: [make('query', 1), make('key', 2), make('value', 3)], out: make('attention.output', 4), gamma, beta };
}

describe('the attention block backward as one graph', () => {
  let ort: OrtBackend;
  let blocks: number;
  before(async () => {
    ort = await OrtBackend.create({ threads: 2 });
    const inner = ort.attentionBlockBackward.bind(ort);
    ort.attentionBlockBackward = (...args) => {
      blocks++;
      return inner(...args);
    };
  });
  after(async () => ort.dispose());

  // The LayerNorm's dropout decides the links: with it, dA feeds the output projection; without,
  // dSum feeds both the output projection and the residual branch.
  const settings: Array<[string, Partial<LinearPrecision>, number, boolean]> = [
    ['int8-outlier, stochastic, LayerNorm dropout', { mode: 'int8-outlier' }, 0.1, true],
    ['int8, nearest, no LayerNorm dropout', { mode: 'int8', backwardRounding: 'nearest' }, 0, true],
    ['fp32 (one part after the other)', { mode: 'fp32' }, 0.1, false],
  ];
  for (const [name, precision, lnDropout, oneGraph] of settings) {
    test(`${name}: equal to the parts one after the other`, async () => {
      const rnd = new TestRandom(9);
      const x = plantedActivations(rnd, ROWS, s.hidden, [4, 20], 15, 0.2);
      const mask = new Uint8Array(ROWS).fill(1);
      mask.fill(0, ROWS - 5); // padding in the last sequence
      const runner = attentionRunner(ort);
      const norm = normRunner(ort);
      const dims = { rows: ROWS, dim: s.hidden, eps: 1e-12 };
      const run = async (b: Block): Promise<{ y: Float32Array; saved: unknown; normSaved: unknown }> => {
        const [q, k, v] = await Linear.forwardSharedInput(b.qkv, x, ROWS);
        const rng = new Rng(7);
        const { ctx, saved } = await runner.forward(q, k, v, mask, s, 0.2, rng);
        const ao = await b.out.forward(ctx, ROWS);
        const { y, saved: normSaved } = await norm.residualForward(ao, x, b.gamma, b.beta, dims, lnDropout, rng);
        return { y, saved, normSaved };
      };
      const one = block(ort, precision);
      const steps = block(ort, precision);
      const f1 = await run(one);
      const f2 = await run(steps);
      assert.deepEqual(f1.y, f2.y);
      const dOut = rnd.floats(ROWS * s.hidden, 0.05);
      const dOut2 = rnd.floats(ROWS * s.hidden, 0.05);
      blocks = 0;
      const dx1 = await runner.blockBackward(norm.backwardSource(dOut.slice(), dOut2, f1.normSaved, one.gamma, one.beta, dims), one.out, one.qkv, f1.saved, s);
      assert.equal(blocks, oneGraph ? 1 : 0);
      const { dSum, dA } = await norm.residualBackward(dOut.slice(), dOut2, f2.normSaved, steps.gamma, steps.beta, dims);
      const dctx = await steps.out.backward(dA);
      const { dq, dk, dv } = await runner.backward(dctx, f2.saved, s);
      const dx2 = await Linear.backwardSharedInput(steps.qkv, [dq, dk, dv], dSum);
      assert.deepEqual(dx1, dx2);
      assert.deepEqual(one.gamma.grad, steps.gamma.grad, 'LayerNorm gamma');
      assert.deepEqual(one.beta.grad, steps.beta.grad, 'LayerNorm beta');
      [...one.qkv, one.out].forEach((l, i) => {
        const m = [...steps.qkv, steps.out][i];
        assert.deepEqual(l.gradWeight, m.gradWeight, `${l.name} dW`);
        assert.deepEqual(l.gradBias, m.gradBias, `${l.name} db`);
      });
      await assert.rejects(one.out.backward(dOut), /without a forward pass/);
    });
  }

  test('a wrong gradient size is named', async () => {
    const rnd = new TestRandom(10);
    const x = rnd.floats(ROWS * s.hidden);
    const runner = attentionRunner(ort);
    const norm = normRunner(ort);
    const dims = { rows: ROWS, dim: s.hidden, eps: 1e-12 };
    const b = block(ort, { mode: 'int8' });
    const [q, k, v] = await Linear.forwardSharedInput(b.qkv, x, ROWS);
    const { ctx, saved } = await runner.forward(q, k, v, new Uint8Array(ROWS).fill(1), s, 0, new Rng(1));
    const { saved: normSaved } = await norm.residualForward(await b.out.forward(ctx, ROWS), x, b.gamma, b.beta, dims, 0, new Rng(2));
    await assert.rejects(runner.blockBackward(norm.backwardSource(rnd.floats(ROWS), null, normSaved, b.gamma, b.beta, dims), b.out, b.qkv, saved, s), /layer norm output gradient has/);
  });
});
