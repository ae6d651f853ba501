import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allBertParameterShapes,
  bertParameterShapes,
  detectLayout,
  headForArchitectures,
  hfToOctetName,
  octetToHfName,
  optionalParameterShapes,
} from '../../../engine/checkpoint/bert-weights';
import { expectOctetError, tinyConfig } from './helpers';

test('file names in either layout map to Octet names', () => {
  const pairs: [string, string][] = [
    ['bert.embeddings.word_embeddings.weight', 'embeddings.word_embeddings.weight'],
    ['embeddings.word_embeddings.weight', 'embeddings.word_embeddings.weight'],
    [
      'bert.encoder.layer.3.attention.self.query.weight',
      'encoder.layer.3.attention.self.query.weight',
    ],
    [
      'encoder.layer.3.attention.output.dense.weight',
      'encoder.layer.3.attention.output.dense.weight',
    ],
    ['bert.encoder.layer.3.intermediate.dense.weight', 'encoder.layer.3.intermediate.dense.weight'],
    ['bert.encoder.layer.3.output.dense.weight', 'encoder.layer.3.output.dense.weight'],
    ['bert.pooler.dense.weight', 'pooler.dense.weight'],
    ['classifier.weight', 'classifier.weight'],
    ['qa_outputs.bias', 'qa_outputs.bias'],
    ['cls.predictions.transform.dense.weight', 'cls.predictions.transform.dense.weight'],
    ['cls.predictions.bias', 'cls.predictions.bias'],
  ];
  for (const [file, octet] of pairs) assert.equal(hfToOctetName(file), octet, file);
});

test('legacy LayerNorm gamma/beta names map to weight/bias', () => {
  assert.equal(
    hfToOctetName('bert.encoder.layer.3.attention.output.LayerNorm.gamma'),
    'encoder.layer.3.attention.output.LayerNorm.weight',
  );
  assert.equal(hfToOctetName('bert.embeddings.LayerNorm.beta'), 'embeddings.LayerNorm.bias');
  assert.equal(
    hfToOctetName('cls.predictions.transform.LayerNorm.gamma'),
    'cls.predictions.transform.LayerNorm.weight',
  );
  // Only LayerNorm parameters are renamed.
  assert.equal(hfToOctetName('encoder.gamma_gate.weight'), 'encoder.gamma_gate.weight');
});

test('Octet names map back to BertFor* names: encoder prefixed, heads as they are', () => {
  assert.equal(octetToHfName('embeddings.LayerNorm.weight'), 'bert.embeddings.LayerNorm.weight');
  assert.equal(
    octetToHfName('encoder.layer.0.output.dense.bias'),
    'bert.encoder.layer.0.output.dense.bias',
  );
  assert.equal(octetToHfName('pooler.dense.weight'), 'bert.pooler.dense.weight');
  assert.equal(octetToHfName('classifier.weight'), 'classifier.weight');
  assert.equal(octetToHfName('cls.predictions.bias'), 'cls.predictions.bias');
});

test('layout detection', async () => {
  assert.equal(
    detectLayout(['bert.embeddings.word_embeddings.weight', 'classifier.weight'], 'f'),
    'prefixed',
  );
  assert.equal(
    detectLayout(['embeddings.word_embeddings.weight', 'pooler.dense.bias'], 'f'),
    'unprefixed',
  );
  await expectOctetError(
    () =>
      detectLayout(
        ['bert.embeddings.word_embeddings.weight', 'encoder.layer.0.output.dense.bias'],
        'x.safetensors',
      ),
    'malformed-file',
    'x.safetensors',
    'mixes',
  );
  await expectOctetError(
    () => detectLayout(['classifier.weight'], 'x.safetensors'),
    'malformed-file',
    'no BERT',
  );
});

test('parameter shapes follow the config for each head', () => {
  const c = tinyConfig(); // hidden 4, intermediate 8, 2 layers, vocab 10, 3 labels
  const base = bertParameterShapes(c, 'none');
  assert.equal(base.size, 5 + 2 * 16 + 2);
  assert.deepEqual(base.get('embeddings.word_embeddings.weight'), [10, 4]);
  assert.deepEqual(base.get('embeddings.position_embeddings.weight'), [6, 4]);
  assert.deepEqual(base.get('encoder.layer.1.intermediate.dense.weight'), [8, 4]);
  assert.deepEqual(base.get('encoder.layer.1.output.dense.weight'), [4, 8]);
  assert.equal(base.has('encoder.layer.2.output.dense.weight'), false);

  const seq = bertParameterShapes(c, 'sequence-classification');
  assert.deepEqual(seq.get('classifier.weight'), [3, 4]);
  assert.ok(seq.has('pooler.dense.weight'));
  const qa = bertParameterShapes(c, 'question-answering');
  assert.deepEqual(qa.get('qa_outputs.weight'), [2, 4]);
  assert.equal(qa.has('pooler.dense.weight'), false);
  const mlm = bertParameterShapes(c, 'masked-lm');
  assert.deepEqual(mlm.get('cls.predictions.bias'), [10]);
  assert.deepEqual(mlm.get('cls.predictions.transform.dense.weight'), [4, 4]);
  assert.equal(mlm.has('cls.predictions.decoder.weight'), false);
  assert.deepEqual(
    optionalParameterShapes(c, 'masked-lm').get('cls.predictions.decoder.weight'),
    [10, 4],
  );
  assert.equal(optionalParameterShapes(c, 'sequence-classification').size, 0);
  assert.ok(allBertParameterShapes(c).has('cls.seq_relationship.weight'));
});

test('heads come from config architectures', () => {
  assert.equal(headForArchitectures(['BertForSequenceClassification']), 'sequence-classification');
  assert.equal(headForArchitectures(['BertForQuestionAnswering']), 'question-answering');
  assert.equal(headForArchitectures(['BertForPreTraining']), 'pretraining');
  assert.equal(headForArchitectures(['BertModel']), 'none');
  assert.equal(headForArchitectures([]), 'none');
});
