// The mlm task's inputs: new masks every epoch, the same ones again for the same (epoch, index)
// whatever the batch, targets only where a token was chosen, and one fixed set for evaluation.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { ReferenceBackend } from '../../../engine/kernels/reference';
import { loadManifest } from '../../../engine/manifest/load';
import type { MlmBatch } from '../../../engine/mlm/collate';
import { setupFineTuning } from '../../../engine/train/fine-tuning-setup';
import { createTinyMlmProject, type TinyMlmProject } from './tiny-mlm-project';

const projects: TinyMlmProject[] = [];
after(() => {
  for (const p of projects) rmSync(p.dir, { recursive: true, force: true });
});

test('masks change with the epoch, repeat for the same (epoch, index), and evaluation is fixed', async () => {
  // fp32: int8's per-tensor scales depend on what else is in a batch, the masks must not.
  const p = await createTinyMlmProject({ precision: { mode: 'fp32' } }, { train: 64, dev: 16 });
  projects.push(p);
  const setup = await setupFineTuning(loadManifest(p.mlmManifestPath), new ReferenceBackend(), { loadTrain: true, loadEval: true });
  const { task } = setup;
  assert.equal(task.type, 'mlm');
  const mask = setup.tokenizer.vocab.special.mask;
  const labelsOf = (indices: number[], epoch: number): MlmBatch => task.trainBatch(indices, epoch).input as MlmBatch;
  const a = labelsOf([0, 1, 2, 3], 0);
  assert.ok(a.labels.length > 0 && a.maskedPositions.length === a.labels.length);
  for (let i = 0; i < a.labels.length; i++) assert.notEqual(a.labels[i], mask, 'targets are the original tokens');
  assert.deepEqual(labelsOf([0, 1, 2, 3], 0), a, 'same epoch, same masks');
  assert.notDeepEqual(labelsOf([0, 1, 2, 3], 1).maskedPositions, a.maskedPositions, 'a new epoch draws new masks');
  // Sequence 2's masks do not depend on its batch or its place in it.
  const alone = labelsOf([2], 0);
  const seq = a.seq;
  const inA = Array.from(a.maskedPositions).filter((q) => Math.floor(q / seq) === 2).map((q) => q % seq);
  assert.deepEqual(Array.from(alone.maskedPositions), inA);
  const first = await task.evaluate(setup.model, 8);
  const again = await task.evaluate(setup.model, 3);
  assert.ok(first !== null && again !== null);
  assert.ok(Math.abs(first.loss - again.loss) < 1e-6, 'the eval masks are fixed, whatever the batch size');
  assert.equal(first.metrics.accuracy, again.metrics.accuracy);
  assert.equal(first.examples, task.evalSize);
});
