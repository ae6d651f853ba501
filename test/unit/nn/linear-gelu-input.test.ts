// The feed-forward block's output layer reads gelu(pre). Linear.forwardThroughGelu applies GELU
// inside the layer's fused graph; every result must equal GELU run first (the norm graph's op)
// and then the plain forward, bit for bit: y, the statistics, and what the backward gets from the
// saved codes (dW, db, dX).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Linear } from '../../../engine/nn/linear';
import type { LinearPrecision } from '../../../engine/nn/precision';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { plantedActivations, TestRandom } from '../../helpers/random';

const [M, K, N] = [96, 64, 48];

function layer(backend: OrtBackend, precision: Partial<LinearPrecision>): Linear {
  const l = new Linear('ffn.output', K, N, backend, { precision, seed: 11 });
  const rnd = new TestRandom(21);
  l.weight.set(rnd.floats(N * K, 1 / Math.sqrt(K)));
  l.bias!.set(rnd.floats(N, 0.1));
  return l;
}

describe('a linear layer reading gelu(pre)', () => {
  let ort: OrtBackend;
  let graphs: string[];
  let geluCalls: number;
  const gelu = (x: Float32Array, rows: number): Promise<Float32Array> => {
    geluCalls++;
    return ort.geluForward(x, rows);
  };
  before(async () => {
    ort = await OrtBackend.create({ threads: 2 });
    graphs = [];
    const forward = ort.fusedSharedInputForward.bind(ort);
    ort.fusedSharedInputForward = (x, rows, ls, o) => {
      graphs.push(o.geluInput ? 'with gelu' : 'plain');
      return forward(x, rows, ls, o);
    };
  });
  after(async () => ort.dispose());

  const settings: Array<[string, Partial<LinearPrecision>, boolean]> = [
    ['int8-outlier, stochastic backward', { mode: 'int8-outlier' }, true],
    ['int8, nearest backward', { mode: 'int8', backwardRounding: 'nearest' }, true],
    ['int8-outlier, threshold in std units', { mode: 'int8-outlier', thresholdUnits: 'std', threshold: 3 }, true],
    ['fp32 (GELU first: the fused graphs quantize)', { mode: 'fp32' }, false],
    ['per-row exponents (GELU first: the general path)', { mode: 'int8', granularity: 'row' }, false],
  ];
  for (const [name, precision, inGraph] of settings) {
    test(`${name}: equal to GELU first, then the layer`, async () => {
      const rnd = new TestRandom(7);
      // Planted columns of +-30: gelu keeps the positive ones, so outliers reach the split.
      const pre = plantedActivations(rnd, M, K, [3, 40], 30, 0.2);
      const fused = layer(ort, precision);
      const alone = layer(ort, precision);
      graphs.length = 0;
      geluCalls = 0;
      const y = await fused.forwardThroughGelu(pre, M, gelu);
      assert.equal(geluCalls, inGraph ? 0 : 1, 'GELU ran in JS-facing graph');
      if (inGraph) assert.deepEqual(graphs, ['with gelu']);
      assert.deepEqual(y, await alone.forward(await ort.geluForward(pre, M), M));
      assert.deepEqual(fused.lastStats, alone.lastStats);
      if (precision.mode === 'int8-outlier' && precision.thresholdUnits !== 'std') assert.ok((fused.lastStats?.outlierCount ?? 0) > 0, 'outliers reached the split');
      const dy = rnd.floats(M * N, 0.01);
      assert.deepEqual(await fused.backward(dy), await alone.backward(dy));
      assert.deepEqual(fused.gradWeight, alone.gradWeight);
      assert.deepEqual(fused.gradBias, alone.gradBias);
    });
  }

  test('a watched forward (the profiler) sees the activation, not the pre-activation', async () => {
    const pre = new TestRandom(8).floats(M * K, 2);
    const l = layer(ort, { mode: 'int8-outlier' });
    const seen: Float32Array[] = [];
    const own = l.forward.bind(l);
    l.forward = (x, rows) => {
      seen.push(x);
      return own(x, rows);
    };
    geluCalls = 0;
    await l.forwardThroughGelu(pre, M, gelu);
    assert.equal(geluCalls, 1);
    assert.deepEqual(seen, [await ort.geluForward(pre, M)]);
  });

  test('a NaN before GELU and a wrong size are named', async () => {
    const pre = new TestRandom(9).floats(M * K);
    pre[5 * K + 3] = NaN;
    const l = layer(ort, { mode: 'int8' });
    await assert.rejects(l.forwardThroughGelu(pre, M, gelu), /ffn\.output: .*before GELU/);
    await assert.rejects(l.forwardThroughGelu(pre.subarray(1), M, gelu), /ffn\.output: input has/);
  });
});
