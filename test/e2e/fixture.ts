// The workspace the end-to-end tests open in VS Code: a tiny BERT with SYNTHETIC outliers planted
// in two hidden dimensions (engine/fixtures/plant-outliers.ts), a sentiment-like data set whose
// label one word carries, a valid octet.json that fine-tunes in int8 with outlier tiling, and a
// manifest with mistakes (typo.octet.json) for the Problems panel, and one in plain int8 with
// per-layer modes (int8.octet.json) for the outlier annotations.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { plantOutliersInFolder } from '../../engine/fixtures/plant-outliers-folder';
import { createRandomBert } from '../../engine/model/create-model';
import { TestRandom } from '../helpers/random';
import { sentimentRows, tinyVocab } from '../helpers/tiny-project';

export const PLANTED_DIMS = [5, 21];
export const PLANT_GAIN = 32;

/**
 * int8.octet.json's `layers`: the planted outliers make layer 0's query, key and value inputs
 * outlier-heavy (the embedding LayerNorm output carries the planted dimensions). The query stays
 * fp32, the key runs int8-outlier, the value falls under the global plain int8.
 */
export const INT8_LAYERS = {
  'encoder.layer.0.attention.self.query': { mode: 'fp32' },
  'encoder.layer.0.attention.self.key': { mode: 'int8-outlier' },
};

/** What typo.octet.json gets wrong, and a piece of the message the server gives for each. */
export const TYPO_PROBLEMS = {
  label: { text: '"labl"', message: 'labl' },
  layers: { text: '"encoder.layer.7.*"', message: 'encoder.layer.7.*' },
};

export interface E2eWorkspace {
  dir: string;
  manifestPath: string;
  typoManifestPath: string;
  runFolder: string;
}

/** Writes the workspace into a new folder under `parent` (default: the temp folder). */
export async function createE2eWorkspace(parent = tmpdir(), epochs = 8): Promise<E2eWorkspace> {
  const dir = mkdtempSync(path.join(parent, 'octet-e2e-workspace-'));
  const scratch = mkdtempSync(path.join(tmpdir(), 'octet-e2e-model-'));
  try {
    const vocabFile = path.join(scratch, 'vocab.txt');
    writeFileSync(vocabFile, tinyVocab().join('\n') + '\n');
    await createRandomBert(path.join(scratch, 'model'), { vocabFile, hidden: 32, layers: 2, heads: 2, ffn: 64, maxPositions: 64, seed: 1 });
    await plantOutliersInFolder(path.join(scratch, 'model'), path.join(dir, 'model'), { dims: PLANTED_DIMS, gain: PLANT_GAIN });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const rnd = new TestRandom(5);
  mkdirSync(path.join(dir, 'data'));
  const tsv = (rows: { sentence: string; label: string }[]): string => 'sentence\tlabel\n' + rows.map((r) => `${r.sentence}\t${r.label}`).join('\n') + '\n';
  writeFileSync(path.join(dir, 'data', 'train.tsv'), tsv(sentimentRows(rnd, 512)));
  writeFileSync(path.join(dir, 'data', 'dev.tsv'), tsv(sentimentRows(rnd, 64)));
  const manifest = {
    version: 1,
    model: 'model',
    task: { type: 'classification' },
    data: { train: 'data/train.tsv', eval: 'data/dev.tsv', text: 'sentence', label: 'label' },
    train: { epochs, batchSize: 16, learningRate: 2e-3, maxSeqLength: 16, seed: 7, warmupRatio: 0.1, evalEvery: 'epoch', saveEvery: 32, metricForBestModel: 'f1' },
    precision: { mode: 'int8-outlier', threshold: 5 },
    output: 'runs/sentiment',
  };
  const manifestPath = path.join(dir, 'octet.json');
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  const typo = {
    ...manifest,
    data: { ...manifest.data, label: 'labl' },
    layers: { 'encoder.layer.7.*': { mode: 'fp32' } },
    output: 'runs/typo',
  };
  const typoManifestPath = path.join(dir, 'typo.octet.json');
  writeFileSync(typoManifestPath, JSON.stringify(typo, null, 2) + '\n');
  const int8 = { ...manifest, precision: { mode: 'int8', threshold: 5 }, layers: INT8_LAYERS, output: 'runs/int8' };
  writeFileSync(path.join(dir, 'int8.octet.json'), JSON.stringify(int8, null, 2) + '\n');
  const schemaError = { ...manifest, train: { ...manifest.train, epochs: 'eight' }, output: 'runs/schema-error' };
  writeFileSync(path.join(dir, 'schema-error.octet.json'), JSON.stringify(schemaError, null, 2) + '\n');
  mkdirSync(path.join(dir, '.vscode'));
  // No trust prompt, no welcome page, no chat side bar: a workspace a test can drive and a screenshot shows.
  writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
    }, null, 2) + '\n');
  return { dir, manifestPath, typoManifestPath, runFolder: path.join(dir, 'runs', 'sentiment') };
}
