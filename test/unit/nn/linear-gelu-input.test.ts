// The feed-forward block's output layer reads gelu(pre). Linear.forwardThroughGelu applies GELU
// inside the layer's graph (the integer modes' fused graph, fp32's Gemm graph); every result must
// equal GELU run first (the norm graph's op) and then the plain forward, bit for bit: y, the
// statistics, and the backward through GELU (dW, db, dX), which in fp32 remakes gelu(pre).
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
    const f32Forward = ort.f32LinearForward.bind(ort);
    ort.f32LinearForward = (x, rows, ls, o) => {
      graphs.push(o?.geluInput ? 'fp32 with gelu' : 'fp32 plain');
      return f32Forward(x, rows, ls, o);
    };
  });
  after(async () => ort.dispose());

  const settings: Array<[string, Partial<LinearPrecision>, string | null]> = [
    ['int8-outlier, stochastic backward', { mode: 'int8-outlier' }, 'with gelu'],
    ['int8, nearest backward', { mode: 'int8', backwardRounding: 'nearest' }, 'with gelu'],
    ['int8-outlier, threshold in std units', { mode: 'int8-outlier', thresholdUnits: 'std', threshold: 3 }, 'with gelu'],
    ['fp32', { mode: 'fp32' }, 'fp32 with gelu'],
    ['per-row exponents (GELU first: the general path)', { mode: 'int8', granularity: 'row' }, null],
  ];
  for (const [name, precision, graph] of settings) {
    const inGraph = graph !== null;
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
      if (inGraph) assert.deepEqual(graphs, [graph]);
      assert.deepEqual(y, await alone.forward(await ort.geluForward(pre, M), M));
      assert.deepEqual(fused.lastStats, alone.lastStats);
      if (precision.mode === 'int8-outlier' && precision.thresholdUnits !== 'std') assert.ok((fused.lastStats?.outlierCount ?? 0) > 0, 'outliers reached the split');
      const dy = rnd.floats(M * N, 0.01);
      assert.deepEqual(await fused.backwardThroughGelu(dy, pre), await alone.backwardThroughGelu(dy, pre));
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

  test('fp32: a plain backward after GELU went into the forward graph says what it needs', async () => {
    const pre = new TestRandom(10).floats(M * K);
    const l = layer(ort, { mode: 'fp32' });
    await l.forwardThroughGelu(pre, M, gelu);
    await assert.rejects(l.backward(new TestRandom(11).floats(M * N)), /ffn\.output: .*needs pre/);
  });

  test('a NaN before GELU and a wrong size are named', async () => {
    const pre = new TestRandom(9).floats(M * K);
    pre[5 * K + 3] = NaN;
    const l = layer(ort, { mode: 'int8' });
    await assert.rejects(l.forwardThroughGelu(pre, M, gelu), /ffn\.output: .*before GELU/);
    await assert.rejects(l.forwardThroughGelu(pre.subarray(1), M, gelu), /ffn\.output: input has/);
  });
});
