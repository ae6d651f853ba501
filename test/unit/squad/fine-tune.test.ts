// Squad end to end on a tiny project: training through the shared loop, the official
// predictions file, a final model that loads back with its head and scores the same, exact
// resume, and `octet eval` / `octet predict` on the result.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { loadManifest } from '../../../engine/manifest/load';
import { setupFineTuning } from '../../../engine/train/fine-tuning-setup';
import type { EvalEvent, RunEvent } from '../../../engine/train/events';
import { RunFolder } from '../../../engine/train/run-folder';
import { train } from '../../../engine/train/trainer';
import { runCli } from '../../helpers/cli';
import { createTinySquadProject, type TinySquadProject } from './tiny-squad-project';
import { withoutTimings } from '../../helpers/run-events';

describe('squad fine-tuning on a tiny project', () => {
  let backend: OrtBackend;
  const projects: TinySquadProject[] = [];
  before(async () => {
    backend = await OrtBackend.create({ threads: 2 });
  });
  after(async () => {
    await backend.dispose();
    for (const p of projects) rmSync(p.dir, { recursive: true, force: true });
  });

  test('trains, writes the best answers as predictions.json, and the final model reloads with its head and scores the same', async () => {
    const p = await createTinySquadProject();
    projects.push(p);
    const manifest = loadManifest(p.manifestPath);
    const events: RunEvent[] = [];
    const notes: string[] = [];
    const result = await train(manifest, backend, { onEvent: (e) => events.push(e), log: (l) => notes.push(l) });
    assert.equal(result.state, 'completed');
    assert.ok(notes.some((n) => /qa_outputs initialised/.test(n)), notes.join('\n'));
    assert.ok(notes.some((n) => /training data: 256 questions in 512 windows/.test(n)), notes.join('\n'));
    const start = events[0]!;
    assert.equal(start.type === 'start' && start.task, 'squad');
    assert.equal(start.type === 'start' && start.trainExamples, 512, 'windows are the training inputs');
    const evals = events.filter((e): e is EvalEvent => e.type === 'eval');
    assert.equal(evals.length, 3);
    for (const e of evals) assert.deepEqual(Object.keys(e.metrics).sort(), ['exactMatch', 'f1']);
    const losses = events.flatMap((e) => (e.type === 'train' ? [e.loss] : []));
    assert.ok(losses.at(-1)! < losses[0]!, `training loss ${losses[0]} -> ${losses.at(-1)}`);
    const best = evals.find((e) => e.step === result.best!.step)!;
    assert.equal(result.best!.metric, 'f1', 'squad picks the best model by F1');
    // Without training every answer would be a random span (F1 near 0); the stories are easy.
    assert.ok(best.metrics.f1 >= 0.4, `best F1 ${best.metrics.f1}`);

    // predictions.json: the official {id: answer}, every answer a piece of its own context.
    const run = new RunFolder(result.runDir);
    const predictions = JSON.parse(readFileSync(run.predictionsPath, 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(predictions).sort(), p.devQuestions.map((q) => q.id).sort());
    for (const q of p.devQuestions) assert.ok(q.context.includes(predictions[q.id]!) && predictions[q.id] !== '', `${q.id}: "${predictions[q.id]}"`);
    const em = p.devQuestions.filter((q) => predictions[q.id]!.toLowerCase() === q.answer.toLowerCase()).length / p.devQuestions.length;
    assert.equal(em, best.metrics.exactMatch, 'the file holds the best evaluation\'s answers');

    // The run's model folder is a BertForQuestionAnswering checkpoint and evaluates to the best metrics.
    const config = JSON.parse(readFileSync(path.join(run.modelDir, 'config.json'), 'utf8')) as { architectures: string[] };
    assert.deepEqual(config.architectures, ['BertForQuestionAnswering']);
    const reloaded = await setupFineTuning(manifest, backend, { modelDir: run.modelDir, loadTrain: false, loadEval: true });
    assert.ok(!reloaded.notes.some((n) => /initialised/.test(n)), 'the head loads from the checkpoint');
    const again = await reloaded.task.evaluate(reloaded.model, 16);
    assert.deepEqual(again?.metrics, best.metrics);
    assert.equal(again?.examples, 32);

    // octet eval and octet predict on the result.
    const evalOut = runCli(['eval', p.manifestPath, '--json']);
    assert.equal(evalOut.status, 0, evalOut.stderr);
    const evalJson = JSON.parse(evalOut.stdout) as { examples: number; metrics: Record<string, number> };
    assert.equal(evalJson.examples, 32);
    assert.deepEqual(evalJson.metrics, best.metrics);
    const input = path.join(p.dir, 'questions.jsonl');
    writeFileSync(input, p.devQuestions.map((q) => JSON.stringify({ id: q.id, question: q.question, context: q.context })).join('\n') + '\n');
    const pred = runCli(['predict', p.manifestPath, '--input', input, '--json']);
    assert.equal(pred.status, 0, pred.stderr);
    const lines = pred.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; answer: string; score: number });
    assert.deepEqual(lines.map((l) => l.id), p.devQuestions.map((q) => q.id), 'one line per question, in order');
    for (const l of lines) {
      assert.equal(l.answer, predictions[l.id], 'the same answers as the best evaluation');
      assert.ok(Number.isFinite(l.score));
    }
    const text = runCli(['predict', p.manifestPath, '--input', input]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout.split('\n')[0]!, new RegExp(`^${p.devQuestions[0]!.id}\\t${predictions[p.devQuestions[0]!.id]}\\t-?\\d+\\.\\d{4}$`));
  });

  test('int8-outlier: a cancelled run resumes to exactly the events of an uninterrupted one', async () => {
    const overrides = { precision: { mode: 'int8-outlier', threshold: 5 }, train: { epochs: 2, batchSize: 16, learningRate: 3e-3, maxSeqLength: 20, docStride: 4, seed: 5, saveEvery: 5, evalEvery: 8 } };
    const full = await createTinySquadProject(overrides, { train: 48, dev: 8 });
    const cut = await createTinySquadProject(overrides, { train: 48, dev: 8 });
    projects.push(full, cut);
    const fullEvents: RunEvent[] = [];
    await train(loadManifest(full.manifestPath), backend, { onEvent: (e) => fullEvents.push(e) });
    const controller = new AbortController();
    const first = await train(loadManifest(cut.manifestPath), backend, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'train' && e.step === 7) controller.abort();
      },
    });
    assert.equal(first.state, 'cancelled');
    await train(loadManifest(cut.manifestPath), backend, { resume: true });
    const cutRun = new RunFolder(path.join(cut.dir, 'runs/test'));
    const resumed = (await cutRun.events()).filter((e) => !(e.type === 'checkpoint' && e.step === 7));
    assert.deepEqual(withoutTimings(resumed, cut.dir), withoutTimings(fullEvents, full.dir));
    assert.deepEqual(readFileSync(cutRun.predictionsPath, 'utf8'), readFileSync(path.join(full.dir, 'runs/test/predictions.json'), 'utf8'));
  });
});
