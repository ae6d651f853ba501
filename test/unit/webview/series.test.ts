import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type { RunEvent } from '../../../webview/protocol';
import {
  appendEvents,
  createRunTrack,
  downsampleIndices,
  joinSeries,
  learningRateChart,
  lossChart,
  metricCharts,
  metricColor,
  modeColor,
  outlierStrip,
  overlayChart,
  primaryMetric,
  runStatus,
  smoothEma,
  sortLayers,
  throughputChart,
  type RunTrack,
} from '../../../webview/series';
import { syntheticProfile, syntheticRun } from './synthetic-run';

function close(actual: number, expected: number, eps = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= eps, `${actual} ≈ ${expected}`);
}

function trackOf(events: RunEvent[], runId = 'r'): RunTrack {
  return appendEvents(createRunTrack(runId), events);
}

function train(step: number, loss = 1): RunEvent {
  return { type: 'train', step, epoch: step / 10, time: step, loss, learningRate: 1e-5, gradNorm: 1, tokensPerSecond: 1000, etaMs: 0 };
}

describe('smoothEma (TensorBoard smoothing with debiasing)', () => {
  it('matches a hand computation', () => {
    // w = 0.5. Biased EMA: 0.5, 1.25, 2.125; debias by 1 - 0.5^k: 0.5, 0.75, 0.875.
    // The same as weighted means with weights 1; 0.5, 1; 0.25, 0.5, 1.
    const s = smoothEma([1, 2, 3], 0.5);
    close(s[0]!, 1);
    close(s[1]!, 2.5 / 1.5);
    close(s[2]!, 4.25 / 1.75);
  });

  it('starts at the first value (no pull toward zero) and ignores non-finite points', () => {
    const s = smoothEma([10, Number.NaN, 20], 0.9);
    assert.equal(s[0], 10);
    assert.ok(Number.isNaN(s[1]!));
    // Second finite point: (0.9 * 10 + 20) / (0.9 + 1)
    close(s[2]!, (0.9 * 10 + 20) / 1.9);
  });

  it('is the identity at weight 0 and leaves constant series exactly alone', () => {
    assert.deepEqual(smoothEma([3, 1, 2], 0), [3, 1, 2]);
    assert.deepEqual(smoothEma([0.1, 0.1, 0.1, 0.1], 0.95), [0.1, 0.1, 0.1, 0.1]);
    assert.deepEqual(smoothEma([], 0.6), []);
  });
});

describe('downsampleIndices (min/max per bucket)', () => {
  it('keeps every point of a short series', () => {
    assert.deepEqual(downsampleIndices([5, 4, 3], 10), [0, 1, 2]);
  });

  it('keeps spikes and dips of a long series within the budget', () => {
    const n = 100_000;
    const y = Array.from({ length: n }, (_, i) => Math.sin(i / 500) * 0.1 + 1);
    y[54_321] = 100; // one-step spike
    y[77_777] = -50; // one-step dip
    const idx = downsampleIndices(y, 1000);
    assert.ok(idx.length <= 1000, `${idx.length} points`);
    assert.ok(idx.includes(54_321), 'spike kept');
    assert.ok(idx.includes(77_777), 'dip kept');
    assert.equal(idx[0], 0);
    assert.equal(idx[idx.length - 1], n - 1);
    for (let i = 1; i < idx.length; i++) assert.ok(idx[i]! > idx[i - 1]!, 'strictly increasing');
    const kept = idx.map((i) => y[i]!);
    assert.equal(Math.max(...kept), 100);
    assert.equal(Math.min(...kept), -50);
  });

  it('survives non-finite stretches', () => {
    const y = Array.from({ length: 50 }, (_, i) => (i >= 10 && i < 30 ? Number.NaN : i));
    const idx = downsampleIndices(y, 10);
    assert.ok(idx.length <= 10);
    assert.equal(idx[0], 0);
    assert.equal(idx[idx.length - 1], 49);
  });
});

describe('joinSeries', () => {
  it('aligns series on the union of their x values with nulls', () => {
    const joined = joinSeries([
      { x: [1, 2, 4], y: [10, 20, 40] },
      { x: [2, 3], y: [0.2, 0.3] },
    ]);
    assert.deepEqual(joined, [
      [1, 2, 3, 4],
      [10, 20, null, 40],
      [null, 0.2, 0.3, null],
    ]);
  });
});

describe('run tracks', () => {
  const events = syntheticRun({ mode: 'int8-outlier', stopAt: 480 });

  it('collect train columns, evals, metric keys, checkpoints and the outlier sample', () => {
    const t = trackOf(events);
    assert.equal(t.train.step.length, 480);
    assert.equal(t.evals.length, 2);
    assert.deepEqual(t.metricKeys, ['accuracy', 'f1']);
    assert.equal(t.checkpoints.length, 2);
    assert.equal(t.outliers?.step, 300);
    assert.equal(t.end, null);
  });

  it('are idempotent under a replay without reset', () => {
    const once = trackOf(events);
    const twice = appendEvents(trackOf(events), events);
    assert.deepEqual(twice.train, once.train);
    assert.deepEqual(twice.evals, once.evals);
    assert.deepEqual(twice.metricKeys, once.metricKeys);
  });

  it('drop what came after the checkpoint when a run resumes', () => {
    const t = trackOf(events);
    appendEvents(t, [
      { type: 'start', step: 400, epoch: 2, time: 9e12, totalSteps: 600, mode: 'int8-outlier', task: 'mrpc', resumedFrom: 400, trainExamples: 1, evalExamples: 1, truncated: 0 },
      train(401, 0.3),
    ]);
    assert.equal(t.train.step.length, 401);
    assert.equal(t.train.step[400], 401);
    assert.equal(t.train.loss[400], 0.3);
    assert.equal(t.evals.length, 2, 'the eval at step 400 stays');
    assert.equal(t.startedAt, events[0]!.time, 'keeps the original start time');
  });

  it('replace points from a repeated step on, and start over on a fresh start', () => {
    const t = trackOf([train(1), train(2), train(3), train(2, 0.5)]);
    assert.deepEqual(t.train.step, [1, 2]);
    assert.deepEqual(t.train.loss, [1, 0.5]);
    appendEvents(t, [events[0]!]);
    assert.equal(t.train.step.length, 0);
  });
});

describe('runStatus', () => {
  it('reports step, epochs, ETA, throughput and the best eval of a running run', () => {
    const events = syntheticRun({ mode: 'int8-outlier', stopAt: 480 });
    const s = runStatus(trackOf(events));
    assert.equal(s.state, 'running');
    assert.equal(s.step, 480);
    assert.equal(s.totalSteps, 600);
    close(s.progress!, 0.8);
    close(s.epoch, 2.4);
    assert.equal(s.totalEpochs, 3);
    assert.equal(s.etaMs, 120 * 180);
    assert.ok(s.tokensPerSecond! > 3800 && s.tokensPerSecond! < 4700);
    assert.equal(s.best?.metric, 'f1');
    assert.equal(s.best?.step, 400);
    assert.equal(s.mode, 'int8-outlier');
  });

  it('reports a finished run as complete, with no ETA', () => {
    const s = runStatus(trackOf(syntheticRun({ mode: 'fp32' })));
    assert.equal(s.state, 'completed');
    assert.equal(s.progress, 1);
    assert.equal(s.etaMs, null);
    assert.equal(s.step, 600);
    assert.ok(s.elapsedMs! > 0);
  });

  it('falls back to the history’s state before any event', () => {
    assert.equal(runStatus(createRunTrack('x'), 'queued').state, 'queued');
    assert.equal(runStatus(createRunTrack('x'), 'failed').state, 'failed');
  });

  it('picks f1, then accuracy, mcc, pearson as the primary metric', () => {
    assert.equal(primaryMetric(['accuracy', 'f1', 'mcc']), 'f1');
    assert.equal(primaryMetric(['mcc', 'accuracy']), 'accuracy');
    assert.equal(primaryMetric(['spearman', 'pearson', 'mse']), 'pearson');
    assert.equal(primaryMetric(['custom']), 'custom');
    assert.equal(primaryMetric([]), null);
  });
});

describe('chart specs', () => {
  const track = trackOf(syntheticRun({ mode: 'fp32' }));

  it('loss: raw (faint, no legend), smoothed and eval points, aligned on the step', () => {
    const spec = lossChart(track, { smoothing: 0.6, maxPoints: 2000 });
    assert.deepEqual(
      spec.series.map((s) => [s.label, s.legend, s.points]),
      [
        ['train (raw)', false, false],
        ['train (smoothed)', true, false],
        ['eval', true, true],
      ],
    );
    assert.ok(spec.series[0]!.alpha < 0.5);
    const [x, raw, smooth, evalLoss] = spec.data;
    assert.equal(x.length, 600);
    assert.ok(raw!.length === 600 && smooth!.length === 600 && evalLoss!.length === 600);
    assert.deepEqual(
      x.filter((_, i) => evalLoss![i] !== null),
      [200, 400, 600],
    );
    const expected = smoothEma(track.train.loss, 0.6);
    close(smooth![599]!, expected[599]!);
  });

  it('downsamples long runs but keeps the loss spike', () => {
    const spec = lossChart(track, { smoothing: 0.6, maxPoints: 100 });
    assert.ok(spec.data[0].length <= 100 + 3, 'at most 100 train points, plus the 3 eval steps');
    const spike = Math.max(...track.train.loss);
    assert.ok(spec.data[1].includes(spike), 'the spike is drawn');
  });

  it('metrics in [-1, 1] share a chart, others get their own', () => {
    const t = trackOf([
      { type: 'eval', step: 10, epoch: 1, time: 0, loss: 1, metrics: { pearson: 0.8, spearman: 0.79, mse: 2.5 }, best: true },
      { type: 'eval', step: 20, epoch: 2, time: 0, loss: 1, metrics: { pearson: 0.85, spearman: 0.84, mse: 1.5 }, best: true },
    ]);
    const charts = metricCharts(t);
    assert.deepEqual(
      charts.map((c) => [c.id, c.series.map((s) => s.metric)]),
      [
        ['metrics', ['pearson', 'spearman']],
        ['metric-mse', ['mse']],
      ],
    );
    assert.deepEqual(charts[1]!.data, [
      [10, 20],
      [2.5, 1.5],
    ]);
  });

  it('learning rate and throughput follow the train steps', () => {
    const lr = learningRateChart(track);
    assert.equal(lr.data[0].length, 600);
    assert.equal(Math.max(...(lr.data[1] as number[])), 2e-5);
    const tp = throughputChart(track);
    assert.equal(tp.series.length, 2);
  });
});

describe('overlay colors', () => {
  it('are fixed per mode: fp32 blue, int8 orange, int8-outlier green; others stable by name', () => {
    assert.equal(modeColor('fp32'), 'blue');
    assert.equal(modeColor('int8'), 'orange');
    assert.equal(modeColor('int8-outlier'), 'green');
    const other = modeColor('int4');
    assert.equal(modeColor('int4'), other);
    assert.ok(['purple', 'yellow', 'red'].includes(other));
    assert.equal(metricColor('f1'), metricColor('f1'));
  });

  it('do not depend on the order of the runs; another seed of a mode is dashed', () => {
    const runs = (['int8-outlier', 'fp32', 'int8'] as const).map((mode) => ({
      track: trackOf(syntheticRun({ mode }), mode),
      mode,
      label: mode,
    }));
    const a = overlayChart(runs, { kind: 'loss' });
    const b = overlayChart([...runs].reverse(), { kind: 'loss' });
    const colors = (spec: typeof a) => Object.fromEntries(spec.series.map((s) => [s.label, s.color]));
    assert.deepEqual(colors(a), { fp32: 'blue', int8: 'orange', 'int8-outlier': 'green' });
    assert.deepEqual(colors(b), colors(a));
    const seeds = overlayChart([runs[1]!, { ...runs[1]!, label: 'fp32 · seed 2' }], { kind: 'metric', metric: 'f1' });
    assert.deepEqual(
      seeds.series.map((s) => [s.color, s.dash ?? null]),
      [
        ['blue', null],
        ['blue', [6, 4]],
      ],
    );
    assert.deepEqual(seeds.data[0], [200, 400, 600]);
  });
});

describe('outlier profile shaping', () => {
  it('bins outlier columns over the input width', () => {
    const bins = outlierStrip(
      [
        { column: 0, count: 2 },
        { column: 767, count: 5 },
        { column: 384, count: 1 },
      ],
      768,
      8,
    );
    assert.deepEqual(bins, [2, 0, 0, 0, 1, 0, 0, 5]);
    assert.deepEqual(outlierStrip([], 768, 4), [0, 0, 0, 0]);
    assert.equal(outlierStrip([{ column: 2, count: 1 }], 3, 48).length, 3, 'no more bins than columns');
  });

  it('sorts layers by SQNR gain or outlier share, ties in model order', () => {
    const layers = syntheticProfile();
    const byGain = sortLayers(layers, { key: 'sqnrGap', descending: true });
    const gains = byGain.map((l) => l.sqnrTiledDb - l.sqnrInt8Db);
    for (let i = 1; i < gains.length; i++) assert.ok(gains[i - 1]! >= gains[i]!);
    assert.equal(byGain[0]!.verdict, 'outlier-heavy');
    const byShare = sortLayers(layers, { key: 'outlierFraction', descending: false });
    assert.equal(byShare[byShare.length - 1]!.verdict, 'outlier-heavy');
    const zeros = byShare.filter((l) => l.outlierFraction === 0).map((l) => layers.indexOf(l));
    assert.deepEqual(zeros, [...zeros].sort((p, q) => p - q), 'ties keep the profile order');
    assert.deepEqual(sortLayers(layers, { key: 'index', descending: false }), layers);
  });
});
