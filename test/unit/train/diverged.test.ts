// A run whose loss stops being a finite number must stop with OctetError 'training-diverged',
// naming the step and the last good checkpoint, and leave a metrics.jsonl that ends with an
// `end` event of state 'failed' (so the dashboard and `octet runs` show it as failed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OctetError } from '../../../engine/errors';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { loadManifest } from '../../../engine/manifest/load';
import type { RunEndEvent, RunEvent } from '../../../engine/train/events';
import { RunFolder } from '../../../engine/train/run-folder';
import { train } from '../../../engine/train/trainer';
import { createTinyProject, TinyProject } from '../../helpers/tiny-project';

describe('a diverging run', () => {
  let backend: OrtBackend;
  const projects: TinyProject[] = [];
  before(async () => {
    backend = await OrtBackend.create({ threads: 2 });
  });
  after(async () => {
    await backend.dispose();
    for (const p of projects) rmSync(p.dir, { recursive: true, force: true });
  });

  /** Trains until the run throws; returns the error, the events seen and the run folder. */
  async function failingRun(p: TinyProject): Promise<{ error: OctetError; events: RunEvent[]; run: RunFolder }> {
    const events: RunEvent[] = [];
    let error: unknown;
    try {
      await train(loadManifest(p.manifestPath), backend, { onEvent: (e) => events.push(e) });
    } catch (e) {
      error = e;
    }
    assert.ok(error !== undefined, `the run should have failed; its last events: ${JSON.stringify(events.slice(-3))}`);
    assert.ok(error instanceof OctetError, `expected an OctetError, got ${String(error)}`);
    return { error, events, run: new RunFolder(path.join(p.dir, 'runs/test')) };
  }

  for (const mode of ['fp32', 'int8', 'int8-outlier'] as const) {
    // With AdamW every weight moves by about lr per step, and the decoupled decay multiplies each
    // decayed weight by (1 - lr * 0.01) = -9999 per step: within a few steps the weights, then
    // the activations and the logits overflow float32 (measured: losses 0.7, ~3e6, ~4e10, then NaN
    // at step 4 in every mode and seed tried). In fp32 the loss itself is NaN; in the int8 modes
    // the quantizer meets the NaN first (a 'non-finite' error inside the network), which the
    // trainer reports the same way. Gradient clipping cannot prevent this: it bounds the gradient,
    // not the step. Checkpoints every 2 steps make "the last good checkpoint" a real folder,
    // written before the loss went bad.
    test(`${mode}: learning rate 1e6 stops with 'training-diverged', naming the step and the last good checkpoint`, async () => {
      const p = await createTinyProject({
        precision: { mode },
        train: { epochs: 3, batchSize: 16, learningRate: 1e6, maxSeqLength: 16, seed: 7, saveEvery: 2, evalEvery: 2, keepCheckpoints: 100 },
      });
      projects.push(p);
      const { error, events, run } = await failingRun(p);
      assert.equal(error.code, 'training-diverged', `code ${error.code}: ${error.message}`);

      const trainSteps = events.filter((e) => e.type === 'train');
      const failedAt = trainSteps.length + 1; // the step whose loss was not finite
      assert.ok(failedAt >= 2, `it should take at least one step to diverge, failed at ${failedAt}`);
      assert.ok(failedAt <= 20, `lr 1e6 should diverge within 20 steps, took ${failedAt}`);
      assert.match(error.message, new RegExp(`\\bstep ${failedAt}\\b`), error.message);
      const checkpoints = run.checkpoints();
      assert.ok(checkpoints.length >= 1, 'at least one checkpoint was written before the divergence');
      const lastGood = checkpoints.at(-1)!;
      assert.ok(error.message.includes(lastGood), `message should name ${lastGood}: ${error.message}`);
      assert.ok(Number(path.basename(lastGood).replace('step-', '')) < failedAt, 'the checkpoint predates the bad step');

      const saved = await run.events();
      const end = saved.at(-1) as RunEndEvent;
      assert.equal(end.type, 'end', `metrics.jsonl should end with an end event, ends with ${JSON.stringify(end)}`);
      assert.equal(end.state, 'failed');
      assert.equal(end.step, failedAt - 1, 'the end event is at the last completed step');
      assert.ok(end.message?.includes(lastGood), `end message: ${end.message}`);
      assert.equal(saved.filter((e) => e.type === 'end').length, 1, 'exactly one end event');
      assert.deepEqual(saved, events, 'the file holds exactly the events the caller saw');
    });
  }

  test('a loss that is not finite at the first step: the message says there is no checkpoint yet', async () => {
    // A regression target of 1e39 is a finite decimal, so the loader accepts it, but it does not
    // fit in float32 (max about 3.4e38): the batch's label becomes Infinity and the MSE loss of
    // the very first batch is Infinity, whatever the weights. Every row carries it, so the first
    // batch has one whichever way the data is shuffled.
    const p = await createTinyProject({ task: { type: 'regression' }, train: { epochs: 1, batchSize: 16, learningRate: 1e-3, maxSeqLength: 16 } });
    projects.push(p);
    writeFileSync(path.join(p.dir, 'data', 'train.tsv'), 'sentence\tlabel\n' + Array.from({ length: 32 }, (_, i) => `the movie was good ${i}\t1e39`).join('\n') + '\n');
    writeFileSync(path.join(p.dir, 'data', 'dev.tsv'), 'sentence\tlabel\nthe movie was good\t1\nthe movie was bad\t0\n');
    const { error, events, run } = await failingRun(p);
    assert.equal(error.code, 'training-diverged', `code ${error.code}: ${error.message}`);
    assert.match(error.message, /\bstep 1\b/);
    assert.match(error.message, /no checkpoint/);
    assert.equal(events.filter((e) => e.type === 'train').length, 0);
    assert.equal(run.checkpoints().length, 0);
    const saved = await run.events();
    assert.deepEqual(saved.map((e) => e.type), ['start', 'end']);
    assert.equal((saved[1] as RunEndEvent).state, 'failed');
  });
});
