// The comparison's arithmetic and table, and how a run's manifest is derived, on made-up runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCompareMarkdown } from '../../../engine/compare/format';
import { runManifest } from '../../../engine/compare/run-manifest';
import { metricSummary, summarizeModes } from '../../../engine/compare/summarize';
import type { CompareRun, CompareSummary } from '../../../engine/compare/types';
import type { Manifest } from '../../../engine/manifest/types';
import type { PrecisionMode } from '../../../engine/nn/precision';

function run(mode: PrecisionMode, seed: number, accuracy: number): CompareRun {
  return { mode, seed, runDir: `/r/${mode}-s${seed}`, origin: 'trained', steps: 10, metrics: { accuracy, loss: 1 - accuracy }, bestStep: 10, finalMetrics: { accuracy, loss: 0.5 }, elapsedMs: 1 };
}

const modes: PrecisionMode[] = ['fp32', 'int8', 'int8-outlier'];
const runs = [run('fp32', 1, 0.9), run('fp32', 2, 0.92), run('int8', 1, 0.8), run('int8', 2, 0.84), run('int8-outlier', 1, 0.88), run('int8-outlier', 2, 0.88)];

function summaryOf(rs: CompareRun[]): CompareSummary {
  const { byMode, gapClosed } = summarizeModes(rs, modes, 'accuracy', true);
  return {
    format: 'octet-compare', version: 1, manifestPath: '/m/octet.json', modelDir: '/m/model', synthetic: { dims: [5, 17], gain: 20 },
    task: 'classification', primaryMetric: 'accuracy', greaterIsBetter: true, modes, seeds: [1, 2], runs: rs, byMode, gapClosed,
    startedAt: '', finishedAt: '',
  };
}

test('mean, sample std, gap to fp32 and the share of the gap closed', () => {
  const s = metricSummary([0.8, 0.84]);
  assert.ok(Math.abs(s.mean - 0.82) < 1e-12);
  assert.ok(Math.abs(s.std! - Math.sqrt(0.0008)) < 1e-12, 'n - 1 in the denominator');
  assert.equal(metricSummary([0.5]).std, null);
  const { byMode, gapClosed } = summarizeModes(runs, modes, 'accuracy', true);
  assert.ok(Math.abs(byMode[1].gapToFp32! - -0.09) < 1e-12);
  assert.ok(Math.abs(byMode[2].gapToFp32! - -0.03) < 1e-12);
  assert.equal(byMode[0].gapToFp32, 0);
  // (0.88 - 0.82) / (0.91 - 0.82)
  assert.ok(Math.abs(gapClosed! - 2 / 3) < 1e-12, `gap closed ${gapClosed}`);
  assert.ok(Math.abs(byMode[1].gapInStd! - 0.09 / Math.sqrt(0.0008)) < 1e-9);
  // The ratio does not depend on the metric's direction: the loss gives the same share.
  assert.ok(Math.abs(summarizeModes(runs, modes, 'loss', false).gapClosed! - 2 / 3) < 1e-12);
  assert.equal(summarizeModes(runs.filter((r) => r.mode !== 'fp32'), ['int8', 'int8-outlier'], 'accuracy', true).gapClosed, null);
  const equal = [run('fp32', 1, 0.8), run('int8', 1, 0.8), run('int8-outlier', 1, 0.9)];
  assert.equal(summarizeModes(equal, modes, 'accuracy', true).gapClosed, null, 'no gap to close');
  // int8 above fp32: the ratio would read as a share closed, but there is no gap.
  const better = [run('fp32', 1, 0.76), run('int8', 1, 0.77), run('int8-outlier', 1, 0.765)];
  assert.equal(summarizeModes(better, modes, 'accuracy', true).gapClosed, null);
  assert.match(formatCompareMarkdown({ ...summaryOf(better), gapClosed: null }), /int8 is not worse than fp32 on accuracy here/);
});

test('the markdown table: points, mean ± std, gaps, and the synthetic note', () => {
  const md = formatCompareMarkdown(summaryOf(runs));
  const lines = md.split('\n');
  assert.equal(lines[0], '| mode | accuracy | eval loss | Δ accuracy vs fp32 | Δ / std | gap closed |');
  assert.equal(lines[2], '| fp32 | 91.00 ± 1.41 | 0.0900 ± 0.0141 | – | – | – |');
  assert.equal(lines[3], '| int8 | 82.00 ± 2.83 | 0.1800 ± 0.0283 | -9.00 | 3.2 | – |');
  assert.equal(lines[4], '| int8-outlier | 88.00 ± 0.00 | 0.1200 ± 0.0000 | -3.00 | 2.1 | 67% |');
  assert.match(md, /SYNTHETIC planted outliers \(dims 5, 17, gain 20\)/);
});

test("a run's manifest: the mode, the seed, its own folder; integer-mode overrides give way, fp32 ones stay", () => {
  const base = {
    output: '/p/runs/x', precision: { mode: 'int8-outlier', threshold: 5 }, train: { seed: 42, epochs: 1 },
    layers: [
      { pattern: 'classifier', override: { mode: 'fp32' } },
      { pattern: 'encoder.**', override: { mode: 'int8-outlier', threshold: 4 } },
    ],
  } as unknown as Manifest;
  const int8 = runManifest(base, 'int8', 43);
  assert.equal(int8.output, '/p/runs/x/compare/int8-s43');
  assert.equal(int8.precision.mode, 'int8');
  assert.equal(int8.train.seed, 43);
  assert.deepEqual(int8.layers, [
    { pattern: 'classifier', override: { mode: 'fp32' } },
    { pattern: 'encoder.**', override: { threshold: 4 } },
  ]);
  const fp32 = runManifest(base, 'fp32', 42);
  assert.deepEqual(fp32.layers.map((l) => l.override.mode), [undefined, undefined]);
  assert.equal(base.precision.mode, 'int8-outlier', 'the original is not modified');
});
