// The whole model's fp32 gradients against central finite differences. GEMMs run on the
// reference backend (float64 accumulation); elementwise ops are float32, so the tolerance is
// stated for that: |numeric - analytic| <= 2e-3 + 3e-2 |analytic| with eps = 1e-2 on a model
// initialised with std 0.3 so gradients are well above the float32 noise floor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BertModel } from '../../../engine/model/bert-model';
import { ReferenceBackend } from '../../../engine/kernels/reference';
import { crossEntropyLoss } from '../../../engine/nn/ops/loss';
import { TestRandom } from '../../helpers/random';
import { tinyBatch, tinyConfig } from '../../helpers/tiny-bert';

test('fp32 gradients of the whole model match finite differences', async () => {
  const config = tinyConfig({ initializer_range: 0.3 });
  const model = new BertModel(config, 'sequence-classification', new ReferenceBackend(), {
    precisionFor: () => ({ mode: 'fp32' }),
    seed: 3,
  });
  const rnd = new TestRandom(9);
  const batch = tinyBatch(rnd, 3, 6, config.vocabSize);
  const labels = Int32Array.from([0, 2, 1]);
  const lossOf = async (): Promise<number> => crossEntropyLoss(null, await model.forward(batch, false), labels, 3, 3).loss;
  const logits = await model.forward(batch, false);
  const dLogits = new Float32Array(logits.length);
  crossEntropyLoss(dLogits, logits, labels, 3, 3);
  model.zeroGrad();
  await model.backward(dLogits, false);
  const eps = 1e-2;
  let checked = 0;
  for (const p of model.params.values()) {
    // A few entries of every tensor; for embeddings, rows the batch uses.
    const picks = p.name === 'embeddings.word_embeddings.weight'
      ? [batch.inputIds[1] * config.hiddenSize, batch.inputIds[7] * config.hiddenSize + 3]
      : [0, Math.floor(p.data.length / 2), p.data.length - 1];
    for (const i of picks) {
      const v = p.data[i];
      p.data[i] = v + eps;
      const up = await lossOf();
      p.data[i] = v - eps;
      const down = await lossOf();
      p.data[i] = v;
      const numeric = (up - down) / (2 * eps);
      const analytic = p.grad[i];
      assert.ok(Math.abs(numeric - analytic) <= 2e-3 + 3e-2 * Math.abs(analytic), `${p.name}[${i}]: numeric ${numeric}, analytic ${analytic}`);
      checked++;
    }
  }
  assert.ok(checked > 60, `checked ${checked} entries`);
});
