// Exact match and F1 over questions: known cases and a hand computation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { squadMetrics } from '../../../engine/squad/scores';
import { example } from './helpers';

const CONTEXT = 'The cat sat on the mat near the big river.';

test('perfect predictions score 100 exact match and 100 F1', () => {
  const examples = [example('a', 'Who?', CONTEXT, 'The cat'), example('b', 'Where?', CONTEXT, 'the mat near the big river'), example('c', 'What?', CONTEXT, 'sat')];
  assert.deepEqual(squadMetrics(examples, examples.map((e) => e.answers[0]!.text)), { exactMatch: 1, f1: 1 });
});

test('a hand-made case matches the hand computation', () => {
  const a = example('a', 'Who?', CONTEXT, 'The cat');
  const b = { ...example('b', 'Where?', CONTEXT, 'the mat'), answers: [{ text: 'the mat', start: 15 }, { text: 'on the mat near the big river', start: 12 }] };
  const c = example('c', 'What?', CONTEXT, 'sat');
  const predictions = [
    'cat.', // normalises to "cat" = gold "cat": EM 1, F1 1
    'mat near the river', // vs "mat": P 1/3 R 1 -> 0.5; vs "on mat near big river": common {mat, near, river} = 3, P 1, R 3/5 -> 0.75; best 0.75
    'the cat sat', // vs "sat": common 1, P 1/2, R 1 -> 2/3; EM 0
  ];
  const m = squadMetrics([a, b, c], predictions);
  assert.equal(m.exactMatch, 1 / 3);
  assert.ok(Math.abs(m.f1 - (1 + 0.75 + 2 / 3) / 3) < 1e-12, `f1 ${m.f1}`);
});

test('SQuAD 2.0: an unanswerable question scores 1 for the empty answer and 0 for any other', () => {
  const impossible = example('x', 'Who flew?', CONTEXT, null);
  const answerable = example('y', 'Who sat?', CONTEXT, 'The cat');
  assert.deepEqual(squadMetrics([impossible, answerable], ['', 'cat']), { exactMatch: 1, f1: 1 });
  assert.deepEqual(squadMetrics([impossible, answerable], ['the', '']), { exactMatch: 0.5, f1: 0.5 }, '"the" normalises to nothing');
  assert.deepEqual(squadMetrics([impossible], ['cat']), { exactMatch: 0, f1: 0 });
});

test('a count mismatch and an empty set are refused', () => {
  assert.throws(() => squadMetrics([example('a', 'Who?', CONTEXT, 'cat')], []), { code: 'shape-mismatch' });
  assert.throws(() => squadMetrics([], []), { code: 'invalid-argument' });
});
