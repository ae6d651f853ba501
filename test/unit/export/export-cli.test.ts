// `octet export` as a user runs it: fine-tune a tiny model, export it in each precision, and
// check that `octet eval --onnx` and `octet predict --onnx` give what `octet eval` and `octet
// predict` give for the same model in the same precision; bad inputs exit with code 2 and one line.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../helpers/cli';
import { createTinyProject, TinyProject } from '../../helpers/tiny-project';

const projects: TinyProject[] = [];
after(() => {
  for (const p of projects) rmSync(p.dir, { recursive: true, force: true });
});

interface EvalJson { examples: number; loss: number; metrics: Record<string, number> }
interface PredictJson { line: number; prediction: string; logits: number[] }

function ok(args: string[]): string {
  const r = runCli(args);
  assert.equal(r.status, 0, `octet ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('export, then eval and predict with --onnx agree with Octet in every precision', async (t) => {
  const modes = ['fp32', 'int8', 'int8-outlier'] as const;
  const p = await createTinyProject({
    train: { epochs: 1, batchSize: 16, learningRate: 2e-3, maxSeqLength: 16, seed: 3 },
    // A threshold that the trained model's activations cross, so the outlier path carries weight.
    precision: { mode: 'int8-outlier', threshold: 2 },
  }, { trainRows: 128, evalRows: 48 });
  projects.push(p);
  ok(['train', p.manifestPath]);
  const input = path.join(p.dir, 'data', 'dev.tsv');
  for (const mode of modes) {
    // Octet's own inference in this precision: the same manifest with every layer in `mode`.
    const manifest = JSON.parse(readFileSync(p.manifestPath, 'utf8')) as Record<string, unknown>;
    const modeManifest = path.join(p.dir, `${mode}.octet.json`);
    writeFileSync(modeManifest, JSON.stringify({ ...manifest, precision: { mode, threshold: 2 } }));
    const onnx = path.join(p.dir, 'export', mode, 'model.onnx');
    const exported = JSON.parse(ok(['export', modeManifest, '--onnx', onnx, '--json'])) as { operators: string[] };
    for (const f of ['model.onnx', 'model.export.json', 'config.json', 'vocab.txt']) assert.ok(existsSync(path.join(p.dir, 'export', mode, f)), `${f} written`);
    assert.ok(exported.operators.every((op) => !op.includes('.')), `only default-domain operators: ${exported.operators.join(' ')}`);
    const octet = JSON.parse(ok(['eval', modeManifest, '--json'])) as EvalJson;
    // The folder works as well as the file.
    const fromOnnx = JSON.parse(ok(['eval', modeManifest, '--onnx', path.dirname(onnx), '--json'])) as EvalJson;
    t.diagnostic(`${mode}: octet loss ${octet.loss} acc ${octet.metrics.accuracy}; onnx loss ${fromOnnx.loss} acc ${fromOnnx.metrics.accuracy}`);
    assert.equal(fromOnnx.examples, octet.examples);
    assert.deepEqual(fromOnnx.metrics, octet.metrics);
    assert.ok(Math.abs(fromOnnx.loss - octet.loss) <= 1e-3 * Math.max(1, octet.loss), `loss ${fromOnnx.loss} vs ${octet.loss}`);

    const a = ok(['predict', modeManifest, '--input', input, '--json']).trim().split('\n').map((l) => JSON.parse(l) as PredictJson);
    const b = ok(['predict', modeManifest, '--input', input, '--onnx', onnx, '--json']).trim().split('\n').map((l) => JSON.parse(l) as PredictJson);
    assert.equal(b.length, a.length);
    // Tolerances as test/unit/export/export-vs-octet.test.ts states them.
    const scale = (mode === 'fp32' ? 1e-4 : 1e-2) * Math.max(...a.flatMap((r) => r.logits.map(Math.abs)));
    for (let i = 0; i < a.length; i++) {
      assert.equal(b[i].line, a[i].line);
      assert.equal(b[i].prediction, a[i].prediction, `row ${a[i].line}`);
      for (let j = 0; j < a[i].logits.length; j++) assert.ok(Math.abs(b[i].logits[j] - a[i].logits[j]) <= scale, `row ${a[i].line} logit ${j}: ${b[i].logits[j]} vs ${a[i].logits[j]}`);
    }
  }
});

test('export: a missing checkpoint, a corrupt safetensors file or a bad --onnx give one line and exit code 2', async () => {
  const p = await createTinyProject({ task: { type: 'classification', labels: ['negative', 'positive'] } });
  projects.push(p);
  const out = path.join(p.dir, 'out', 'model.onnx');
  const oneLine = (args: string[], pattern: RegExp): void => {
    const r = runCli(args);
    assert.equal(r.status, 2, `octet ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  };
  oneLine(['export', p.manifestPath, '--checkpoint', path.join(p.dir, 'no-such-dir'), '--onnx', out], /no-such-dir.*no such checkpoint/);
  oneLine(['export', p.manifestPath, '--onnx', out, '--precision', 'int4'], /unknown precision "int4"/);
  const broken = path.join(p.dir, 'broken');
  mkdirSync(broken);
  writeFileSync(path.join(broken, 'config.json'), readFileSync(path.join(p.modelDir, 'config.json')));
  writeFileSync(path.join(broken, 'vocab.txt'), readFileSync(path.join(p.modelDir, 'vocab.txt')));
  writeFileSync(path.join(broken, 'model.safetensors'), 'not a safetensors file');
  oneLine(['export', p.manifestPath, '--checkpoint', broken, '--onnx', out], /model\.safetensors/);
  assert.ok(!existsSync(out), 'nothing written');
  oneLine(['eval', p.manifestPath, '--onnx', path.join(p.dir, 'missing.onnx')], /missing\.onnx/);
  ok(['export', p.manifestPath, '--onnx', out]);
  rmSync(path.join(p.dir, 'out', 'model.export.json'));
  oneLine(['eval', p.manifestPath, '--onnx', out], /model\.export\.json/);
});
