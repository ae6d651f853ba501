// SQuAD end to end on the real file: ../shared/data/squad/dev-half-a.json (24 articles of the
// v1.1 dev set), split by article into a training part (the first 20) and an eval part (the last
// 4), with a random BERT over the bert-base-uncased vocabulary. Checks that every answer maps
// through the windows to its exact context text, and that training and evaluation run in all
// three precision modes with answers that are pieces of their contexts. The scores of a model
// without pretraining are low; they are reported, not judged.
// Location of the data: $OCTET_SHARED_DATA, else ../shared/data next to the repository; missing
// data fails the test.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OrtBackend } from '../../engine/kernels/ort-backend';
import { loadManifest } from '../../engine/manifest/load';
import { tokensToCharSpan } from '../../engine/squad/answer-span';
import type { SquadExample } from '../../engine/squad/examples';
import { loadSquadExamples } from '../../engine/squad/load';
import { buildWindows, type SquadWindow } from '../../engine/squad/windows';
import type { BertTokenizer } from '../../engine/text/bert-tokenizer';
import { loadBertTokenizer } from '../../engine/text/load-bert-tokenizer';
import type { EvalEvent, RunEvent } from '../../engine/train/events';
import { RunFolder } from '../../engine/train/run-folder';
import { train } from '../../engine/train/trainer';
import { TestRandom } from '../helpers/random';
import { createGlueModel, sharedFile } from './helpers/glue-project';

interface SquadFile {
  version: string;
  data: { title: string; paragraphs: { context: string; qas: { id: string }[] }[] }[];
}

const TRAIN_ARTICLES = 20;
const TRAIN_QUESTIONS = 480;
const EVAL_QUESTIONS = 120;
const MAX_SEQ_LENGTH = 128;
const DOC_STRIDE = 64;

/** The articles [from, to) with `questions` of their questions chosen at random (file order kept); empty paragraphs dropped. */
function subset(squad: SquadFile, from: number, to: number, questions: number, seed: number): SquadFile {
  const articles = squad.data.slice(from, to);
  const ids = articles.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.map((q) => q.id)));
  const rnd = new TestRandom(seed);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const keep = new Set(ids.slice(0, questions));
  return {
    version: squad.version,
    data: articles.map((a) => ({
      ...a,
      paragraphs: a.paragraphs.map((p) => ({ ...p, qas: p.qas.filter((q) => keep.has(q.id)) })).filter((p) => p.qas.length > 0),
    })).filter((a) => a.paragraphs.length > 0),
  };
}

describe('SQuAD v1.1 (dev-half-a.json)', () => {
  const file = sharedFile('squad', 'dev-half-a.json');
  const squad = JSON.parse(readFileSync(file, 'utf8')) as SquadFile;
  let backend: OrtBackend;
  let dir: string;
  before(async () => {
    backend = await OrtBackend.create({ threads: 2 });
    dir = mkdtempSync(path.join(tmpdir(), 'octet-squad-data-'));
    await createGlueModel(path.join(dir, 'model'), { hidden: 64, heads: 2, ffn: 256, layers: 2, maxPositions: MAX_SEQ_LENGTH });
    writeFileSync(path.join(dir, 'train.json'), JSON.stringify(subset(squad, 0, TRAIN_ARTICLES, TRAIN_QUESTIONS, 1)));
    writeFileSync(path.join(dir, 'dev.json'), JSON.stringify(subset(squad, TRAIN_ARTICLES, squad.data.length, EVAL_QUESTIONS, 2)));
  });
  after(async () => {
    await backend.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('every question loads, and in every window that holds its answer the tokens map back to the exact context text', (t: TestContext) => {
    assert.equal(squad.data.length, 24);
    const examples = loadSquadExamples({ file, format: 'json', fields: { question: 'question', context: 'context', answers: 'answers' }, version2: false });
    assert.equal(examples.length, 4961);
    const tokenizer = loadBertTokenizer(sharedFile('bert-base-uncased'));
    const windows = buildWindows(examples, tokenizer, { maxSeqLength: MAX_SEQ_LENGTH, docStride: DOC_STRIDE });
    let holding = 0;
    let exact = 0;
    const held = new Set<number>();
    const tiling = new WindowTiling(tokenizer);
    for (const w of windows) {
      tiling.add(examples[w.example]!, w);
      if (w.startPosition === 0) continue;
      holding++;
      held.add(w.example);
      const ex = examples[w.example]!;
      const answer = ex.answers[0]!;
      const first = w.startPosition - w.contextStart;
      const last = w.endPosition - w.contextStart;
      const [s, e] = tokensToCharSpan(w.offsets, first, last);
      // The span covers the answer, and no smaller run of tokens would.
      assert.ok(s <= answer.start && e >= answer.start + answer.text.length, `${ex.id}: [${s}, ${e}) misses the answer`);
      assert.ok(w.offsets[2 * first + 1]! > answer.start && w.offsets[2 * last]! < answer.start + answer.text.length, `${ex.id}: span not tight`);
      const aligned = w.offsets.some((_, i) => i % 2 === 0 && w.offsets[i] === answer.start) && w.offsets.some((_, i) => i % 2 === 1 && w.offsets[i] === answer.start + answer.text.length);
      const text = ex.context.slice(s, e);
      if (aligned) assert.equal(text, answer.text, `${ex.id}: an answer on token boundaries comes back exactly`);
      if (text === answer.text) exact++;
    }
    assert.equal(held.size, examples.length, 'every answer is in some window');
    t.diagnostic(`${examples.length} questions in ${windows.length} windows (maxSeqLength ${MAX_SEQ_LENGTH}, docStride ${DOC_STRIDE}); ${holding} windows hold their answer, ${exact} of them exactly on token boundaries (the rest: answers that end inside a word piece, e.g. "4" of "49")`);
    assert.ok(exact / holding > 0.99, `${exact} / ${holding}`);
    tiling.finish();
  });

  for (const mode of ['fp32', 'int8', 'int8-outlier'] as const) {
    test(`${mode}: trains and evaluates end to end; every predicted answer is a piece of its context`, async (t: TestContext) => {
      const manifestPath = path.join(dir, `octet-${mode}.json`);
      writeFileSync(manifestPath, JSON.stringify({
        version: 1,
        model: 'model',
        task: { type: 'squad' },
        data: { train: 'train.json', eval: 'dev.json' },
        train: { epochs: 1, batchSize: 16, learningRate: 1e-3, warmupRatio: 0.1, maxSeqLength: MAX_SEQ_LENGTH, docStride: DOC_STRIDE, seed: 3 },
        precision: { mode },
        output: `runs/${mode}`,
      }, null, 2));
      const events: RunEvent[] = [];
      const started = performance.now();
      const result = await train(loadManifest(manifestPath), backend, { onEvent: (e) => events.push(e) });
      const seconds = (performance.now() - started) / 1000;
      assert.equal(result.state, 'completed');
      const ev = events.filter((e): e is EvalEvent => e.type === 'eval').at(-1)!;
      for (const k of ['exactMatch', 'f1'] as const) assert.ok(ev.metrics[k]! >= 0 && ev.metrics[k]! <= 1, `${k} ${ev.metrics[k]}`);
      const losses = events.flatMap((e) => (e.type === 'train' ? [e.loss] : []));
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      assert.ok(mean(losses.slice(-10)) < mean(losses.slice(0, 10)), `the training loss went down: ${mean(losses.slice(0, 10)).toFixed(3)} -> ${mean(losses.slice(-10)).toFixed(3)}`);

      const dev = loadSquadExamples({ file: path.join(dir, 'dev.json'), format: 'json', fields: { question: 'question', context: 'context', answers: 'answers' }, version2: false });
      assert.equal(dev.length, EVAL_QUESTIONS);
      const predictions = JSON.parse(readFileSync(new RunFolder(result.runDir).predictionsPath, 'utf8')) as Record<string, string>;
      assert.deepEqual(Object.keys(predictions).sort(), dev.map((q) => q.id).sort());
      for (const q of dev) assert.ok(predictions[q.id] !== '' && q.context.includes(predictions[q.id]!), `${q.id}: "${predictions[q.id]}"`);
      const start = events[0]!;
      t.diagnostic(`${mode}: EM ${(100 * ev.metrics.exactMatch!).toFixed(2)}, F1 ${(100 * ev.metrics.f1!).toFixed(2)} on ${EVAL_QUESTIONS} questions; ` +
        `${start.type === 'start' ? start.trainExamples : '?'} training windows, loss ${losses[0]!.toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}, ${seconds.toFixed(1)} s`);
    });
  }
});

/**
 * Checks that the windows of each question are slices of its context's tokens, in order, that
 * overlap or touch and together run from the first token to the last: no token is lost.
 */
class WindowTiling {
  private readonly contexts = new Map<string, { ids: number[]; offsets: number[] }>();
  private current: { example: SquadExample; ids: number[]; offsets: number[]; start: number; end: number } | null = null;

  constructor(private readonly tokenizer: BertTokenizer) {}

  add(example: SquadExample, w: SquadWindow): void {
    if (this.current?.example !== example) {
      this.finish();
      let full = this.contexts.get(example.context);
      if (!full) {
        const t = this.tokenizer.tokenizeWithOffsets(example.context);
        full = { ids: t.ids, offsets: t.offsets.flat() };
        this.contexts.set(example.context, full);
      }
      this.current = { example, ...full, start: -1, end: 0 };
    }
    const c = this.current!;
    const n = w.offsets.length / 2;
    // Where the window starts among the context's tokens: after the previous window's start, at
    // or before its end (the first window at 0).
    let start = c.start + 1;
    while (start <= c.end && !(c.offsets[2 * start] === w.offsets[0] && c.offsets[2 * start + 1] === w.offsets[1])) start++;
    assert.ok(start <= c.end && (c.start >= 0 || start === 0), `${c.example.id}: a window starts after a gap`);
    assert.deepEqual(Array.from(w.ids.subarray(w.contextStart, w.contextStart + n)), c.ids.slice(start, start + n), `${c.example.id}: window tokens`);
    assert.deepEqual(Array.from(w.offsets), c.offsets.slice(2 * start, 2 * (start + n)), `${c.example.id}: window offsets`);
    c.start = start;
    c.end = start + n;
  }

  finish(): void {
    const c = this.current;
    if (c) assert.equal(c.end, c.ids.length, `${c.example.id}: the windows stop before the end of the context`);
    this.current = null;
  }
}
