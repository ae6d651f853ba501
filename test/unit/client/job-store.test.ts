// The client's job bookkeeping, the merge of a resumed run's history, the status bar text.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunEvent } from '../../../engine/train/events';
import { JobStore } from '../../../client/job-store';
import { runHistory } from '../../../client/run-history';
import { headlineMetric, manifestLabel, statusText } from '../../../client/status-text';

const URI = 'file:///work/sst2/octet.json';
const start = (step: number, resumedFrom: number | null, time = 1): RunEvent => ({ type: 'start', step, epoch: 0, time, totalSteps: 10, mode: 'int8-outlier', task: 'classification', resumedFrom, trainExamples: 40, evalExamples: 8, truncated: 0 });
const train = (step: number, time = 100 + step): RunEvent => ({ type: 'train', step, epoch: step / 5, time, loss: 1 / step, learningRate: 1e-3, gradNorm: 1, tokensPerSecond: 1000, etaMs: (10 - step) * 1000 });
const checkpoint = (step: number): RunEvent => ({ type: 'checkpoint', step, epoch: step / 5, time: 200 + step, path: `/runs/step-${step}` });
const end = (step: number, state: 'completed' | 'cancelled', time = 300 + step): RunEvent => ({ type: 'end', step, epoch: step / 5, time, state, ...(state === 'completed' && { metrics: { f1: 0.9, accuracy: 0.85 } }) });

describe('job store', () => {
  it('keeps each job\'s state, events and latest figures, and tells listeners', () => {
    const store = new JobStore();
    const changes: string[] = [];
    store.onChange((c) => changes.push(`${c.job.jobId}:${c.kind}`));
    store.applyState({ jobId: 'j1', state: 'queued', manifestUri: URI, kind: 'train', runFolder: '/runs/a', logPath: '/runs/a/logs/x.log' });
    store.applyState({ jobId: 'j1', state: 'running' });
    store.applyEvent({ jobId: 'j1', manifestUri: URI, event: start(0, null) });
    store.applyEvent({ jobId: 'j1', manifestUri: URI, event: train(4) });
    const job = store.get('j1')!;
    assert.deepEqual([job.state, job.step, job.totalSteps, job.etaMs, job.runFolder, job.logPath], ['running', 4, 10, 6000, '/runs/a', '/runs/a/logs/x.log']);
    assert.equal(store.current()?.jobId, 'j1');
    assert.deepEqual(store.active().map((j) => j.jobId), ['j1']);
    store.applyEvent({ jobId: 'j1', manifestUri: URI, event: end(10, 'completed') });
    store.applyState({ jobId: 'j1', state: 'completed' });
    assert.deepEqual(job.metrics, { f1: 0.9, accuracy: 0.85 });
    assert.deepEqual(store.active(), []);
    assert.deepEqual(changes, ['j1:state', 'j1:state', 'j1:event', 'j1:event', 'j1:event', 'j1:state']);
  });

  it('prefers a running job over a newer queued one, and a queued one over ended ones', () => {
    const store = new JobStore();
    store.applyState({ jobId: 'a', state: 'running', manifestUri: URI, kind: 'train' });
    store.applyState({ jobId: 'b', state: 'queued', manifestUri: URI, kind: 'train' });
    assert.equal(store.current()?.jobId, 'a');
    store.applyState({ jobId: 'a', state: 'failed' });
    assert.equal(store.current()?.jobId, 'b');
    store.applyState({ jobId: 'b', state: 'cancelled' });
    assert.equal(store.current()?.jobId, 'b', 'the newest when all ended');
  });
});

describe('run history', () => {
  it('a fresh run is what it streamed, whatever the folder held before', () => {
    const old = [start(0, null, 0), train(1, 5), end(1, 'completed', 6)];
    const live = [start(0, null), train(1), train(2)];
    assert.deepEqual(runHistory(old, live), live);
  });

  it('a resumed run keeps the file up to its checkpoint, one start, then the resumed steps, without duplicates', () => {
    const disk = [start(0, null), train(1), train(2), checkpoint(2), train(3), end(3, 'cancelled')];
    const live = [start(2, 2, 50), train(3, 400), train(4, 401)];
    // The disk may already hold the first resumed events when it is read.
    const diskLater = [start(0, null), train(1), train(2), checkpoint(2), train(3, 400)];
    const expected = [start(0, null), train(1), train(2), checkpoint(2), train(3, 400), train(4, 401)];
    assert.deepEqual(runHistory(disk, live), expected);
    assert.deepEqual(runHistory(diskLater, live), expected);
  });

  it('with nothing streamed yet, the folder\'s events', () => {
    const disk = [start(0, null), train(1)];
    assert.deepEqual(runHistory(disk, []), disk);
  });
});

describe('status bar text', () => {
  const store = new JobStore();
  store.applyState({ jobId: 'j', state: 'running', manifestUri: URI, kind: 'train' });

  it('shows step, epoch and ETA while training, the headline metric when done', () => {
    assert.equal(statusText(store.get('j'))?.text, '$(sync~spin) Octet: fine-tuning');
    store.applyEvent({ jobId: 'j', manifestUri: URI, event: start(0, null) });
    store.applyEvent({ jobId: 'j', manifestUri: URI, event: train(4) });
    const running = statusText(store.get('j'))!;
    assert.equal(running.text, '$(sync~spin) Octet 4/10 · ep 0.80 · ETA 0m06s');
    assert.match(running.tooltip, /fine-tuning sst2\/octet\.json: step 4\/10, loss 0\.2500/);
    store.applyEvent({ jobId: 'j', manifestUri: URI, event: end(10, 'completed') });
    store.applyState({ jobId: 'j', state: 'completed' });
    assert.equal(statusText(store.get('j'))?.text, '$(check) Octet: f1 0.900');
    store.applyState({ jobId: 'j', state: 'failed', message: 'exited with code 2' });
    assert.equal(statusText(store.get('j'))?.text, '$(error) Octet: failed');
    assert.match(statusText(store.get('j'))!.tooltip, /failed: exited with code 2/);
    assert.equal(statusText(undefined), undefined);
  });

  it('picks F1 first, then accuracy, then any metric but the loss', () => {
    assert.deepEqual(headlineMetric({ accuracy: 0.8, f1: 0.7 }), ['f1', 0.7]);
    assert.deepEqual(headlineMetric({ loss: 0.3, pearson: 0.8 }), ['pearson', 0.8]);
    assert.deepEqual(headlineMetric({ loss: 0.3, rouge: 0.2 }), ['rouge', 0.2]);
    assert.equal(headlineMetric({ loss: 0.3 }), undefined);
  });

  it('names a manifest by its folder and file', () => {
    assert.equal(manifestLabel('file:///home/me/my%20project/octet.json'), 'my project/octet.json');
    assert.equal(manifestLabel('octet.json'), 'octet.json');
  });
});
