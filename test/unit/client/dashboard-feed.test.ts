// What the dashboard host sends: the runs from jobs and from disk, the replay sequence, and the
// profile and comparison views of job results.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompareSummary } from '../../../engine/compare/types';
import type { ActivationProfile, LinearLayerProfile } from '../../../engine/profile/types';
import type { RunEvent } from '../../../engine/train/events';
import { dashboardRuns, replayMessages } from '../../../client/dashboard-feed';
import { JobStore } from '../../../client/job-store';
import { comparisonRows, isActivationProfile, isCompareSummary, layerProfiles } from '../../../client/result-views';
import { isHostToWebviewMessage } from '../../../webview/protocol';

const start = (time: number, mode = 'int8-outlier'): RunEvent => ({ type: 'start', step: 0, epoch: 0, time, totalSteps: 4, mode, task: 'classification', resumedFrom: null, trainExamples: 8, evalExamples: 4, truncated: 0 });
const end = (time: number): RunEvent => ({ type: 'end', step: 4, epoch: 1, time, state: 'completed', metrics: { f1: 0.75 } });
const label = (folder: string): string => folder.split('/').slice(-2).join('/');

describe('dashboard runs', () => {
  it('one run per folder, newest first; a job of this session replaces the folder\'s old history', () => {
    const store = new JobStore();
    store.applyState({ jobId: 'j', state: 'running', manifestUri: 'file:///w/a/octet.json', kind: 'train', runFolder: '/w/runs/a' });
    store.applyEvent({ jobId: 'j', manifestUri: 'file:///w/a/octet.json', event: start(500) });
    const past = [
      { runFolder: '/w/runs/a', state: 'completed' as const, mode: 'int8', task: 'classification', startedAt: 10, finishedAt: 20, metrics: { f1: 0.5 } },
      { runFolder: '/w/runs/b', mode: 'fp32', task: 'regression', startedAt: 30, resumable: true },
    ];
    const disk = new Map<string, RunEvent[]>([['/w/runs/a', [start(10, 'int8'), end(20)]], ['/w/runs/b', [start(30, 'fp32')]]]);
    const runs = dashboardRuns(store.all(), past, disk, label);
    assert.deepEqual(runs.map((r) => [r.summary.runId, r.summary.label, r.summary.state, r.summary.mode, r.summary.startedAt, r.events.length]), [
      ['/w/runs/a', 'runs/a', 'running', 'int8-outlier', 500, 1],
      ['/w/runs/b', 'runs/b', 'cancelled', 'fp32', 30, 1],
    ]);
  });

  it('a job that failed before its first event leaves the folder\'s previous run in place', () => {
    const store = new JobStore();
    store.applyState({ jobId: 'j', state: 'failed', manifestUri: 'file:///w/a/octet.json', kind: 'train', runFolder: '/w/runs/a', message: 'pass --resume' });
    const past = [{ runFolder: '/w/runs/a', state: 'completed' as const, mode: 'int8', task: 'classification', startedAt: 10, finishedAt: 20 }];
    const runs = dashboardRuns(store.all(), past, new Map([['/w/runs/a', [start(10), end(20)]]]), label);
    assert.deepEqual(runs.map((r) => [r.summary.state, r.events.length]), [['completed', 2]]);
  });

  it('replays reset, each run\'s events, then profile and comparison, all valid messages', () => {
    const messages = replayMessages({
      runs: [
        { summary: { runId: 'a', mode: 'int8', task: 'classification', state: 'completed', startedAt: 1 }, events: [start(1), end(2)] },
        { summary: { runId: 'b', mode: 'fp32', task: 'classification', state: 'failed', startedAt: 0 }, events: [] },
      ],
      profile: [],
      comparison: [],
    });
    assert.deepEqual(messages.map((m) => m.type), ['reset', 'events', 'profile', 'comparison']);
    assert.ok(messages.every(isHostToWebviewMessage));
    assert.deepEqual(replayMessages({ runs: [] }), [{ type: 'reset', runs: [] }]);
  });
});

describe('result views', () => {
  const layer = (name: string, verdict: LinearLayerProfile['verdict']): LinearLayerProfile => ({
    name, inFeatures: 32, outFeatures: 32, configuredMode: 'int8', thresholdUnits: 'absolute', gamma: 5,
    input: { rows: 100, cols: 32, maxAbs: 40, mean: 0, std: 1, kurtosis: null, threshold: 5, outlierCount: 12, outlierFraction: 0.004, outlierColumnCount: 2, outlierColumns: [{ dim: 3, count: 10, rowFraction: 0.1, maxAbs: 40 }, { dim: 7, count: 2, rowFraction: 0.02, maxAbs: 9 }], topTokens: [] },
    sqnrDb: { int8: 12, int8Outlier: 30, gapDb: 18, rows: 100 },
    verdict, message: '',
  });

  it('turns a profile into the outlier table\'s rows', () => {
    const profile = { format: 'octet-activation-profile', layers: [layer('encoder.layer.0.attention.self.query', 'outlier-heavy'), layer('classifier', 'clean')] } as unknown as ActivationProfile;
    assert.ok(isActivationProfile(profile));
    assert.ok(!isActivationProfile({ format: 'octet-compare' }));
    const rows = layerProfiles(profile);
    assert.deepEqual(rows[0], {
      name: 'encoder.layer.0.attention.self.query', maxAbs: 40, std: 1, kurtosis: 0, outlierFraction: 0.004,
      outlierColumns: [{ column: 3, count: 10 }, { column: 7, count: 2 }], inputColumns: 32, sqnrInt8Db: 12, sqnrTiledDb: 30,
      verdict: 'outlier-heavy', recommendedMode: 'int8-outlier',
    });
    assert.deepEqual([rows[1].verdict, rows[1].recommendedMode], ['ok', 'int8']);
  });

  it('turns a comparison into rows with the gap to fp32 and the share of the int8 gap closed', () => {
    const metric = (mean: number, std: number | null) => ({ f1: { mean, std, values: [mean] } });
    const summary = {
      format: 'octet-compare', seeds: [1, 2],
      runs: [{ mode: 'fp32', runDir: '/r/fp32-s1' }, { mode: 'int8', runDir: '/r/int8-s1' }, { mode: 'int8-outlier', runDir: '/r/int8-outlier-s1' }],
      byMode: [
        { mode: 'fp32', runs: 1, metrics: metric(0.9, 0.01), gapToFp32: 0, gapInStd: 0 },
        { mode: 'int8', runs: 1, metrics: metric(0.7, null), gapToFp32: -0.2, gapInStd: null },
        { mode: 'int8-outlier', runs: 1, metrics: metric(0.85, 0.02), gapToFp32: -0.05, gapInStd: 2.5 },
      ],
    } as unknown as CompareSummary;
    assert.ok(isCompareSummary(summary));
    const rows = comparisonRows(summary);
    assert.deepEqual(rows.map((r) => [r.mode, r.metric, r.std, Number(r.gapToFp32?.toFixed(3)), Number(r.gapClosed?.toFixed(3)), r.runIds]), [
      ['fp32', 'f1', 0.01, 0, 1, ['/r/fp32-s1']],
      ['int8', 'f1', 0, -0.2, 0, ['/r/int8-s1']],
      ['int8-outlier', 'f1', 0.02, -0.05, 0.75, ['/r/int8-outlier-s1']],
    ]);
  });
});
