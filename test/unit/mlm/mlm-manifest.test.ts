// Mlm manifests: .txt is plain text, no columns needed, the masking rate filled for mlm only,
// and the combinations that cannot work refused with a message naming the field.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseManifest, validateManifestText } from '../../../engine/manifest';
import { MANIFEST_PATH, problemsFor } from '../manifest/fixtures';

const DIR = path.dirname(MANIFEST_PATH);

function mlm(data: Record<string, unknown>, rest: Record<string, unknown> = {}): string {
  return JSON.stringify({ version: 1, model: 'bert', task: { type: 'mlm' }, data, ...rest }, null, 2);
}

test('an mlm manifest over .txt files needs no columns and gets the mlm defaults', () => {
  const m = parseManifest(mlm({ train: 'text/train.txt', eval: 'text/dev.txt' }), MANIFEST_PATH);
  assert.equal(m.task.type, 'mlm');
  assert.equal(m.data.format, 'text');
  assert.equal(m.data.header, false);
  assert.equal(m.data.train, path.join(DIR, 'text/train.txt'));
  assert.equal(m.train.mlmProbability, 0.15);
  assert.equal(m.train.metricForBestModel, 'loss');
  const given = parseManifest(mlm({ train: 'a.txt', eval: 'b.txt' }, { train: { mlmProbability: 0.2, metricForBestModel: 'accuracy' } }), MANIFEST_PATH);
  assert.equal(given.train.mlmProbability, 0.2);
  assert.equal(given.train.metricForBestModel, 'accuracy');
});

test('other tasks get no masking rate, and mlm reads a table column named by data.text', () => {
  const classification = parseManifest(JSON.stringify({ version: 1, model: 'bert', data: { train: 'train.tsv', text: 0, label: 1 } }), MANIFEST_PATH);
  assert.equal(classification.train.mlmProbability, undefined);
  const table = parseManifest(mlm({ train: 'train.tsv', text: 'sentence' }), MANIFEST_PATH);
  assert.equal(table.data.format, 'tsv');
  assert.equal(table.data.text, 'sentence');
});

test('combinations mlm cannot read are refused, naming the field', () => {
  const noColumn = validateManifestText(mlm({ train: 'train.tsv' }));
  assert.match(problemsFor(noColumn, 'data')[0]!.message, /mlm on a tsv file needs data\.text/);
  const label = validateManifestText(mlm({ train: 'train.tsv', text: 'sentence', label: 'label' }));
  assert.match(problemsFor(label, 'data.label')[0]!.message, /label is not read for mlm/);
  const columnInText = validateManifestText(mlm({ train: 'train.txt', text: 'sentence' }));
  assert.match(problemsFor(columnInText, 'data.text')[0]!.message, /plain text file has no columns/);
  const textForClassification = validateManifestText(JSON.stringify({ version: 1, model: 'bert', data: { train: 'x.dat', format: 'text', text: 0, label: 1 } }));
  assert.match(problemsFor(textForClassification, 'data.format')[0]!.message, /text \(plain text\) is read only for mlm tasks/);
  const txtForClassification = validateManifestText(JSON.stringify({ version: 1, model: 'bert', data: { train: 'x.txt', text: 0, label: 1 } }));
  assert.match(problemsFor(txtForClassification, 'data.train')[0]!.message, /cannot tell the data format/);
  const unknown = validateManifestText(mlm({ train: 'corpus.dat' }));
  assert.match(problemsFor(unknown, 'data.train')[0]!.message, /"text" \(plain text\), "tsv", "csv" or "jsonl"/);
  const probability = validateManifestText(mlm({ train: 'a.txt' }, { train: { mlmProbability: 1 } }));
  assert.equal(problemsFor(probability, 'train.mlmProbability').length, 1);
  const numLabels = validateManifestText(mlm({ train: 'a.txt' }, { task: { type: 'mlm', numLabels: 2 } }));
  assert.match(problemsFor(numLabels, 'task.numLabels')[0]!.message, /not mlm/);
  const header = validateManifestText(mlm({ train: 'a.txt', header: true }));
  assert.match(problemsFor(header, 'data.header')[0]!.message, /not plain text/);
});
