// profileModel on tiny models with and without SYNTHETIC planted outliers: where it finds them,
// what it concludes, and that it leaves the model exactly as it found it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { loadManifest } from '../../../engine/manifest/load';
import { profileManifest } from '../../../engine/profile/profile-manifest';
import { profileModel } from '../../../engine/profile/profile-model';
import type { ActivationProfile } from '../../../engine/profile/types';
import { setupRun } from '../../../engine/train/setup';
import { calibrationBatches } from '../../../engine/profile/calibration';
import { createPlantedProject, PLANTED_DIMS, PLANTED_GAIN, type PlantedProject } from '../../helpers/planted-project';

/** Layers whose input is a LayerNorm output: where planted dims must show. */
const READS_LAYERNORM = /(attention\.self\.(query|key|value)|intermediate\.dense|pooler\.dense)$/;

describe('profileModel', () => {
  let backend: OrtBackend;
  let project: PlantedProject;
  let planted: ActivationProfile;
  before(async () => {
    backend = await OrtBackend.create({ threads: 2 });
    project = await createPlantedProject();
    planted = await profileManifest(loadManifest(project.plantedManifestPath), backend);
  });
  after(async () => {
    await backend.dispose();
    rmSync(project.dir, { recursive: true, force: true });
  });

  test('lists the planted dims as the top outlier columns of every layer they reach, far ahead of any other', () => {
    const reached = planted.layers.filter((l) => READS_LAYERNORM.test(l.name));
    assert.equal(reached.length, 2 * 4 + 1, 'q, k, v and intermediate of 2 layers, and the pooler');
    for (const l of reached) {
      const cols = l.input.outlierColumns;
      assert.deepEqual(cols.slice(0, 2).map((c) => c.dim).sort((a, b) => a - b), PLANTED_DIMS, `${l.name}: ${JSON.stringify(cols.slice(0, 4))}`);
      const other = cols[2]?.count ?? 0;
      assert.ok(cols[1].count >= 5 * other, `${l.name}: planted ${cols[1].count} vs next ${other}`);
      assert.ok(cols[1].rowFraction > 0.5, `${l.name}: planted dims are outliers on most tokens (${cols[1].rowFraction})`);
    }
    for (const t of planted.tensors.filter((t) => t.kind === 'layernorm-output')) {
      assert.deepEqual(t.stats.outlierColumns.slice(0, 2).map((c) => c.dim).sort((a, b) => a - b), PLANTED_DIMS, t.name);
    }
    // The context and GELU outputs, and the pooled vector, never see the planted dims.
    for (const l of planted.layers.filter((l) => /attention\.output\.dense|\.output\.dense|classifier/.test(l.name))) {
      assert.equal(l.input.outlierCount, 0, `${l.name} input`);
      assert.equal(l.verdict, 'clean');
    }
  });

  test('its SQNR figures show what tiling gains, and the verdict and mode follow', () => {
    const first = planted.layers.find((l) => l.name === 'encoder.layer.0.attention.self.query')!;
    assert.ok(first.sqnrDb.gapDb! > 6, `tiling gains ${first.sqnrDb.gapDb} dB on layer 0's query`);
    assert.ok(first.sqnrDb.int8Outlier! > first.sqnrDb.int8! + 6);
    assert.equal(first.verdict, 'outlier-heavy');
    assert.match(first.message, /dims (5, 17|17, 5).*use int8-outlier/);
    assert.equal(planted.verdict, 'outlier-heavy');
    assert.equal(planted.recommendedMode, 'int8-outlier');
    assert.ok(planted.outlierHeavyLayers.includes(first.name));
    assert.deepEqual(planted.synthetic, { dims: PLANTED_DIMS, gain: PLANTED_GAIN });
    assert.equal(planted.settings.batches, 8, "the manifest's profile.batches default");
    assert.ok(planted.tokens > 0);
  });

  test('names the tokens and survives JSON unchanged (no NaN, Infinity or undefined)', () => {
    const first = planted.layers[0];
    assert.ok(first.input.topTokens.length > 0);
    assert.ok(first.input.topTokens.some((t) => t.token === '[CLS]' || t.token === '[SEP]'), JSON.stringify(first.input.topTokens));
    for (const t of first.input.topTokens) assert.ok(t.occurrences >= 1 && t.count >= 1);
    assert.deepEqual(JSON.parse(JSON.stringify(planted)), planted);
  });

  test('an unplanted model is clean and plain int8 is recommended', async () => {
    const p = await profileManifest(loadManifest(project.manifestPath), backend, { batches: 2 });
    assert.equal(p.verdict, 'clean');
    assert.equal(p.recommendedMode, 'int8');
    assert.equal(p.synthetic, null);
    for (const l of p.layers) {
      assert.equal(l.input.outlierColumnCount, 0, l.name);
      assert.equal(l.sqnrDb.int8, l.sqnrDb.int8Outlier, l.name);
      assert.ok(l.sqnrDb.int8! > 20, `${l.name}: ${l.sqnrDb.int8} dB`);
    }
    assert.equal(p.settings.batches, 2);
  });

  test('the criterion is a setting: a large enough gap turns outlier-heavy into outliers', async () => {
    const manifest = loadManifest(project.plantedManifestPath);
    const lenient = { ...manifest, profile: { ...manifest.profile, criteria: { sqnrGapDb: 200 } } };
    const p = await profileManifest(lenient, backend, { batches: 2 });
    assert.equal(p.verdict, 'outliers');
    assert.equal(p.recommendedMode, 'int8');
    assert.deepEqual(p.outlierHeavyLayers, []);
  });

  test('leaves the model as it found it: same precisions, no wrappers, same int8 outputs', async () => {
    const manifest = loadManifest(project.plantedManifestPath);
    const setup = await setupRun(manifest, backend, { loadTrain: true, loadEval: false });
    const batches = calibrationBatches(setup.train!.features, 16, 1, 2, 0);
    const model = setup.model;
    const before = await model.forward(batches[0], false);
    const precisions = [...model.linears.values()].map((l) => l.precision);
    await profileModel(model, { batches, vocab: setup.tokenizer.vocab.idToToken, criteria: { sqnrGapDb: 6 }, threshold: { gamma: 5, units: 'absolute' } });
    assert.deepEqual([...model.linears.values()].map((l) => l.precision), precisions);
    for (const l of model.linears.values()) assert.ok(!Object.prototype.hasOwnProperty.call(l, 'forward'), l.name);
    for (const l of model.layers) assert.ok(!Object.prototype.hasOwnProperty.call(l, 'forward'));
    assert.deepEqual(await model.forward(batches[0], false), before);
    await assert.rejects(profileModel(model, { batches: [], vocab: [], criteria: { sqnrGapDb: 6 }, threshold: { gamma: 5, units: 'absolute' } }), /at least one calibration batch/);
  });
});
