// A tiny project for continued pretraining: the tiny sentiment project (test/helpers) plus plain
// text files and an mlm manifest. The text follows one template ("the movie was very good ."),
// so half of its tokens can be told from their context: a model that learns beats the unigram
// entropy (about 2.75 nats), which bags of random words would not let it. No tests here.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestRandom } from '../../helpers/random';
import { createTinyProject, NEGATIVE, POSITIVE, type TinyProject } from '../../helpers/tiny-project';

const NOUNS = ['movie', 'film', 'plot', 'story', 'scene', 'music', 'ending', 'cast'];
const INTENSIFIERS = ['very', 'quite', 'really', 'so', 'too'];
const ADJECTIVES = [...POSITIVE, ...NEGATIVE];

/** The unigram entropy of templateLines' tokens, in nats: what a model without context reaches. */
export const UNIGRAM_ENTROPY = 3 * (1 / 6) * Math.log(6) + 16 * (1 / 48) * Math.log(48) + 5 * (1 / 30) * Math.log(30);

export function templateLines(rnd: TestRandom, n: number): string[] {
  const pick = (words: string[]): string => words[rnd.int(0, words.length - 1)]!;
  return Array.from({ length: n }, () => `the ${pick(NOUNS)} was ${pick(INTENSIFIERS)} ${pick(ADJECTIVES)} .`);
}

export interface TinyMlmProject extends TinyProject {
  /** The mlm manifest; manifestPath is the classification one over the same model. */
  mlmManifestPath: string;
}

export async function createTinyMlmProject(overrides: Record<string, unknown> = {}, lines = { train: 384, dev: 96 }): Promise<TinyMlmProject> {
  const p = await createTinyProject();
  const rnd = new TestRandom(11);
  const text = (n: number): string => templateLines(rnd, n).join('\n') + '\n';
  writeFileSync(path.join(p.dir, 'data', 'train.txt'), text(lines.train));
  // A blank line, as corpora have between paragraphs: skipped.
  writeFileSync(path.join(p.dir, 'data', 'dev.txt'), '\n' + text(lines.dev));
  const manifest = {
    version: 1,
    model: 'model',
    task: { type: 'mlm' },
    data: { train: 'data/train.txt', eval: 'data/dev.txt' },
    train: { epochs: 6, batchSize: 16, learningRate: 1e-2, maxSeqLength: 32, seed: 9, warmupRatio: 0.1 },
    precision: { mode: 'int8-outlier', threshold: 5 },
    output: 'runs/mlm',
    ...overrides,
  };
  const mlmManifestPath = path.join(p.dir, 'mlm.octet.json');
  writeFileSync(mlmManifestPath, JSON.stringify(manifest, null, 2));
  return { ...p, mlmManifestPath };
}
