import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { loadManifest } from '../../../engine/manifest/load';
import { train } from '../../../engine/train/trainer';
import { setupRun } from '../../../engine/train/setup';
import { evaluate } from '../../../engine/train/evaluate';
import { RunFolder } from '../../../engine/train/run-folder';
import type { EvalEvent, RunEvent } from '../../../engine/train/events';
import { createTinyProject, TinyProject } from '../../helpers/tiny-project';
import { withoutTimings } from '../../helpers/run-events';

describe('fine-tuning a tiny BERT end to end', () => {
  let backend: OrtBackend;
  const projects: TinyProject[] = [];
  before(async () => {
    backend = await OrtBackend.create({ threads: 2 });
  });
  after(async () => {
    await backend.dispose();
    for (const p of projects) rmSync(p.dir, { recursive: true, force: true });
  });

  for (const mode of ['fp32', 'int8', 'int8-outlier'] as const) {
    test(`${mode}: learns the cue word, writes events, checkpoints and a final model that loads back identically`, async () => {
      const p = await createTinyProject({ precision: { mode } });
      projects.push(p);
      const manifest = loadManifest(p.manifestPath);
      const events: RunEvent[] = [];
      const result = await train(manifest, backend, { onEvent: (e) => events.push(e) });
      assert.equal(result.state, 'completed');
      const evals = events.filter((e): e is EvalEvent => e.type === 'eval');
      assert.equal(evals.length, 3, 'one evaluation per epoch');
      const best = evals.reduce((a, b) => (b.metrics.accuracy > a.metrics.accuracy ? b : a));
      assert.ok(best.metrics.accuracy >= 0.9, `${mode} dev accuracy ${best.metrics.accuracy}`);
      for (const k of ['accuracy', 'f1', 'matthews']) assert.ok(k in best.metrics, k);
      // The file holds exactly the events the caller saw.
      const run = new RunFolder(result.runDir);
      assert.deepEqual(await run.events(), events);
      // The final model (the best checkpoint's) gives the best evaluation's metrics again.
      const reloaded = await setupRun(manifest, backend, { modelDir: run.modelDir, loadTrain: false, loadEval: true });
      const r = await evaluate(reloaded.model, reloaded.eval!.features, {
        task: 'classification', numLabels: 2, positiveClass: 1, batchSize: 16, padId: 0,
      });
      assert.deepEqual(r.metrics, best.metrics);
      assert.deepEqual(reloaded.id2label, ['negative', 'positive']);
      assert.ok(run.checkpoints().length >= 1 && run.checkpoints().length <= 2, 'keepCheckpoints defaults to 2');
    });
  }

  test('a run folder that already holds a run is not overwritten without --resume', async () => {
    const p = await createTinyProject({ train: { epochs: 1, batchSize: 32, maxSeqLength: 16 } });
    projects.push(p);
    const manifest = loadManifest(p.manifestPath);
    await train(manifest, backend);
    await assert.rejects(train(manifest, backend), /already holds a run/);
    const again = await train(manifest, backend, { resume: true });
    assert.equal(again.state, 'completed');
  });

  test('cancelling keeps a checkpoint, and resuming finishes with the uninterrupted run\'s events', async () => {
    const overrides = { train: { epochs: 2, batchSize: 16, learningRate: 2e-3, maxSeqLength: 16, seed: 3, saveEvery: 5, evalEvery: 8 } };
    const full = await createTinyProject(overrides);
    const cut = await createTinyProject(overrides);
    projects.push(full, cut);
    const fullEvents: RunEvent[] = [];
    await train(loadManifest(full.manifestPath), backend, { onEvent: (e) => fullEvents.push(e) });
    const controller = new AbortController();
    const first = await train(loadManifest(cut.manifestPath), backend, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'train' && e.step === 11) controller.abort();
      },
    });
    assert.equal(first.state, 'cancelled');
    assert.equal(first.steps, 11, 'stops after the step in which it was cancelled');
    const cutRun = new RunFolder(path.join(cut.dir, 'runs/test'));
    assert.ok(cutRun.checkpoints().some((c) => c.endsWith('step-000011')), 'a checkpoint at the cancelled step');
    await train(loadManifest(cut.manifestPath), backend, { resume: true });
    // Identical apart from timings and the cancellation's own checkpoint at step 11.
    const resumed = (await cutRun.events()).filter((e) => !(e.type === 'checkpoint' && e.step === 11));
    assert.deepEqual(withoutTimings(resumed, cut.dir), withoutTimings(fullEvents, full.dir));
  });
});
