// The attention block's backward as one graph (AttentionRunner.blockBackward): output projection,
// attention core and query/key/value with the residual branch, so dContext and dQ, dK, dV never
// leave onnxruntime. Every result must equal the three calls one after the other, bit for bit:
// dX and the four layers' dW and db, with dropout in the core and stochastic rounding.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Linear } from '../../../engine/nn/linear';
import type { LinearPrecision } from '../../../engine/nn/precision';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { attentionRunner } from '../../../engine/model/attention-runner';
import { Rng } from '../../../engine/nn/ops/rng';
import { plantedActivations, TestRandom } from '../../helpers/random';

const s = { batch: 3, seq: 16, heads: 2, hidden: 32 };
const ROWS = s.batch * s.seq;

function block(backend: OrtBackend, precision: Partial<LinearPrecision>): { qkv: Linear[]; out: Linear } {
  const make = (name: string, seed: number): Linear => {
    const l = new Linear(name, s.hidden, s.hidden, backend, { precision, seed });
    const rnd = new TestRandom(seed + 50);
    l.weight.set(rnd.floats(s.hidden * s.hidden, 2 / Math.sqrt(s.hidden)));
    l.bias!.set(rnd.floats(s.hidden, 0.1));
    return l;
  };
  return { qkv: [make('query', 1), make('key', 2), make('value', 3)], out: make('attention.output', 4) };
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

  const settings: Array<[string, Partial<LinearPrecision>, boolean]> = [
    ['int8-outlier, stochastic', { mode: 'int8-outlier' }, true],
    ['int8, nearest', { mode: 'int8', backwardRounding: 'nearest' }, true],
    ['fp32 (one part after the other)', { mode: 'fp32' }, false],
  ];
  for (const [name, precision, oneGraph] of settings) {
    test(`${name}: equal to the parts one after the other`, async () => {
      const rnd = new TestRandom(9);
      const x = plantedActivations(rnd, ROWS, s.hidden, [4, 20], 15, 0.2);
      const mask = new Uint8Array(ROWS).fill(1);
      mask.fill(0, ROWS - 5); // padding in the last sequence
      const runner = attentionRunner(ort);
      const run = async (b: { qkv: Linear[]; out: Linear }): Promise<{ y: Float32Array; saved: unknown }> => {
        const [q, k, v] = await Linear.forwardSharedInput(b.qkv, x, ROWS);
        const { ctx, saved } = await runner.forward(q, k, v, mask, s, 0.2, new Rng(7));
        return { y: await b.out.forward(ctx, ROWS), saved };
      };
      const one = block(ort, precision);
      const steps = block(ort, precision);
      const f1 = await run(one);
      const f2 = await run(steps);
      assert.deepEqual(f1.y, f2.y);
      const dy = rnd.floats(ROWS * s.hidden, 0.05);
      const residual = rnd.floats(ROWS * s.hidden, 0.05);
      blocks = 0;
      const dx1 = await runner.blockBackward(dy, residual, one.out, one.qkv, f1.saved, s);
      assert.equal(blocks, oneGraph ? 1 : 0);
      const dctx = await steps.out.backward(dy);
      const { dq, dk, dv } = await runner.backward(dctx, f2.saved, s);
      const dx2 = await Linear.backwardSharedInput(steps.qkv, [dq, dk, dv], residual);
      assert.deepEqual(dx1, dx2);
      [...one.qkv, one.out].forEach((l, i) => {
        const m = [...steps.qkv, steps.out][i];
        assert.deepEqual(l.gradWeight, m.gradWeight, `${l.name} dW`);
        assert.deepEqual(l.gradBias, m.gradBias, `${l.name} db`);
      });
      await assert.rejects(one.out.backward(dy), /without a forward pass/);
    });
  }

  test('a wrong gradient size is named', async () => {
    const rnd = new TestRandom(10);
    const x = rnd.floats(ROWS * s.hidden);
    const runner = attentionRunner(ort);
    const b = block(ort, { mode: 'int8' });
    const [q, k, v] = await Linear.forwardSharedInput(b.qkv, x, ROWS);
    const { ctx, saved } = await runner.forward(q, k, v, new Uint8Array(ROWS).fill(1), s, 0, new Rng(1));
    await b.out.forward(ctx, ROWS);
    await assert.rejects(runner.blockBackward(rnd.floats(ROWS), x, b.out, b.qkv, saved, s), /attention\.output: output gradient has/);
  });
});
