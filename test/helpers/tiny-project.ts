// A complete tiny Octet project in a temp folder: a vocabulary, a random BERT, a sentiment-like
// data set whose label is carried by one word, and an octet.json.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRandomBert } from '../../engine/model/create-model';
import { TestRandom } from './random';

export const TINY_WORDS = [
  'the', 'a', 'movie', 'film', 'plot', 'actor', 'story', 'was', 'is', 'very', 'quite', 'and', 'but', 'it', 'this',
  'scene', 'music', 'ending', 'start', 'cast', 'really', 'so', 'too', 'of', 'in', 'on', '.', ',',
];
export const POSITIVE = ['good', 'great', 'fine', 'lovely'];
export const NEGATIVE = ['bad', 'awful', 'dull', 'poor'];

export function tinyVocab(): string[] {
  return ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...TINY_WORDS, ...POSITIVE, ...NEGATIVE];
}

export function sentimentRows(rnd: TestRandom, n: number): { sentence: string; label: string }[] {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const positive = rnd.uniform() < 0.5;
    const words = Array.from({ length: rnd.int(3, 9) }, () => TINY_WORDS[rnd.int(0, TINY_WORDS.length - 1)]);
    const cue = (positive ? POSITIVE : NEGATIVE)[rnd.int(0, 3)];
    words.splice(rnd.int(0, words.length), 0, cue);
    rows.push({ sentence: words.join(' '), label: positive ? 'positive' : 'negative' });
  }
  return rows;
}

export interface TinyProject {
  dir: string;
  manifestPath: string;
  modelDir: string;
}

export async function createTinyProject(manifestOverrides: Record<string, unknown> = {}, opts: { trainRows?: number; evalRows?: number; seed?: number } = {}): Promise<TinyProject> {
  const dir = mkdtempSync(path.join(tmpdir(), 'octet-project-'));
  const rnd = new TestRandom(opts.seed ?? 5);
  const vocabFile = path.join(dir, 'vocab.txt');
  writeFileSync(vocabFile, tinyVocab().join('\n') + '\n');
  const modelDir = path.join(dir, 'model');
  await createRandomBert(modelDir, { vocabFile, hidden: 32, layers: 2, heads: 2, ffn: 64, maxPositions: 64, seed: 1 });
  mkdirSync(path.join(dir, 'data'));
  const tsv = (rows: { sentence: string; label: string }[]): string => 'sentence\tlabel\n' + rows.map((r) => `${r.sentence}\t${r.label}`).join('\n') + '\n';
  writeFileSync(path.join(dir, 'data', 'train.tsv'), tsv(sentimentRows(rnd, opts.trainRows ?? 512)));
  writeFileSync(path.join(dir, 'data', 'dev.tsv'), tsv(sentimentRows(rnd, opts.evalRows ?? 64)));
  const manifest = {
    version: 1,
    model: 'model',
    task: { type: 'classification' },
    data: { train: 'data/train.tsv', eval: 'data/dev.tsv', text: 'sentence', label: 'label' },
    train: { epochs: 3, batchSize: 16, learningRate: 2e-3, maxSeqLength: 16, seed: 7, warmupRatio: 0.1, evalEvery: 'epoch' },
    precision: { mode: 'int8-outlier', threshold: 5 },
    output: 'runs/test',
    ...manifestOverrides,
  };
  const manifestPath = path.join(dir, 'octet.json');
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return { dir, manifestPath, modelDir };
}
