// The CLI as a user runs it: killed with SIGKILL mid-epoch and resumed, interrupted with Ctrl-C,
// then eval and predict on the result.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { RunEvent } from '../../../engine/train/events';
import { RunFolder } from '../../../engine/train/run-folder';
import { runCli, spawnCli, watchLines } from '../../helpers/cli';
import { createTinyProject, TinyProject } from '../../helpers/tiny-project';
import { withoutTimings } from '../../helpers/run-events';

const projects: TinyProject[] = [];
after(() => {
  for (const p of projects) rmSync(p.dir, { recursive: true, force: true });
});

const schedule = { train: { epochs: 2, batchSize: 16, learningRate: 2e-3, maxSeqLength: 16, seed: 11, saveEvery: 4, evalEvery: 8 } };

test('a run killed with SIGKILL mid-epoch resumes and finishes exactly like an uninterrupted run', async () => {
  const full = await createTinyProject(schedule);
  const cut = await createTinyProject(schedule);
  projects.push(full, cut);
  const whole = runCli(['train', full.manifestPath, '--json']);
  assert.equal(whole.status, 0, whole.stderr);

  const child = spawnCli(['train', cut.manifestPath, '--json']);
  let killedAfter = -1;
  const exit = await watchLines(child, (line) => {
    const e = JSON.parse(line) as RunEvent;
    if (e.type === 'checkpoint' && e.step >= 12) {
      killedAfter = e.step;
      child.kill('SIGKILL');
      return true;
    }
  });
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok(killedAfter > 0 && killedAfter < 32, 'killed during the first epoch');
  const run = new RunFolder(path.join(cut.dir, 'runs/test'));
  const before = await run.events();
  assert.ok(before.some((e) => e.type === 'checkpoint' && e.step === killedAfter), 'events up to the kill are in the file');

  const resumed = runCli(['train', cut.manifestPath, '--resume', '--json']);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stdout, /"resumedFrom":\d+/);
  const fullEvents = await new RunFolder(path.join(full.dir, 'runs/test')).events();
  assert.deepEqual(withoutTimings(await run.events(), cut.dir), withoutTimings(fullEvents, full.dir));
});

test('Ctrl-C saves a checkpoint and exits cleanly; eval and predict use the result', async () => {
  const p = await createTinyProject(schedule);
  projects.push(p);
  const child = spawnCli(['train', p.manifestPath, '--json']);
  const exit = await watchLines(child, (line) => {
    const e = JSON.parse(line) as RunEvent;
    if (e.type === 'train' && e.step === 6) {
      child.kill('SIGINT');
      return true;
    }
  });
  assert.equal(exit.code, 130);
  const run = new RunFolder(path.join(p.dir, 'runs/test'));
  const events = await run.events();
  const end = events.at(-1)!;
  assert.equal(end.type, 'end');
  assert.equal(end.type === 'end' && end.state, 'cancelled');
  const ckpt = run.latestCheckpoint()!;
  assert.ok(ckpt.endsWith(`step-${String(end.step).padStart(6, '0')}`), `checkpoint at the stop: ${ckpt}`);

  const finish = runCli(['train', p.manifestPath, '--resume']);
  assert.equal(finish.status, 0, finish.stderr);
  assert.match(finish.stderr, /resum/);

  const evalOut = runCli(['eval', p.manifestPath, '--json']);
  assert.equal(evalOut.status, 0, evalOut.stderr);
  const metrics = JSON.parse(evalOut.stdout) as { examples: number; metrics: Record<string, number> };
  assert.equal(metrics.examples, 64);
  assert.ok(metrics.metrics.accuracy >= 0 && 'f1' in metrics.metrics);

  const input = path.join(p.dir, 'data', 'dev.tsv');
  const pred = runCli(['predict', p.manifestPath, '--input', input, '--json']);
  assert.equal(pred.status, 0, pred.stderr);
  const lines = pred.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; prediction: string; logits: number[] });
  const rows = readFileSync(input, 'utf8').trim().split('\n').length - 1;
  assert.equal(lines.length, rows);
  assert.deepEqual(lines.map((l) => l.line), Array.from({ length: rows }, (_, i) => i + 2), 'one line per row, in order');
  for (const l of lines) {
    assert.equal(l.logits.length, 2);
    assert.ok(['negative', 'positive'].includes(l.prediction));
  }
});

test('bad inputs give one clear message naming the file and line or field', async () => {
  const p = await createTinyProject();
  projects.push(p);
  const { writeFileSync, appendFileSync } = await import('node:fs');
  appendFileSync(path.join(p.dir, 'data', 'train.tsv'), 'a row without a label column\n');
  let r = runCli(['train', p.manifestPath]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /train\.tsv, line 514/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace for a user error');

  writeFileSync(path.join(p.dir, 'model', 'model.safetensors'), 'not a safetensors file');
  r = runCli(['eval', p.manifestPath]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /model\.safetensors/);

  writeFileSync(path.join(p.dir, 'model', 'pytorch_model.bin'), 'pickle');
  rmSync(path.join(p.dir, 'model', 'model.safetensors'));
  r = runCli(['eval', p.manifestPath]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /never executes code from model files/);

  writeFileSync(p.manifestPath, '{"version": 1, "model": "model", "data": {"train": "x.tsv", "text": 1, "label": 2}, "train": {"batchSize": "32"}}');
  r = runCli(['train', p.manifestPath]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /train\.batchSize/);
  assert.match(r.stderr, /line 1/);
});
