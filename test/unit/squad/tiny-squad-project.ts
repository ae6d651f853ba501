// A complete tiny squad project in a temp folder: the hand-made vocabulary, a random BERT, and
// SQuAD JSON files of two-sentence stories with "where did the cat sit?" questions, whose answer
// is the place in the sentence about that animal. No tests here.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRandomBert } from '../../../engine/model/create-model';
import { TestRandom } from '../../helpers/random';
import { qaVocabTokens, squadJson } from './helpers';

const ANIMALS = ['cat', 'dog'];
const VERBS = ['sat', 'ran', 'slept'];
const PREPOSITIONS = ['on', 'in', 'near', 'over'];
const PLACES = ['mat', 'park', 'hill', 'river'];

export interface TinyQuestion {
  id: string;
  question: string;
  context: string;
  answer: string;
  answerStart: number;
}

/** Paragraphs of two sentences (one per animal), each with one question per animal. */
export function tinyStories(rnd: TestRandom, paragraphs: number, idPrefix: string): { context: string; qas: TinyQuestion[] }[] {
  const pick = <T>(xs: readonly T[]): T => xs[rnd.int(0, xs.length - 1)]!;
  const out = [];
  for (let p = 0; p < paragraphs; p++) {
    const order = rnd.uniform() < 0.5 ? ANIMALS : [...ANIMALS].reverse();
    const facts = order.map((animal) => ({ animal, verb: pick(VERBS), place: pick(PLACES) }));
    // Capitals and the odd accent: answers must come back as written, not as the tokenizer normalises.
    const sentences = facts.map((f) => `The ${f.animal} ${f.verb} ${pick(PREPOSITIONS)} the ${rnd.uniform() < 0.3 ? f.place.toUpperCase() : f.place}.`);
    const context = sentences.join(' ');
    const qas = facts.map((f, i) => {
      const sentenceStart = i === 0 ? 0 : sentences[0]!.length + 1;
      const answerStart = context.toLowerCase().indexOf(`the ${f.place}`, sentenceStart);
      const answer = context.slice(answerStart, answerStart + `the ${f.place}`.length);
      return { id: `${idPrefix}${p}-${f.animal}`, question: `Where did the ${f.animal} ${f.verb}?`, context, answer, answerStart };
    });
    out.push({ context, qas });
  }
  return out;
}

export function toSquadJson(stories: { context: string; qas: TinyQuestion[] }[]): string {
  return squadJson(stories.map((s) => ({
    context: s.context,
    qas: s.qas.map((q) => ({ id: q.id, question: q.question, answers: [{ text: q.answer, answer_start: q.answerStart }] })),
  })));
}

export interface TinySquadProject {
  dir: string;
  manifestPath: string;
  devQuestions: TinyQuestion[];
}

export async function createTinySquadProject(manifestOverrides: Record<string, unknown> = {}, o: { train?: number; dev?: number } = {}): Promise<TinySquadProject> {
  const dir = mkdtempSync(path.join(tmpdir(), 'octet-squad-project-'));
  const vocabFile = path.join(dir, 'vocab.txt');
  writeFileSync(vocabFile, qaVocabTokens().join('\n') + '\n');
  await createRandomBert(path.join(dir, 'model'), { vocabFile, hidden: 32, layers: 2, heads: 2, ffn: 64, maxPositions: 64, seed: 1 });
  const rnd = new TestRandom(21);
  const train = tinyStories(rnd, o.train ?? 128, 't');
  const dev = tinyStories(rnd, o.dev ?? 16, 'd');
  mkdirSync(path.join(dir, 'data'));
  writeFileSync(path.join(dir, 'data', 'train.json'), toSquadJson(train));
  writeFileSync(path.join(dir, 'data', 'dev.json'), toSquadJson(dev));
  const manifest = {
    version: 1,
    model: 'model',
    task: { type: 'squad' },
    data: { train: 'data/train.json', eval: 'data/dev.json' },
    // 20 tokens leave 11 for the 14-token stories: two windows each, 4 tokens apart.
    train: { epochs: 3, batchSize: 16, learningRate: 3e-3, maxSeqLength: 20, docStride: 4, seed: 3, warmupRatio: 0.1 },
    precision: { mode: 'fp32' },
    output: 'runs/test',
    ...manifestOverrides,
  };
  const manifestPath = path.join(dir, 'octet.json');
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return { dir, manifestPath, devQuestions: dev.flatMap((s) => s.qas) };
}
