// `octet profile` and `octet bench profile` as a user runs them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ActivationProfile } from '../../../engine/profile/types';
import { runCli } from '../../helpers/cli';
import { createPlantedProject, type PlantedProject } from '../../helpers/planted-project';

const projects: PlantedProject[] = [];
after(() => {
  for (const p of projects) rmSync(p.dir, { recursive: true, force: true });
});

test('octet profile prints the tables and the verdict, and --json the ActivationProfile', async () => {
  const p = await createPlantedProject();
  projects.push(p);
  const text = runCli(['profile', p.plantedManifestPath, '--batches', '3', '--threads', '1']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /SYNTHETIC outliers were planted in this model \(dims 5, 17, gain 20\)/);
  assert.match(text.stdout, /encoder\.layer\.0\.attention\.self\.query .* outlier-heavy/);
  assert.match(text.stdout, /embeddings\.LayerNorm +layernorm-output/);
  assert.match(text.stdout, /Recommended mode: int8-outlier/);
  assert.match(text.stderr, /profiled batch 3\/3/);

  const json = runCli(['profile', p.plantedManifestPath, '--batches', '2', '--json', '--sqnr-rows', '0']);
  assert.equal(json.status, 0, json.stderr);
  const profile = JSON.parse(json.stdout) as ActivationProfile;
  assert.equal(profile.format, 'octet-activation-profile');
  assert.equal(profile.version, 1);
  assert.equal(profile.settings.batches, 2);
  assert.equal(profile.settings.sqnrRowsPerBatch, 0);
  assert.equal(profile.manifestPath, p.plantedManifestPath);
  assert.equal(profile.recommendedMode, 'int8-outlier');
});

test('bad inputs give clear messages', async () => {
  const p = await createPlantedProject();
  projects.push(p);
  const zero = runCli(['profile', p.plantedManifestPath, '--batches', '0']);
  assert.equal(zero.status, 2);
  assert.match(zero.stderr, /--batches must be a whole number of at least 1, got "0"/);
  const missing = runCli(['profile', path.join(p.dir, 'nope.json')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /manifest not found/);
  const manifest = JSON.parse(readFileSync(p.manifestPath, 'utf8')) as Record<string, unknown>;
  const emptyData = path.join(p.dir, 'data', 'empty.tsv');
  writeFileSync(emptyData, 'sentence\tlabel\n');
  const bad = path.join(p.dir, 'empty.octet.json');
  writeFileSync(bad, JSON.stringify({ ...manifest, data: { ...(manifest.data as object), train: 'data/empty.tsv' } }));
  const empty = runCli(['profile', bad]);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /empty\.tsv/);
});

test('a text column of empty strings and a layer pattern that matches nothing are named, for profile and train', async () => {
  const p = await createPlantedProject();
  projects.push(p);
  const manifest = JSON.parse(readFileSync(p.manifestPath, 'utf8')) as Record<string, unknown>;

  const blank = path.join(p.dir, 'data', 'blank.tsv');
  writeFileSync(blank, 'sentence\tlabel\n\t0\n\t1\n\t0\n');
  const blankManifest = path.join(p.dir, 'blank.octet.json');
  writeFileSync(blankManifest, JSON.stringify({ ...manifest, data: { ...(manifest.data as object), train: 'data/blank.tsv' } }));
  for (const command of ['profile', 'train']) {
    const r = runCli([command, blankManifest]);
    assert.equal(r.status, 2, `${command}: ${r.stderr}`);
    assert.match(r.stderr, /blank\.tsv/, command);
    assert.match(r.stderr, /empty/i, command);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${command} printed a stack trace`);
  }

  const typo = path.join(p.dir, 'typo.octet.json');
  writeFileSync(typo, JSON.stringify({ ...manifest, layers: { 'encoder.layer.*.outptu.dense': { mode: 'fp32' } } }));
  for (const command of ['profile', 'train']) {
    const r = runCli([command, typo]);
    assert.equal(r.status, 2, `${command}: ${r.stderr}`);
    assert.match(r.stderr, /typo\.octet\.json, layers\["encoder\.layer\.\*\.outptu\.dense"\]: layer pattern "encoder\.layer\.\*\.outptu\.dense" matches no linear layer of the model \(did you mean "encoder\.layer\.\*\.output\.dense"\?\)/, command);
  }
});
