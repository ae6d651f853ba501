// The embedded demo (examples/) is committed files that `npm run demo` trusts: the manifest
// must stay valid, its data readable, the model loadable for classification, SYNTHETIC-marked
// and small, and the demo script must run the comparison on it.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadBertCheckpoint } from '../../../engine/checkpoint/bert-weights';
import { loadExamples } from '../../../engine/data/examples';
import { readSyntheticNote } from '../../../engine/fixtures/synthetic-note';
import { loadManifest } from '../../../engine/manifest/load';
import { loadMlmTexts } from '../../../engine/mlm/texts';
import { loadBertTokenizer } from '../../../engine/text/load-bert-tokenizer';

const ROOT = path.resolve(__dirname, '../../../..');
const EXAMPLES = path.join(ROOT, 'examples');

test('the demo manifest loads, its data is the labelled sample, its output is runs/demo', () => {
  const m = loadManifest(path.join(EXAMPLES, 'octet.json'));
  assert.equal(m.task.type, 'classification');
  assert.equal(m.output, path.join(ROOT, 'runs', 'demo'));
  const columns = { format: 'tsv' as const, header: true, text: 'sentence', label: 'label' };
  const train = loadExamples({ path: m.data.train, ...columns, kind: 'classification' });
  const dev = loadExamples({ path: m.data.eval!, ...columns, kind: 'classification' });
  assert.equal(train.examples.length, 3000);
  assert.equal(dev.examples.length, 500);
  assert.deepEqual(train.id2label, ['0', '1']);
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.demo!, /node bin\/octet\.js compare examples\/octet\.json/);
});

test('the pretraining text shares no line with the labelled sample', () => {
  const m = loadManifest(path.join(EXAMPLES, 'pretrain.octet.json'));
  assert.equal(m.task.type, 'mlm');
  const texts = loadMlmTexts(m, m.data.train).map((t) => t.text);
  assert.equal(texts.length, 6000);
  const labelled = new Set(readFileSync(path.join(EXAMPLES, 'data', 'train.tsv'), 'utf8').split('\n').slice(1).map((l) => l.split('\t')[0]));
  assert.equal(texts.filter((t) => labelled.has(t)).length, 0);
});

test('the demo model is a small BertForMaskedLM with SYNTHETIC outliers and its reduced vocabulary', async () => {
  const dir = path.join(EXAMPLES, 'model');
  const checkpoint = await loadBertCheckpoint(dir);
  assert.deepEqual(checkpoint.config.architectures, ['BertForMaskedLM']);
  assert.deepEqual(checkpoint.missing, []);
  const tokenizer = loadBertTokenizer(dir);
  assert.equal(tokenizer.vocab.size, checkpoint.config.vocabSize);
  assert.ok(tokenizer.vocab.size <= 4000);
  assert.deepEqual(tokenizer.tokenizeWithOffsets('A Charming Film').tokens, ['a', 'charming', 'film'], 'lower-cased');
  const note = readSyntheticNote(dir);
  assert.ok(note !== null && note.dims.length === 2, 'the planted outliers are marked synthetic');
  const bytes = statSync(path.join(dir, 'model.safetensors')).size;
  assert.ok(bytes < 5e6, `model.safetensors is ${bytes} bytes`);
});
