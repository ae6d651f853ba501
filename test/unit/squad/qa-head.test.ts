// The question-answering head: its loss against a hand computation (padding masked out), and the
// whole model's fp32 gradients through qa_outputs against finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceBackend } from '../../../engine/kernels/reference';
import { BertModel } from '../../../engine/model/bert-model';
import type { QaBatch } from '../../../engine/squad/collate';
import { qaLossAndGrad } from '../../../engine/squad/qa-loss';
import { TestRandom } from '../../helpers/random';
import { tinyBatch, tinyConfig } from '../../helpers/tiny-bert';

function qaBatch(mask: number[][], starts: number[], ends: number[]): QaBatch {
  const seq = mask[0]!.length;
  return {
    batch: mask.length, seq,
    inputIds: new Int32Array(mask.length * seq), tokenTypeIds: new Int32Array(mask.length * seq),
    attentionMask: Uint8Array.from(mask.flat()),
    startPositions: Int32Array.from(starts), endPositions: Int32Array.from(ends),
  };
}

test('the loss is the mean of the start and end cross-entropy over real tokens, as computed by hand', () => {
  // One window of 2 tokens and a padding position whose huge logits must not count.
  const b = qaBatch([[1, 1, 0]], [1], [0]);
  const ln3 = Math.log(3);
  // Interleaved [start, end] per position.
  const logits = Float32Array.from([0, ln3, ln3, 0, 100, 100]);
  const { loss, dLogits } = qaLossAndGrad(logits, b);
  // Start: softmax(0, ln 3) = (1/4, 3/4), target 1 -> -ln(3/4); end the same by symmetry.
  assert.ok(Math.abs(loss + Math.log(0.75)) < 1e-6, `loss ${loss}`);
  // d/dlogit = (softmax - onehot) / 2 (two cross-entropies averaged), 0 on padding.
  const expected = [1 / 8, -1 / 8, -1 / 8, 1 / 8, 0, 0];
  dLogits.forEach((g, i) => assert.ok(Math.abs(g - expected[i]!) < 1e-6, `dLogits[${i}] = ${g}, expected ${expected[i]}`));
});

test('the loss averages over the windows of a batch and refuses a target on padding', () => {
  const one = qaLossAndGrad(Float32Array.from([1, 2, 3, 4]), qaBatch([[1, 1]], [0], [1])).loss;
  const two = qaLossAndGrad(Float32Array.from([1, 2, 3, 4, 1, 2, 3, 4]), qaBatch([[1, 1], [1, 1]], [0, 0], [1, 1])).loss;
  assert.ok(Math.abs(one - two) < 1e-9);
  assert.throws(() => qaLossAndGrad(new Float32Array(6), qaBatch([[1, 1, 0]], [2], [0])), /outside its 2 tokens/);
});

test('fp32 gradients through qa_outputs and the encoder match finite differences', async () => {
  const config = tinyConfig({ initializer_range: 0.3 });
  const model = new BertModel(config, 'question-answering', new ReferenceBackend(), { precisionFor: () => ({ mode: 'fp32' }), seed: 5 });
  assert.ok(!model.params.has('pooler.dense.weight'), 'no pooler, as BertForQuestionAnswering');
  assert.deepEqual(model.param('qa_outputs.weight').shape, [2, config.hiddenSize]);
  const rnd = new TestRandom(4);
  const tokens = tinyBatch(rnd, 3, 6, config.vocabSize);
  const lengths = [0, 1, 2].map((r) => tokens.attentionMask.subarray(r * 6, r * 6 + 6).reduce((a, m) => a + m, 0));
  const b: QaBatch = { ...tokens, startPositions: Int32Array.from([2, 0, 1]), endPositions: Int32Array.from([4, 0, lengths[2]! - 1]) };
  const lossOf = async (): Promise<number> => qaLossAndGrad(await model.forward(b, false), b).loss;
  const logits = await model.forward(b, false);
  assert.equal(logits.length, 3 * 6 * 2, 'start and end logit of every position');
  const { dLogits } = qaLossAndGrad(logits, b);
  model.zeroGrad();
  await model.backward(dLogits, false);
  const eps = 1e-2;
  let checked = 0;
  for (const p of model.params.values()) {
    const picks = p.name === 'embeddings.word_embeddings.weight'
      ? [b.inputIds[1]! * config.hiddenSize, b.inputIds[7]! * config.hiddenSize + 3]
      : [0, Math.floor(p.data.length / 2), p.data.length - 1];
    for (const i of picks) {
      const v = p.data[i]!;
      p.data[i] = v + eps;
      const up = await lossOf();
      p.data[i] = v - eps;
      const down = await lossOf();
      p.data[i] = v;
      const numeric = (up - down) / (2 * eps);
      const analytic = p.grad[i]!;
      assert.ok(Math.abs(numeric - analytic) <= 2e-3 + 3e-2 * Math.abs(analytic), `${p.name}[${i}]: numeric ${numeric}, analytic ${analytic}`);
      checked++;
    }
  }
  assert.ok(checked > 60, `checked ${checked} entries`);
  assert.ok(model.param('qa_outputs.weight').grad.some((g) => g !== 0));
});
