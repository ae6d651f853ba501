// "New Octet manifest": the scaffolded manifest is valid for the engine, with relative paths and
// the columns read from the data file's first line.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { dataColumns, dataFormatOf, guessColumns, relativePath, scaffoldManifest } from '../../../client/manifest-scaffold';
import { parseManifest } from '../../../engine/manifest/load';

describe('manifest scaffold', () => {
  it('writes a manifest the engine accepts, with paths relative to its folder', () => {
    const dir = path.join(path.sep, 'work', 'proj');
    const manifest = scaffoldManifest({
      manifestDir: dir,
      modelDir: path.join(dir, 'models', 'bert-base-uncased'),
      trainFile: path.join(dir, 'data', 'SST-2', 'train.tsv'),
      evalFile: path.join(dir, 'data', 'SST-2', 'dev.tsv'),
      text: 'sentence',
      label: 'label',
      task: 'classification',
    });
    assert.equal(manifest.model, 'models/bert-base-uncased');
    assert.deepEqual(manifest.data, { train: 'data/SST-2/train.tsv', eval: 'data/SST-2/dev.tsv', text: 'sentence', label: 'label' });
    assert.equal(manifest.output, 'runs/bert-base-uncased');
    const resolved = parseManifest(JSON.stringify(manifest, null, 2), path.join(dir, 'octet.json'));
    assert.equal(resolved.model, path.join(dir, 'models', 'bert-base-uncased'));
    assert.equal(resolved.precision.mode, 'int8-outlier');
  });

  it('keeps a sentence pair column and no eval file', () => {
    const m = scaffoldManifest({ manifestDir: '/p', modelDir: '/models/m', trainFile: '/p/train.csv', text: 'sentence1', textPair: 'sentence2', label: 'score', task: 'regression' });
    assert.deepEqual(m.data, { train: 'train.csv', text: 'sentence1', textPair: 'sentence2', label: 'score' });
    assert.equal(m.model, '../models/m');
    assert.deepEqual(m.task, { type: 'regression' });
    assert.equal((m.train as Record<string, unknown>).evalEvery, undefined);
    assert.doesNotThrow(() => parseManifest(JSON.stringify(m), '/p/octet.json'));
  });

  it('reads column names from TSV, CSV and JSONL first lines', () => {
    assert.deepEqual(dataColumns('\uFEFFsentence\tlabel\r', 'tsv'), ['sentence', 'label']);
    assert.deepEqual(dataColumns('"id","sentence, quoted","la""bel"', 'csv'), ['id', 'sentence, quoted', 'la"bel']);
    assert.deepEqual(dataColumns('{"question1":"a","question2":"b","is_duplicate":1}', 'jsonl'), ['question1', 'question2', 'is_duplicate']);
    assert.deepEqual(dataColumns('not json', 'jsonl'), []);
    assert.equal(dataFormatOf('/d/train.TSV'), 'tsv');
    assert.equal(dataFormatOf('/d/train.parquet'), undefined);
  });

  it('guesses the usual GLUE column names', () => {
    assert.deepEqual(guessColumns(['idx', 'sentence1', 'sentence2', 'label']), { text: 'sentence1', textPair: 'sentence2', label: 'label' });
    assert.deepEqual(guessColumns(['a', 'b']), { text: undefined, textPair: undefined, label: undefined });
    assert.equal(relativePath('/p', '/p'), '.');
  });
});
