// A freshly initialised BERT in Hugging Face layout, for tests, experiments and as the start of
// Octet's own pretraining (no pretrained weights can be downloaded here).
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseBertConfig } from '../checkpoint/bert-config';
import { saveBertCheckpoint } from '../checkpoint/bert-weights';
import { OctetError } from '../errors';
import { ReferenceBackend } from '../kernels/reference';
import { parseVocabTxt } from '../text/vocab-txt';
import { readFileSync } from 'node:fs';
import { BertModel } from './bert-model';

/** The sizes the benchmarks and the issues name: layers, hidden, heads, feed-forward. */
export const MODEL_SIZES = {
  tiny: { layers: 2, hidden: 128, heads: 2, ffn: 512 },
  mini: { layers: 4, hidden: 256, heads: 4, ffn: 1024 },
  small: { layers: 4, hidden: 512, heads: 8, ffn: 2048 },
  base: { layers: 12, hidden: 768, heads: 12, ffn: 3072 },
} as const;

export type ModelSize = keyof typeof MODEL_SIZES;

export interface CreateModelOptions {
  /** vocab.txt to use (its size sets vocab_size); copied into the folder. */
  vocabFile: string;
  size?: ModelSize;
  layers?: number;
  hidden?: number;
  heads?: number;
  ffn?: number;
  maxPositions?: number;
  seed?: number;
  lowercase?: boolean;
}

export function bertConfigJson(vocabSize: number, o: Omit<CreateModelOptions, 'vocabFile'>): Record<string, unknown> {
  const base = MODEL_SIZES[o.size ?? 'tiny'];
  return {
    model_type: 'bert',
    architectures: ['BertModel'],
    vocab_size: vocabSize,
    hidden_size: o.hidden ?? base.hidden,
    num_hidden_layers: o.layers ?? base.layers,
    num_attention_heads: o.heads ?? base.heads,
    intermediate_size: o.ffn ?? base.ffn,
    max_position_embeddings: o.maxPositions ?? 512,
    type_vocab_size: 2,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    layer_norm_eps: 1e-12,
    initializer_range: 0.02,
    pad_token_id: 0,
  };
}

export async function createRandomBert(folder: string, o: CreateModelOptions): Promise<void> {
  let vocab: string[];
  try {
    vocab = parseVocabTxt(readFileSync(o.vocabFile, 'utf8'), o.vocabFile);
  } catch (e) {
    if (e instanceof OctetError) throw e;
    throw new OctetError('file-not-found', `cannot read the vocabulary: ${(e as Error).message}`, { file: o.vocabFile });
  }
  const config = parseBertConfig(bertConfigJson(vocab.length, o), path.join(folder, 'config.json'));
  const model = new BertModel(config, 'sequence-classification', new ReferenceBackend(), { seed: o.seed ?? 0 });
  const tensors = new Map([...model.params].filter(([n]) => !n.startsWith('classifier.')).map(([n, p]) => [n, { data: p.data, shape: p.shape }]));
  const staging = await mkdtemp(path.join(tmpdir(), 'octet-vocab-'));
  try {
    const vocabCopy = path.join(staging, 'vocab.txt');
    await copyFile(o.vocabFile, vocabCopy);
    await saveBertCheckpoint(folder, { config: { ...config, architectures: ['BertModel'] }, tensors, extraFiles: [vocabCopy] });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
