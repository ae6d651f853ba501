// Windows over long contexts: the layout, the stride, every context token covered, and the
// answer's characters -> tokens -> characters round trip giving back the exact context text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { charSpanToTokens, tokensToCharSpan } from '../../../engine/squad/answer-span';
import { buildWindows, type SquadWindow } from '../../../engine/squad/windows';
import { example, qaTokenizer } from './helpers';

const tokenizer = qaTokenizer();
const { cls, sep } = tokenizer.vocab.special;
// 20 context tokens: "the Big cat sat on the red mat , then the dog ran in the park near the river ."
const CONTEXT = 'The Big cat sat on the red mat, then the dog ran in the park near the river.';
const QUESTION = 'Who ran?'; // who ran ? -> 3 tokens

function contextTokens(w: SquadWindow): number[] {
  return Array.from(w.ids.subarray(w.contextStart, w.ids.length - 1));
}

describe('buildWindows', () => {
  test('lays out [CLS] question [SEP] window [SEP] with segment ids 0 then 1', () => {
    const [w] = buildWindows([example('q', QUESTION, CONTEXT, 'the dog')], tokenizer, { maxSeqLength: 64, docStride: 128 });
    const q = tokenizer.tokenizeWithOffsets(QUESTION).ids;
    const c = tokenizer.tokenizeWithOffsets(CONTEXT).ids;
    assert.equal(c.length, 20);
    assert.deepEqual(Array.from(w!.ids), [cls, ...q, sep, ...c, sep]);
    assert.equal(w!.contextStart, q.length + 2);
    assert.deepEqual(Array.from(w!.typeIds), [...Array(q.length + 2).fill(0), ...Array(c.length + 1).fill(1)]);
  });

  test('a long context is cut into windows docStride tokens apart that together hold every token', () => {
    // maxSeqLength 12 leaves 12 - 3 (question) - 3 (special) = 6 context tokens a window.
    const windows = buildWindows([example('q', QUESTION, CONTEXT, 'the park')], tokenizer, { maxSeqLength: 12, docStride: 4 });
    const all = tokenizer.tokenizeWithOffsets(CONTEXT).ids;
    // Starts 0, 4, 8, 12, 16; the last window (16..19) reaches the end.
    assert.deepEqual(windows.map((w) => contextTokens(w)), [0, 4, 8, 12, 16].map((s) => all.slice(s, Math.min(s + 6, 20))));
    for (const w of windows) assert.ok(w.ids.length <= 12);
  });

  test('a stride longer than a window moves one window at a time, skipping nothing', () => {
    const windows = buildWindows([example('q', QUESTION, CONTEXT, 'the park')], tokenizer, { maxSeqLength: 12, docStride: 100 });
    const all = tokenizer.tokenizeWithOffsets(CONTEXT).ids;
    assert.deepEqual(windows.map((w) => contextTokens(w)), [all.slice(0, 6), all.slice(6, 12), all.slice(12, 18), all.slice(18, 20)]);
  });

  test('the answer maps to its tokens in every window that holds it, and back to the exact context text', () => {
    const answers = ['Big cat', 'the dog ran', 'river', 'mat, then', 'The Big cat sat on the red mat, then the dog ran in the park near the river.'];
    for (const answer of answers) {
      for (const [maxSeqLength, docStride] of [[12, 1], [12, 2], [12, 5], [14, 3], [40, 128]] as const) {
        const ex = example('q', QUESTION, CONTEXT, answer);
        const windows = buildWindows([ex], tokenizer, { maxSeqLength, docStride });
        let holding = 0;
        for (const w of windows) {
          const n = w.offsets.length / 2;
          const first = w.offsets[0]!;
          const last = w.offsets[2 * n - 1]!;
          const inside = first <= ex.answers[0]!.start && last >= ex.answers[0]!.start + answer.length;
          if (!inside) {
            assert.deepEqual([w.startPosition, w.endPosition], [0, 0], 'a window without the whole answer points at [CLS]');
            continue;
          }
          holding++;
          const [s, e] = tokensToCharSpan(w.offsets, w.startPosition - w.contextStart, w.endPosition - w.contextStart);
          assert.equal(CONTEXT.slice(s, e), answer, `${answer} (maxSeqLength ${maxSeqLength}, docStride ${docStride})`);
        }
        const longest = tokenizer.tokenizeWithOffsets(answer).ids.length;
        if (longest <= maxSeqLength - 6) assert.ok(holding > 0, `some window holds "${answer}"`);
      }
    }
  });

  test('offsets point into the original text: case, accents and word pieces survive the round trip', () => {
    const context = 'Near the Café, the CATS were unable to sleep.';
    for (const answer of ['Café', 'CATS', 'unable', 'the CATS']) {
      const [w] = buildWindows([example('q', 'Where?', context, answer)], tokenizer, { maxSeqLength: 64, docStride: 128 });
      const [s, e] = tokensToCharSpan(w!.offsets, w!.startPosition - w!.contextStart, w!.endPosition - w!.contextStart);
      assert.equal(context.slice(s, e), answer);
    }
  });

  test('an answer that starts or ends inside a token maps to the whole token', () => {
    const context = 'the cats sat';
    const offsets = Int32Array.from(tokenizer.tokenizeWithOffsets(context).offsets.flat()); // the, cat, ##s, sat
    assert.deepEqual(charSpanToTokens(offsets, 4, 7), { first: 1, last: 1 }, '"cat" is the token cat');
    const inside = charSpanToTokens(offsets, 5, 8)!; // "ats"
    assert.deepEqual(inside, { first: 1, last: 2 }, 'cat + ##s');
    const [s, e] = tokensToCharSpan(offsets, inside.first, inside.last);
    assert.equal(context.slice(s, e), 'cats');
  });

  test('questions sharing a context each get their windows, in order', () => {
    const windows = buildWindows(
      [example('a', QUESTION, CONTEXT, 'the dog'), example('b', 'What sat?', CONTEXT, 'Big cat'), example('c', 'Who?', 'the sun rose', 'sun')],
      tokenizer,
      { maxSeqLength: 12, docStride: 6 },
    );
    const order = windows.map((w) => w.example);
    assert.deepEqual(order, [...order].sort((x, y) => x - y));
    assert.deepEqual([...new Set(order)], [0, 1, 2]);
  });
});
