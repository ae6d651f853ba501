// Squad manifests: SQuAD JSON by extension, text and label optional with their jsonl defaults,
// the squad settings filled only for squad, and formats that do not fit the task refused.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseManifest, validateManifestText } from '../../../engine/manifest';
import { MANIFEST_PATH, problemsFor } from './fixtures';

const DIR = path.dirname(MANIFEST_PATH);

function squad(data: Record<string, unknown>, rest: Record<string, unknown> = {}): string {
  return JSON.stringify({ version: 1, model: 'bert', task: { type: 'squad' }, data, ...rest }, null, 2);
}

test('a squad manifest needs no columns; .json is SQuAD JSON and the squad defaults are filled', () => {
  const m = parseManifest(squad({ train: 'squad/train.json', eval: 'squad/dev.json' }), MANIFEST_PATH);
  assert.deepEqual(m.task, { type: 'squad', version2: false });
  assert.deepEqual(m.data, {
    train: path.join(DIR, 'squad/train.json'),
    eval: path.join(DIR, 'squad/dev.json'),
    format: 'json',
    header: false,
    text: 'question',
    textPair: 'context',
    label: 'answers',
  });
  assert.equal(m.train.docStride, 128);
  assert.equal(m.train.maxAnswerLength, 30);
  assert.equal(m.train.nBest, 20);
  assert.equal(m.train.metricForBestModel, 'f1');
});

test('squad jsonl takes its field names from text, textPair and label; the settings can be given', () => {
  const m = parseManifest(squad(
    { train: 'train.jsonl', eval: 'dev.jsonl', text: 'q', textPair: 'passage', label: 'gold' },
    { task: { type: 'squad', version2: true }, train: { docStride: 64, maxAnswerLength: 50, nBest: 10, metricForBestModel: 'exactMatch' } },
  ), MANIFEST_PATH);
  assert.equal(m.data.format, 'jsonl');
  assert.deepEqual([m.data.text, m.data.textPair, m.data.label], ['q', 'passage', 'gold']);
  assert.equal(m.task.version2, true);
  assert.deepEqual([m.train.docStride, m.train.maxAnswerLength, m.train.nBest, m.train.metricForBestModel], [64, 50, 10, 'exactMatch']);
});

test('other tasks still need text and label, and get no squad settings', () => {
  const problems = validateManifestText(JSON.stringify({ version: 1, model: 'bert', data: { train: 'train.tsv' } }));
  assert.equal(problemsFor(problems, 'data.text')[0]!.message, 'missing required property "text"');
  assert.equal(problemsFor(problems, 'data.label')[0]!.message, 'missing required property "label"');
  assert.equal(problems.length, 2, problems.map((p) => p.message).join('\n'));
  const m = parseManifest(JSON.stringify({ version: 1, model: 'bert', data: { train: 'train.tsv', text: 0, label: 1 } }), MANIFEST_PATH);
  assert.equal(m.train.docStride, undefined);
  assert.equal(m.task.version2, undefined);
});

test('formats that do not fit the task are refused with a message naming the field', () => {
  const csv = validateManifestText(squad({ train: 'train.csv' }));
  assert.match(problemsFor(csv, 'data.train')[0]!.message, /squad data is SQuAD JSON \(\.json\) or jsonl, not csv/);
  const explicit = validateManifestText(squad({ train: 'train.txt', format: 'tsv' }));
  assert.match(problemsFor(explicit, 'data.format')[0]!.message, /not tsv/);
  const unknown = validateManifestText(squad({ train: 'train.txt' }));
  assert.match(problemsFor(unknown, 'data.train')[0]!.message, /set data\.format to "json" \(SQuAD JSON\) or "jsonl"/);
  const jsonForClassification = validateManifestText(JSON.stringify({ version: 1, model: 'bert', data: { train: 'x.txt', format: 'json', text: 'a', label: 'b' } }));
  assert.match(problemsFor(jsonForClassification, 'data.format')[0]!.message, /read only for squad tasks/);
  const columnsInJson = validateManifestText(squad({ train: 'train.json', text: 'question' }));
  assert.match(problemsFor(columnsInJson, 'data.text')[0]!.message, /SQuAD JSON file has fixed fields/);
  const indexInJsonl = validateManifestText(squad({ train: 'train.jsonl', text: 0 }));
  assert.match(problemsFor(indexInJsonl, 'data.text')[0]!.message, /name the field/);
});
