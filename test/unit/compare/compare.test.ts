// `octet compare` end to end on a tiny project: 3 modes x 2 seeds, one run folder each, the
// summary written atomically next to them, finished runs reused when it is started again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareModes } from '../../../engine/compare/compare-modes';
import type { CompareSummary } from '../../../engine/compare/types';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { loadManifest } from '../../../engine/manifest/load';
import { RunFolder } from '../../../engine/train/run-folder';
import { runCli, spawnCli } from '../../helpers/cli';
import { execFileSync } from 'node:child_process';
import { createTinyProject, type TinyProject } from '../../helpers/tiny-project';

const quick = { train: { epochs: 1, batchSize: 32, learningRate: 2e-3, maxSeqLength: 16, seed: 7, evalEvery: 4 } };

describe('octet compare', () => {
  let backend: OrtBackend;
  const projects: TinyProject[] = [];
  before(async () => {
    backend = await OrtBackend.create({ threads: 2 });
  });
  after(async () => {
    await backend.dispose();
    for (const p of projects) rmSync(p.dir, { recursive: true, force: true });
  });

  test('fine-tunes 3 modes x 2 seeds, keeps every run folder and writes the summary', async () => {
    const p = await createTinyProject({ train: { ...quick.train, epochs: 2, batchSize: 16, evalEvery: 16 } }, { trainRows: 512 });
    projects.push(p);
    const manifest = loadManifest(p.manifestPath);
    const lines: string[] = [];
    const s = await compareModes(manifest, backend, { modes: ['fp32', 'int8', 'int8-outlier'], seeds: 2, log: (l) => lines.push(l) });
    assert.deepEqual(s.seeds, [7, 8]);
    assert.equal(s.runs.length, 6);
    assert.deepEqual(s.runs.map((r) => `${r.mode}-s${r.seed}`), ['fp32-s7', 'int8-s7', 'int8-outlier-s7', 'fp32-s8', 'int8-s8', 'int8-outlier-s8']);
    for (const r of s.runs) {
      assert.equal(r.runDir, path.join(manifest.output, 'compare', `${r.mode}-s${r.seed}`));
      assert.equal(r.origin, 'trained');
      const events = await new RunFolder(r.runDir).events();
      assert.equal(events.at(-1)?.type, 'end');
      const start = events[0];
      assert.ok(start.type === 'start' && start.mode === r.mode, 'each run trained in its own mode');
      assert.ok(existsSync(path.join(r.runDir, 'model', 'config.json')), 'final model kept');
      assert.ok(r.metrics.accuracy >= 0 && r.metrics.accuracy <= 1 && typeof r.metrics.loss === 'number');
    }
    assert.notDeepEqual(s.runs[0].metrics, s.runs[3].metrics, 'the seeds differ');
    assert.deepEqual(s.byMode.map((m) => [m.mode, m.runs]), [['fp32', 2], ['int8', 2], ['int8-outlier', 2]]);
    assert.equal(s.byMode[0].metrics.accuracy.values.length, 2);
    assert.equal(s.primaryMetric, 'accuracy');
    const saved = JSON.parse(readFileSync(path.join(manifest.output, 'compare', 'summary.json'), 'utf8')) as CompareSummary;
    assert.deepEqual(saved, JSON.parse(JSON.stringify(s)));
    assert.match(readFileSync(path.join(manifest.output, 'compare', 'summary.md'), 'utf8'), /^\| mode \| accuracy \|/);
    assert.match(lines.join('\n'), /\[6\/6\] int8-outlier, seed 8/);
    // The tiny task is learnable in every mode (the table is not just noise).
    for (const m of s.byMode) assert.ok(m.metrics.accuracy.mean > 0.8, `${m.mode}: ${m.metrics.accuracy.mean}`);

    // Started again: every finished run is reused, and the numbers are the same.
    const again = await compareModes(manifest, backend, { modes: ['fp32', 'int8', 'int8-outlier'], seeds: 2 });
    assert.deepEqual(again.runs.map((r) => r.origin), Array(6).fill('reused'));
    assert.deepEqual(again.byMode, s.byMode);
    // A snapshot from before precision.outlierExponent existed ran with 'own': still the same run.
    const snapshotPath = path.join(s.runs[0].runDir, 'manifest.json');
    const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8'));
    assert.equal(snapshot.precision.outlierExponent, 'own');
    delete snapshot.precision.outlierExponent;
    writeFileSync(snapshotPath, JSON.stringify(snapshot));
    const older = await compareModes(manifest, backend, { modes: ['fp32'], seeds: 1 });
    assert.deepEqual(older.runs.map((r) => r.origin), ['reused']);
    const floored = { ...manifest, precision: { ...manifest.precision, outlierExponent: 'at-least-inlier' as const } };
    await assert.rejects(compareModes(floored, backend, { modes: ['fp32'], seeds: 1 }), /holds a run made with other settings/);
    // With other settings the old folders are not silently reused.
    const changed = { ...manifest, train: { ...manifest.train, learningRate: 1e-3 } };
    await assert.rejects(compareModes(changed, backend, { modes: ['fp32'], seeds: 1 }), /holds a run made with other settings/);
  });

  test('the command prints the table or JSON, and rejects bad modes and seeds', async () => {
    const p = await createTinyProject(quick, { trainRows: 128 });
    projects.push(p);
    const md = runCli(['compare', p.manifestPath, '--modes', 'fp32,int8', '--seeds', '1', '--threads', '1']);
    assert.equal(md.status, 0, md.stderr);
    assert.match(md.stdout, /\| fp32 \| \d+\.\d\d \|/);
    assert.match(md.stdout, /\| int8 \| \d+\.\d\d \|.* \| [-+]\d+\.\d\d \| – \| – \|/);
    assert.match(md.stderr, /\[2\/2\] int8, seed 7/);
    const json = runCli(['compare', p.manifestPath, '--modes', 'fp32,int8', '--seeds', '1', '--json']);
    assert.equal(json.status, 0, json.stderr);
    const s = JSON.parse(json.stdout) as CompareSummary;
    assert.deepEqual(s.runs.map((r) => r.origin), ['reused', 'reused']);
    const bad = runCli(['compare', p.manifestPath, '--modes', 'fp32,int4']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown precision mode "int4"/);
    const seeds = runCli(['compare', p.manifestPath, '--seeds', '0']);
    assert.equal(seeds.status, 2);
    assert.match(seeds.stderr, /--seeds must be a whole number of at least 1/);
  });

  test('--parallel 2 runs in child processes and gives the same table as one after another', async () => {
    const sequential = await createTinyProject(quick, { trainRows: 128 });
    const parallel = await createTinyProject(quick, { trainRows: 128 });
    projects.push(sequential, parallel);
    const args = ['--modes', 'fp32,int8-outlier', '--seeds', '2', '--threads', '1', '--json'];
    const a = runCli(['compare', sequential.manifestPath, ...args]);
    assert.equal(a.status, 0, a.stderr);
    const b = runCli(['compare', parallel.manifestPath, ...args, '--parallel', '2']);
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stderr, /\[4\/4\] int8-outlier, seed 8 \(child process, 1 thread\)/);
    assert.match(b.stderr, /\[fp32 s7\] /, 'child output is labelled with its run');
    const one = JSON.parse(a.stdout) as CompareSummary;
    const two = JSON.parse(b.stdout) as CompareSummary;
    // The children trained; the parent found their finished folders and summarized them.
    assert.deepEqual(two.runs.map((r) => r.origin), Array(4).fill('reused'));
    for (const r of two.runs) assert.ok(r.elapsedMs > 0, 'a reused run reports the time its events span');
    assert.deepEqual(two.runs.map((r) => r.metrics), one.runs.map((r) => r.metrics));
    assert.deepEqual(two.byMode, one.byMode);

    const zero = runCli(['compare', parallel.manifestPath, '--parallel', '0']);
    assert.equal(zero.status, 2);
    assert.match(zero.stderr, /--parallel must be a whole number of at least 1/);
    const only = runCli(['compare', parallel.manifestPath, '--only', 'int8']);
    assert.equal(only.status, 2);
    assert.match(only.stderr, /--only takes MODE:SEED/);
  });

  test('--parallel: when the comparison is killed, its child runs leave too', async () => {
    const p = await createTinyProject({ train: { ...quick.train, epochs: 200 } }, { trainRows: 256 });
    projects.push(p);
    const parent = spawnCli(['compare', p.manifestPath, '--modes', 'fp32,int8', '--seeds', '1', '--parallel', '2', '--threads', '1']);
    let err = '';
    parent.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const children = (): number[] => {
      try {
        return execFileSync('pgrep', ['-f', `${p.manifestPath} --only`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
      } catch {
        return []; // pgrep exits 1 when nothing matches
      }
    };
    const until = async (what: string, ok: () => boolean, ms: number): Promise<void> => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) assert.fail(`${what}; stderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until('both child runs started training', () => /\[fp32 s7\] .*step|\[fp32 s7\] /.test(err) && children().length === 2, 60_000);
    parent.kill('SIGKILL');
    await until('the child runs left after the parent was killed', () => children().length === 0, 20_000);
  });

  test('without evaluation data there is nothing to compare', async () => {
    const p = await createTinyProject({ ...quick, data: { train: 'data/train.tsv', text: 'sentence', label: 'label' } });
    projects.push(p);
    await assert.rejects(compareModes(loadManifest(p.manifestPath), backend, { modes: ['fp32'], seeds: 1 }), /comparing modes needs evaluation data: set data\.eval/);
  });
});
