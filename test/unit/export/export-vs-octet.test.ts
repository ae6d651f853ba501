// The exported ONNX model against Octet's own inference (BertModel on the onnxruntime backend),
// batch by batch on the same padded batches, in all three precisions, for a classification and a
// question-answering model.
// Tolerance: Octet computes embeddings' LayerNorm, GELU and tanh in JS (float64 arithmetic stored
// as float32), the export with ONNX's LayerNormalization, Erf and Tanh (float32): they agree to a
// few float32 ulps. The linear layers, the in-graph DFP quantization and attention are the same
// graphs, so the int8 codes are the same except where an ulp moves a value across a rounding
// boundary and change one code by a step. Stated bounds: identical argmax; fp32 logits within
// 1e-4 * max |logit| of Octet's; int8 modes at least 99% of logits bit-identical and all within
// 1e-2 * max |logit| (test/data/export.test.ts measured 0.5% on SQuAD with 59 of 193,484 logits moved).
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { exportBertModel } from '../../../engine/export/export-model';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { loadManifest } from '../../../engine/manifest/load';
import type { TokenBatch } from '../../../engine/model/batch';
import type { BertModel } from '../../../engine/model/bert-model';
import { PRECISION_MODES, type PrecisionMode } from '../../../engine/nn/precision';
import { collateWindows } from '../../../engine/squad/collate';
import { loadSquadModel, loadSquadSet } from '../../../engine/squad/setup';
import { collate, epochBatches } from '../../../engine/train/batching';
import { setupRun } from '../../../engine/train/setup';
import { createTinyProject, type TinyProject } from '../../helpers/tiny-project';
import { createTinySquadProject, type TinySquadProject } from '../squad/tiny-squad-project';
import { compareOnBatches, createSession } from './tiny-compare';

const TOLERANCE: Record<PrecisionMode, number> = { fp32: 1e-4, int8: 1e-2, 'int8-outlier': 1e-2 };

function setPrecision(model: BertModel, mode: PrecisionMode): void {
  for (const l of model.linears.values()) l.precision = { ...l.precision, mode };
}

async function checkAllPrecisions(t: TestContext, model: BertModel, batches: TokenBatch[], width: number, label: string): Promise<void> {
  for (const mode of PRECISION_MODES) {
    setPrecision(model, mode);
    const session = await createSession(exportBertModel(model, mode).bytes);
    try {
      const c = await compareOnBatches(model, session, batches, width);
      const bound = TOLERANCE[mode] * c.maxAbs;
      t.diagnostic(`${label} ${mode}: ${c.notIdentical}/${c.logits} logits not bit-identical, max |diff| ${c.maxAbsDiff.toExponential(2)} (max |logit| ${c.maxAbs.toFixed(3)}), ${c.outliers} outliers`);
      assert.ok(c.maxAbsDiff <= bound, `${label} ${mode}: max |diff| ${c.maxAbsDiff} over the bound ${bound} (${c.notIdentical}/${c.logits} logits differ)`);
      if (mode !== 'fp32') assert.ok(c.notIdentical <= 0.01 * c.logits, `${label} ${mode}: ${c.notIdentical} of ${c.logits} logits not bit-identical`);
      assert.equal(c.argmaxDiffers, 0, `${label} ${mode}: ${c.argmaxDiffers} of ${c.rows} predictions differ`);
      if (mode === 'int8-outlier') assert.ok(c.outliers > 0, `${label}: the threshold split off no outliers, so the outlier path went untested`);
      else assert.equal(c.outliers, 0);
    } finally {
      await session.release();
    }
  }
}

describe('exported model vs Octet inference', () => {
  let backend: OrtBackend;
  const dirs: string[] = [];
  before(async () => {
    backend = await OrtBackend.create({ threads: 2 });
  });
  after(async () => {
    await backend.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('classification, fp32 / int8 / int8-outlier', async (t) => {
    // A low threshold so that every layer has outliers to split (a random BERT has few above 5).
    const p: TinyProject = await createTinyProject({
      task: { type: 'classification', labels: ['negative', 'positive'] },
      precision: { mode: 'int8-outlier', threshold: 1.5 },
    }, { evalRows: 40 });
    dirs.push(p.dir);
    const manifest = loadManifest(p.manifestPath);
    const setup = await setupRun(manifest, backend, { loadTrain: false, loadEval: true });
    const features = setup.eval!.features;
    const batches = [...epochBatches(features.length, 16, 0, 0, false)].map((ix) => collate(features, ix, setup.tokenizer.vocab.special.pad));
    await checkAllPrecisions(t, setup.model, batches, 2, 'classification');
  });

  test('question answering, fp32 / int8 / int8-outlier', async (t) => {
    const p: TinySquadProject = await createTinySquadProject({ precision: { mode: 'int8-outlier', threshold: 1.5 } }, { train: 4, dev: 12 });
    dirs.push(p.dir);
    const manifest = loadManifest(p.manifestPath);
    const { model, tokenizer } = await loadSquadModel(manifest, backend, manifest.model);
    const set = loadSquadSet(manifest, manifest.data.eval!, tokenizer);
    const batches = [...epochBatches(set.windows.length, 16, 0, 0, false)].map((ix) => collateWindows(set.windows, ix, tokenizer.vocab.special.pad));
    await checkAllPrecisions(t, model, batches, 2, 'question answering');
  });
});
