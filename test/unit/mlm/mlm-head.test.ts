// The masked-LM head (BertForMaskedLM's cls.predictions): logits only at the masked positions,
// equal to the full head's rows there; the whole model's fp32 gradients through it against
// finite differences, the decoder's part landing in the tied word embeddings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReferenceBackend } from '../../../engine/kernels/reference';
import type { TokenBatch } from '../../../engine/model/batch';
import { BertModel } from '../../../engine/model/bert-model';
import { mlmLossAndGrad } from '../../../engine/mlm/mlm-loss';
import { crossEntropyLoss } from '../../../engine/nn/ops/loss';
import { TestRandom } from '../../helpers/random';
import { tinyBatch, tinyConfig } from '../../helpers/tiny-bert';

function mlmModel(seed: number): BertModel {
  const config = tinyConfig({ initializer_range: 0.3, architectures: ['BertForMaskedLM'] });
  return new BertModel(config, 'masked-lm', new ReferenceBackend(), { precisionFor: () => ({ mode: 'fp32' }), seed });
}

/** A batch with masked positions in two rows and their original tokens as labels. */
function maskedBatch(rnd: TestRandom, vocab: number): TokenBatch & { labels: Int32Array } {
  const b = tinyBatch(rnd, 3, 6, vocab);
  const positions = Int32Array.from([1, 4, 13, 14]);
  const labels = Int32Array.from(positions, (p) => b.inputIds[p]!);
  return { ...b, maskedPositions: positions, labels };
}

test('BertForMaskedLM parameters: the head but no pooler and no decoder matrix of its own', () => {
  const model = mlmModel(1);
  const h = model.config.hiddenSize;
  assert.ok(!model.params.has('pooler.dense.weight'));
  assert.ok(!model.params.has('cls.predictions.decoder.weight'), 'the decoder is the word embeddings');
  assert.deepEqual(model.param('cls.predictions.transform.dense.weight').shape, [h, h]);
  assert.deepEqual(model.param('cls.predictions.bias').shape, [model.config.vocabSize]);
  assert.ok(model.linears.has('cls.predictions.transform.dense'), 'the transform is an integer-capable Linear');
});

test('logits come only for the masked positions and equal the full head there', async () => {
  const model = mlmModel(2);
  const v = model.config.vocabSize;
  const b = maskedBatch(new TestRandom(3), v);
  const gathered = await model.forward(b, false);
  assert.equal(gathered.length, b.maskedPositions!.length * v);
  const full = await model.forward({ ...b, maskedPositions: undefined }, false);
  assert.equal(full.length, b.batch * b.seq * v);
  b.maskedPositions!.forEach((p, i) => {
    for (let j = 0; j < v; j++) assert.ok(Math.abs(gathered[i * v + j]! - full[p * v + j]!) < 1e-5, `position ${p}, token ${j}`);
  });
});

test('fp32 gradients through the masked-LM head and the encoder match finite differences', async () => {
  const model = mlmModel(5);
  const config = model.config;
  const v = config.vocabSize;
  const b = maskedBatch(new TestRandom(4), v);
  const lossOf = async (): Promise<number> => crossEntropyLoss(null, await model.forward(b, false), b.labels, b.labels.length, v).loss;
  const { loss, dLogits } = mlmLossAndGrad(await model.forward(b, false), b.labels, v);
  assert.ok(Math.abs(loss - (await lossOf())) < 1e-6);
  model.zeroGrad();
  await model.backward(dLogits, false);
  // Word-embedding rows: one the batch reads (lookup and decoder), one it never reads (decoder only).
  const used = new Set(b.inputIds);
  const unused = Array.from({ length: v }, (_, i) => i).find((i) => !used.has(i) && i !== 0)!;
  const h = config.hiddenSize;
  const eps = 1e-2;
  let checked = 0;
  for (const p of model.params.values()) {
    const picks = p.name === 'embeddings.word_embeddings.weight'
      ? [b.inputIds[1]! * h, b.inputIds[7]! * h + 3, unused * h + 1, unused * h + 5]
      : [0, Math.floor(p.data.length / 2), p.data.length - 1];
    for (const i of picks) {
      const x = p.data[i]!;
      p.data[i] = x + eps;
      const up = await lossOf();
      p.data[i] = x - eps;
      const down = await lossOf();
      p.data[i] = x;
      const numeric = (up - down) / (2 * eps);
      const analytic = p.grad[i]!;
      assert.ok(Math.abs(numeric - analytic) <= 2e-3 + 3e-2 * Math.abs(analytic), `${p.name}[${i}]: numeric ${numeric}, analytic ${analytic}`);
      checked++;
    }
  }
  assert.ok(checked > 60, `checked ${checked} entries`);
  // The row no input uses gets gradient only through the tied decoder.
  const row = model.param('embeddings.word_embeddings.weight').grad.subarray(unused * h, (unused + 1) * h);
  assert.ok(row.some((g) => g !== 0), 'the decoder gradient reaches the word embeddings');
});

test('a batch without masked tokens predicts nothing and back-propagates zeros', async () => {
  const model = mlmModel(6);
  const b = { ...tinyBatch(new TestRandom(7), 2, 5, model.config.vocabSize), maskedPositions: new Int32Array(0) };
  const logits = await model.forward(b, true);
  assert.equal(logits.length, 0);
  const { loss, dLogits } = mlmLossAndGrad(logits, new Int32Array(0), model.config.vocabSize);
  assert.equal(loss, 0);
  model.zeroGrad();
  await model.backward(dLogits, true);
  for (const p of model.params.values()) assert.ok(p.grad.every((g) => g === 0), `${p.name} got gradient`);
});
