import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  parseBertConfig,
  readBertConfig,
  serializeBertConfig,
  writeBertConfig,
} from '../../../engine/checkpoint/bert-config';
import { expectOctetError, tinyConfigJson, withTempDir } from './helpers';

const FILE = 'some/config.json';

test('omitted fields take transformers BertConfig defaults', () => {
  const c = parseBertConfig({ model_type: 'bert' }, FILE);
  assert.equal(c.vocabSize, 30522);
  assert.equal(c.hiddenSize, 768);
  assert.equal(c.numHiddenLayers, 12);
  assert.equal(c.numAttentionHeads, 12);
  assert.equal(c.intermediateSize, 3072);
  assert.equal(c.hiddenAct, 'gelu');
  assert.equal(c.maxPositionEmbeddings, 512);
  assert.equal(c.typeVocabSize, 2);
  assert.equal(c.layerNormEps, 1e-12);
  assert.equal(c.hiddenDropoutProb, 0.1);
  assert.equal(c.attentionProbsDropoutProb, 0.1);
  assert.equal(c.classifierDropout, null);
  assert.equal(c.initializerRange, 0.02);
  assert.equal(c.padTokenId, 0);
  assert.equal(c.numLabels, 2);
  assert.deepEqual(c.id2label, ['LABEL_0', 'LABEL_1']);
  assert.deepEqual(c.label2id, { LABEL_0: 0, LABEL_1: 1 });
  assert.equal(c.problemType, null);
  assert.deepEqual(c.architectures, []);
  assert.equal(c.tieWordEmbeddings, true);
});

test('given fields and labels are read', () => {
  const c = parseBertConfig(
    tinyConfigJson({
      layer_norm_eps: 1e-5,
      hidden_dropout_prob: 0,
      classifier_dropout: 0.3,
      problem_type: 'single_label_classification',
      transformers_version: '4.40.0',
    }),
    FILE,
  );
  assert.equal(c.hiddenSize, 4);
  assert.equal(c.numHiddenLayers, 2);
  assert.equal(c.layerNormEps, 1e-5);
  assert.equal(c.hiddenDropoutProb, 0);
  assert.equal(c.classifierDropout, 0.3);
  assert.equal(c.numLabels, 3);
  assert.deepEqual(c.id2label, ['neg', 'neu', 'pos']);
  assert.equal(c.problemType, 'single_label_classification');
  assert.deepEqual(c.extra, { transformers_version: '4.40.0' });
});

test('num_labels alone makes LABEL_i names', () => {
  const c = parseBertConfig({ model_type: 'bert', num_labels: 4 }, FILE);
  assert.deepEqual(c.id2label, ['LABEL_0', 'LABEL_1', 'LABEL_2', 'LABEL_3']);
  assert.equal(c.numLabels, 4);
});

test('a Bert* architecture is enough without model_type', () => {
  const c = parseBertConfig({ architectures: ['BertForMaskedLM'] }, FILE);
  assert.deepEqual(c.architectures, ['BertForMaskedLM']);
});

test('other model types and unknown configs are unsupported, naming the field', async () => {
  await expectOctetError(
    () => parseBertConfig({ model_type: 'gpt2' }, FILE),
    'unsupported',
    FILE,
    'model_type',
    'gpt2',
  );
  await expectOctetError(
    () => parseBertConfig({ model_type: 'roberta', architectures: ['BertModel'] }, FILE),
    'unsupported',
    'roberta',
  );
  await expectOctetError(
    () => parseBertConfig({ hidden_size: 8 }, FILE),
    'unsupported',
    FILE,
    'model_type',
  );
});

test('activations, positions and decoders Octet does not implement are unsupported', async () => {
  await expectOctetError(
    () => parseBertConfig(tinyConfigJson({ hidden_act: 'gelu_new' }), FILE),
    'unsupported',
    'hidden_act',
    'gelu_new',
  );
  await expectOctetError(
    () => parseBertConfig(tinyConfigJson({ hidden_act: 'relu' }), FILE),
    'unsupported',
    'hidden_act',
  );
  await expectOctetError(
    () => parseBertConfig(tinyConfigJson({ position_embedding_type: 'relative_key' }), FILE),
    'unsupported',
    'position_embedding_type',
  );
  await expectOctetError(
    () => parseBertConfig(tinyConfigJson({ is_decoder: true }), FILE),
    'unsupported',
    'is_decoder',
  );
});

test('invalid values are malformed-file errors naming file and field', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ hidden_size: 10, num_attention_heads: 3 }, 'hidden_size'],
    [{ hidden_size: '768' }, 'hidden_size'],
    [{ num_hidden_layers: 0 }, 'num_hidden_layers'],
    [{ vocab_size: 2.5 }, 'vocab_size'],
    [{ layer_norm_eps: -1 }, 'layer_norm_eps'],
    [{ hidden_dropout_prob: 1 }, 'hidden_dropout_prob'],
    [{ pad_token_id: 10 }, 'pad_token_id'],
    [{ problem_type: 'ranking' }, 'problem_type'],
    [{ id2label: { '0': 'a', '2': 'b' } }, 'id2label'],
    [{ id2label: { '0': 1 } }, 'id2label'],
    [{ id2label: { '0': 'a', '1': 'b' }, num_labels: 3 }, 'num_labels'],
    [{ label2id: { a: 'zero' } }, 'label2id'],
    [{ architectures: 'BertModel' }, 'architectures'],
    [{ hidden_act: 7 }, 'hidden_act'],
  ];
  for (const [fields, field] of cases) {
    const err = await expectOctetError(
      () => parseBertConfig(tinyConfigJson(fields), FILE),
      'malformed-file',
      FILE,
      field,
    );
    assert.equal(err.location.field, field, JSON.stringify(fields));
  }
  await expectOctetError(() => parseBertConfig([1], FILE), 'malformed-file', FILE);
});

test('serialize then parse gives the same config, extra fields included', () => {
  const c = parseBertConfig(
    tinyConfigJson({
      problem_type: 'regression',
      tie_word_embeddings: false,
      torch_dtype: 'float32',
    }),
    FILE,
  );
  const json = serializeBertConfig(c);
  assert.equal(json.model_type, 'bert');
  assert.deepEqual(json.id2label, { '0': 'neg', '1': 'neu', '2': 'pos' });
  assert.equal(json.torch_dtype, 'float32');
  assert.deepEqual(Object.keys(json), [...Object.keys(json)].sort());
  assert.deepEqual(parseBertConfig(JSON.parse(JSON.stringify(json)), FILE), c);
});

test('serialize refuses numLabels that disagrees with id2label', async () => {
  const c = parseBertConfig(tinyConfigJson(), FILE);
  await expectOctetError(
    () => serializeBertConfig({ ...c, numLabels: 5 }),
    'invalid-argument',
    'num_labels',
  );
});

test('readBertConfig reports missing files and invalid JSON with the path', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'config.json');
    await expectOctetError(() => readBertConfig(file), 'file-not-found', file);
    await fsp.writeFile(file, '{"model_type": "bert",');
    await expectOctetError(() => readBertConfig(file), 'malformed-file', file, 'not valid JSON');
    await writeBertConfig(file, parseBertConfig(tinyConfigJson(), FILE));
    assert.equal((await readBertConfig(file)).hiddenSize, 4);
  }));
