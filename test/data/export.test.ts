// The exported ONNX model against Octet's own inference on real data: an SST-2 classifier
// fine-tuned on a slice of the GLUE training set, evaluated on SST-2 dev, and a question-answering
// model over a slice of SQuAD v1.1 dev. Every precision; same batches on both sides.
// Stated tolerance: identical predictions (labels; answer texts). Octet's LayerNorm and GELU run
// in JS, the export's in onnxruntime, so they differ by float32 ulps: fp32 logits within 1e-4 of
// the largest |logit|. In the int8 modes the codes come from the same graphs, but an ulp can move
// an activation across a rounding boundary and change one code by a step: at least 99% of the
// logits bit-identical, and all within 1e-2 of the largest |logit|.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportModel } from '../../engine/export/export-model';
import { OnnxBertModel } from '../../engine/export/onnx-model';
import { OrtBackend } from '../../engine/kernels/ort-backend';
import { loadManifest } from '../../engine/manifest/load';
import type { Manifest } from '../../engine/manifest/types';
import { PRECISION_MODES, type PrecisionMode } from '../../engine/nn/precision';
import { predictAnswers } from '../../engine/squad/answers';
import { inferWindows } from '../../engine/squad/infer';
import { squadSettings } from '../../engine/squad/settings';
import { loadSquadModel, loadSquadSet } from '../../engine/squad/setup';
import { evaluate } from '../../engine/train/evaluate';
import { RunFolder } from '../../engine/train/run-folder';
import { setupRun } from '../../engine/train/setup';
import { train } from '../../engine/train/trainer';
import { createGlueModel, createGlueProject, sharedFile, type GlueProject } from './helpers/glue-project';

const TOLERANCE: Record<PrecisionMode, number> = { fp32: 1e-4, int8: 1e-2, 'int8-outlier': 1e-2 };
/** In the int8 modes, the share of logits that must be bit-identical. */
const IDENTICAL_SHARE = 0.99;

function withMode(manifest: Manifest, mode: PrecisionMode): string {
  const raw = JSON.parse(readFileSync(manifest.manifestPath, 'utf8')) as Record<string, unknown>;
  const file = path.join(path.dirname(manifest.manifestPath), `${mode}.octet.json`);
  writeFileSync(file, JSON.stringify({ ...raw, precision: { ...(raw.precision as object), mode } }));
  return file;
}

function checkClose(t: TestContext, label: string, mode: PrecisionMode, octet: Float32Array[], onnx: Float32Array[]): void {
  let maxAbs = 0;
  let maxDiff = 0;
  let differ = 0;
  let total = 0;
  assert.equal(onnx.length, octet.length);
  octet.forEach((row, i) => row.forEach((v, j) => {
    maxAbs = Math.max(maxAbs, Math.abs(v));
    maxDiff = Math.max(maxDiff, Math.abs(v - onnx[i][j]));
    if (v !== onnx[i][j]) differ++;
    total++;
  }));
  t.diagnostic(`${label}: ${differ}/${total} logits not bit-identical, max |diff| ${maxDiff.toExponential(2)}, max |logit| ${maxAbs.toFixed(3)}`);
  assert.ok(maxDiff <= TOLERANCE[mode] * maxAbs, `${label}: max |diff| ${maxDiff} over ${TOLERANCE[mode]} * ${maxAbs}`);
  if (mode !== 'fp32') assert.ok(total - differ >= IDENTICAL_SHARE * total, `${label}: only ${total - differ} of ${total} logits bit-identical`);
}

describe('export on real data', () => {
  let backend: OrtBackend;
  const dirs: string[] = [];
  before(async () => {
    backend = await OrtBackend.create({ threads: 2 });
  });
  after(async () => {
    await backend.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('SST-2: a fine-tuned classifier, exported in every precision, predicts the dev set as Octet does', async (t) => {
    const project: GlueProject = await createGlueProject({
      task: 'SST-2',
      train: { rows: 1024, seed: 3 },
      eval: { rows: 320, seed: 4 },
      model: { hidden: 64, heads: 2, ffn: 256, layers: 2 },
      manifest: {
        train: { epochs: 1, batchSize: 32, learningRate: 1e-3, maxSeqLength: 64, seed: 5 },
        precision: { mode: 'int8-outlier', threshold: 5 },
      },
    });
    dirs.push(project.dir);
    const manifest = loadManifest(project.manifestPath);
    await train(manifest, backend, {});
    const modelDir = new RunFolder(manifest.output).modelDir;
    for (const mode of PRECISION_MODES) {
      const m = loadManifest(withMode(manifest, mode));
      const setup = await setupRun(m, backend, { modelDir, loadTrain: false, loadEval: true });
      const o = { task: setup.task, numLabels: setup.numLabels, positiveClass: setup.positiveClass, batchSize: m.train.batchSize, padId: setup.tokenizer.vocab.special.pad };
      const octet = await evaluate(setup.model, setup.eval!.features, o);
      const onnxFile = path.join(project.dir, 'export', mode, 'model.onnx');
      await exportModel({ manifest: m, modelDir, onnxFile });
      const exported = await OnnxBertModel.load(onnxFile, { threads: 2 });
      try {
        const fromOnnx = await evaluate(exported, setup.eval!.features, o);
        assert.deepEqual(fromOnnx.predictions, octet.predictions, `${mode}: labels`);
        assert.deepEqual(fromOnnx.metrics, octet.metrics);
        t.diagnostic(`${mode}: accuracy ${octet.metrics.accuracy.toFixed(4)} on ${octet.predictions.length} dev rows`);
        checkClose(t, `SST-2 ${mode}`, mode, octet.logits, fromOnnx.logits);
      } finally {
        await exported.dispose();
      }
    }
  });

  test('SQuAD: a question-answering model, exported in every precision, gives Octet\'s answers on a dev slice', async (t) => {
    const squad = JSON.parse(readFileSync(sharedFile('squad', 'dev-half-a.json'), 'utf8')) as { version: string; data: unknown[] };
    const dir = mkdtempSync(path.join(tmpdir(), 'octet-export-squad-'));
    dirs.push(dir);
    await createGlueModel(path.join(dir, 'model'), { hidden: 64, heads: 2, ffn: 256, layers: 2, maxPositions: 128 });
    writeFileSync(path.join(dir, 'dev.json'), JSON.stringify({ version: squad.version, data: squad.data.slice(20, 22) }));
    writeFileSync(path.join(dir, 'octet.json'), JSON.stringify({
      version: 1, model: 'model', task: { type: 'squad' },
      data: { train: 'dev.json', eval: 'dev.json' },
      train: { batchSize: 32, maxSeqLength: 128, docStride: 64, seed: 2 },
      precision: { mode: 'int8-outlier', threshold: 2 }, output: 'runs/squad',
    }));
    const manifest = loadManifest(path.join(dir, 'octet.json'));
    for (const mode of PRECISION_MODES) {
      const m = loadManifest(withMode(manifest, mode));
      const { model, tokenizer } = await loadSquadModel(m, backend, m.model);
      const set = loadSquadSet(m, m.data.eval!, tokenizer);
      const pad = tokenizer.vocab.special.pad;
      const octet = await inferWindows(model, set.windows, m.train.batchSize, pad);
      const onnxFile = path.join(dir, 'export', mode, 'model.onnx');
      await exportModel({ manifest: m, modelDir: m.model, onnxFile });
      const exported = await OnnxBertModel.load(onnxFile, { threads: 2 });
      try {
        const fromOnnx = await inferWindows(exported, set.windows, m.train.batchSize, pad);
        const s = squadSettings(m);
        const a = predictAnswers(set.examples, set.windows, octet.logits, s).map((x) => x.text);
        const b = predictAnswers(set.examples, set.windows, fromOnnx.logits, s).map((x) => x.text);
        assert.deepEqual(b, a, `${mode}: answers`);
        t.diagnostic(`${mode}: ${set.examples.length} questions, ${set.windows.length} windows`);
        checkClose(t, `SQuAD ${mode}`, mode, octet.logits.flatMap((w) => [w.start, w.end]), fromOnnx.logits.flatMap((w) => [w.start, w.end]));
      } finally {
        await exported.dispose();
      }
    }
  });
});
