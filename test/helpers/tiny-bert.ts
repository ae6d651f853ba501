// Tiny BERT configurations and batches for tests: small enough for plain-loop GEMMs.
import { parseBertConfig, type BertConfig } from '../../engine/checkpoint/bert-config';
import type { TokenBatch } from '../../engine/model/batch';
import { TestRandom } from './random';

export function tinyConfig(overrides: Record<string, unknown> = {}): BertConfig {
  return parseBertConfig(
    {
      model_type: 'bert',
      architectures: ['BertForSequenceClassification'],
      vocab_size: 40,
      hidden_size: 8,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      intermediate_size: 16,
      max_position_embeddings: 16,
      type_vocab_size: 2,
      hidden_dropout_prob: 0,
      attention_probs_dropout_prob: 0,
      initializer_range: 0.02,
      id2label: { 0: 'a', 1: 'b', 2: 'c' },
      label2id: { a: 0, b: 1, c: 2 },
      pad_token_id: 0,
      ...overrides,
    },
    'tiny-config.json',
  );
}

/** A batch with padding in every row but the first, [CLS]=1 first and [SEP]=2 last. */
export function tinyBatch(rnd: TestRandom, batch: number, seq: number, vocab: number): TokenBatch {
  const inputIds = new Int32Array(batch * seq);
  const tokenTypeIds = new Int32Array(batch * seq);
  const attentionMask = new Uint8Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    const len = b === 0 ? seq : Math.max(3, seq - 1 - (b % (seq - 2)));
    for (let t = 0; t < len; t++) {
      inputIds[b * seq + t] = t === 0 ? 1 : t === len - 1 ? 2 : rnd.int(3, vocab - 1);
      tokenTypeIds[b * seq + t] = t > len / 2 ? 1 : 0;
      attentionMask[b * seq + t] = 1;
    }
  }
  return { batch, seq, inputIds, tokenTypeIds, attentionMask };
}
