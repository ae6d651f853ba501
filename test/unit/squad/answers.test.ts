// From window logits to answers: n-best pairs, the maximum answer length, the best window, the
// SQuAD 2.0 empty answer, and answers that are exact context substrings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictAnswers } from '../../../engine/squad/answers';
import type { WindowLogits } from '../../../engine/squad/infer';
import { buildWindows, type SquadWindow } from '../../../engine/squad/windows';
import { example, qaTokenizer } from './helpers';

const tokenizer = qaTokenizer();
const CONTEXT = 'The Big cat sat on the red mat, then the dog ran in the park near the river.';
const OPTIONS = { nBest: 20, maxAnswerLength: 30, version2: false };

/** Logits that are -50 everywhere but [CLS] and the given context tokens (indices among the window's context tokens). */
function logits(w: SquadWindow, starts: Record<number, number>, ends: Record<number, number>, cls = 0): WindowLogits {
  const start = new Float32Array(w.ids.length).fill(-50);
  const end = new Float32Array(w.ids.length).fill(-50);
  for (const [t, v] of Object.entries(starts)) start[w.contextStart + Number(t)] = v;
  for (const [t, v] of Object.entries(ends)) end[w.contextStart + Number(t)] = v;
  start[0] = cls;
  end[0] = cls;
  return { start, end };
}

test('the best start + end pair is the answer, as the exact context text', () => {
  const ex = example('q', 'Who ran?', CONTEXT, 'the dog');
  const [w] = buildWindows([ex], tokenizer, { maxSeqLength: 64, docStride: 128 });
  // "the dog ran" = context tokens 10..12; a higher start on 11 but its best end is 12.
  const [a] = predictAnswers([ex], [w!], [logits(w!, { 10: 5, 11: 4 }, { 12: 6, 9: 9 })], OPTIONS);
  assert.equal(a!.text, 'the dog ran', 'end 9 before start 10 is not a span; start 11 + end 12 scores less');
  assert.equal(a!.score, 11);
  assert.equal(CONTEXT.slice(a!.span![0], a!.span![1]), a!.text);
});

test('spans longer than maxAnswerLength are not considered', () => {
  const ex = example('q', 'Who ran?', CONTEXT, 'the dog');
  const [w] = buildWindows([ex], tokenizer, { maxSeqLength: 64, docStride: 128 });
  const l = logits(w!, { 0: 10, 5: 3 }, { 19: 10, 7: 3 });
  assert.equal(predictAnswers([ex], [w!], [l], OPTIONS)[0]!.text, CONTEXT, 'the whole context: 20 tokens');
  assert.equal(predictAnswers([ex], [w!], [l], { ...OPTIONS, maxAnswerLength: 5 })[0]!.text, 'the red mat', 'tokens 5..7');
});

test('only the nBest starts and ends are paired', () => {
  const ex = example('q', 'Who ran?', CONTEXT, 'the dog');
  const [w] = buildWindows([ex], tokenizer, { maxSeqLength: 64, docStride: 128 });
  // The best span starts at the third-best start (3); with nBest 2 only starts 15 and 14 are tried.
  const l = logits(w!, { 15: 5, 14: 4.5, 3: 4 }, { 4: 8, 16: 1 });
  assert.equal(predictAnswers([ex], [w!], [l], OPTIONS)[0]!.text, 'sat on');
  assert.equal(predictAnswers([ex], [w!], [l], { ...OPTIONS, nBest: 2 })[0]!.text, 'park near', 'tokens 15..16');
});

test('the best window wins, and every window maps back through its own offsets', () => {
  const ex = example('q', 'Who ran?', CONTEXT, 'the dog');
  const windows = buildWindows([ex], tokenizer, { maxSeqLength: 12, docStride: 4 });
  assert.ok(windows.length >= 4);
  const all = windows.map((w) => logits(w, { 0: 1 }, { 0: 1 }));
  const third = windows[2]!; // context tokens 8..13: ", then the dog ran in"
  all[2] = logits(third, { 2: 7 }, { 4: 7 });
  const [a] = predictAnswers([ex], windows, all, OPTIONS);
  assert.equal(a!.text, 'the dog ran');
});

test('SQuAD 2.0: the empty answer when the [CLS] score beats every span, taking the lowest [CLS] score over windows', () => {
  const ex = example('q', 'Who flew?', CONTEXT, null);
  const windows = buildWindows([ex], tokenizer, { maxSeqLength: 12, docStride: 4 });
  const spans = windows.map((w) => logits(w, { 1: 2 }, { 2: 2 }, 3)); // span 4, [CLS] 6 everywhere
  assert.equal(predictAnswers([ex], windows, spans, { ...OPTIONS, version2: true })[0]!.text, '');
  assert.notEqual(predictAnswers([ex], windows, spans, OPTIONS)[0]!.text, '', 'v1.1 always answers');
  spans[1] = logits(windows[1]!, { 1: 2 }, { 2: 2 }, 1); // one window's [CLS] score 2 < 4
  assert.notEqual(predictAnswers([ex], windows, spans, { ...OPTIONS, version2: true })[0]!.text, '');
});
