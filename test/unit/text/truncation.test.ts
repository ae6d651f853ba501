import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OctetError } from '../../../engine/errors';
import { planTruncation } from '../../../engine/text';
import { tinyTokenizer } from './tiny-vocab';

test('longest_first matches the Hugging Face (Rust) table for a budget of 7', () => {
  // [first, second] -> [keepFirst, keepSecond]; lengths 0, 2, 4, 8 as in tokenizers' own tests.
  const cases: Array<[number, number, number, number]> = [
    [0, 0, 0, 0], [0, 2, 0, 2], [0, 4, 0, 4], [0, 8, 0, 7],
    [2, 0, 2, 0], [2, 2, 2, 2], [2, 4, 2, 4], [2, 8, 2, 5],
    [4, 0, 4, 0], [4, 2, 4, 2], [4, 4, 3, 4], [4, 8, 3, 4],
    [8, 0, 7, 0], [8, 2, 5, 2], [8, 4, 4, 3], [8, 8, 3, 4],
  ];
  for (const [a, b, keepA, keepB] of cases) {
    assert.deepEqual(planTruncation(a, b, 7, 'longest_first'), { keepFirst: keepA, keepSecond: keepB }, `${a}+${b}`);
  }
});

test('longest_first removes only from the longer text while it is still longer', () => {
  assert.deepEqual(planTruncation(100, 10, 50, 'longest_first'), { keepFirst: 40, keepSecond: 10 });
  assert.deepEqual(planTruncation(10, 100, 50, 'longest_first'), { keepFirst: 10, keepSecond: 40 });
  assert.deepEqual(planTruncation(30, 40, 50, 'longest_first'), { keepFirst: 25, keepSecond: 25 });
  assert.deepEqual(planTruncation(30, 40, 51, 'longest_first'), { keepFirst: 25, keepSecond: 26 });
});

test('a single text is cut to the budget', () => {
  assert.deepEqual(planTruncation(12, null, 5, 'longest_first'), { keepFirst: 5, keepSecond: 0 });
  assert.deepEqual(planTruncation(12, null, 5, 'only_first'), { keepFirst: 5, keepSecond: 0 });
  assert.deepEqual(planTruncation(3, null, 5, 'longest_first'), { keepFirst: 3, keepSecond: 0 });
});

test('only_first / only_second cut one text and refuse when it is too short', () => {
  assert.deepEqual(planTruncation(10, 6, 12, 'only_first'), { keepFirst: 6, keepSecond: 6 });
  assert.deepEqual(planTruncation(10, 6, 12, 'only_second'), { keepFirst: 10, keepSecond: 2 });
  assert.throws(() => planTruncation(10, 4, 10, 'only_second'), (e: unknown) => {
    assert.ok(e instanceof OctetError);
    assert.equal(e.code, 'invalid-argument');
    assert.match(e.message, /only the second/);
    return true;
  });
  assert.throws(() => planTruncation(4, 10, 10, 'only_first'), OctetError);
  assert.throws(() => planTruncation(4, null, 10, 'only_second'), /needs a second text/);
});

test('do_not_truncate keeps everything; a zero budget empties both texts', () => {
  assert.deepEqual(planTruncation(10, 10, 5, 'do_not_truncate'), { keepFirst: 10, keepSecond: 10 });
  assert.deepEqual(planTruncation(10, 3, 0, 'only_first'), { keepFirst: 0, keepSecond: 0 });
});

test('encode: pair truncation keeps the layout and counts the dropped tokens', () => {
  const tok = tinyTokenizer();
  // 6 tokens and 3 tokens; maxLength 8 leaves a budget of 5 after [CLS] [SEP] [SEP].
  const first = 'hello world the x y i';
  const second = 'cafe naive tab';
  const full = tok.encode(first, second);
  assert.equal(full.ids.length, 12);
  assert.equal(full.truncatedTokens, 0);

  const cut = tok.encode(first, second, { maxLength: 8 });
  assert.deepEqual(cut.tokens, ['[CLS]', 'hello', 'world', 'the', '[SEP]', 'cafe', 'naive', '[SEP]']);
  assert.equal(cut.truncatedTokens, 4);
  assert.deepEqual([...cut.tokenTypeIds], [0, 0, 0, 0, 0, 1, 1, 1]);
  assert.deepEqual(cut.sequenceIds, [null, 0, 0, 0, null, 1, 1, null]);
  assert.deepEqual(cut.offsets.slice(5, 7), [[0, 4], [5, 10]]);

  const onlySecond = tok.encode(first, second, { maxLength: 10, truncation: 'only_second' });
  assert.deepEqual(onlySecond.tokens.slice(-2), ['cafe', '[SEP]']);
  assert.equal(onlySecond.truncatedTokens, 2);
});

test('encode: single text truncation, and no truncation when it already fits', () => {
  const tok = tinyTokenizer();
  const cut = tok.encode('hello world the x y', null, { maxLength: 4 });
  assert.deepEqual(cut.tokens, ['[CLS]', 'hello', 'world', '[SEP]']);
  assert.equal(cut.truncatedTokens, 3);
  const fits = tok.encode('hello world', null, { maxLength: 4 });
  assert.equal(fits.truncatedTokens, 0);
  assert.equal(fits.ids.length, 4);
  const noLimit = tok.encode('hello world the x y', null, { maxLength: 4, truncation: 'do_not_truncate' });
  assert.equal(noLimit.ids.length, 7);
});

test('encode: a maxLength without room for the special tokens, or an unknown strategy, is refused', () => {
  const tok = tinyTokenizer();
  assert.throws(() => tok.encode('hello', 'world', { maxLength: 2 }), /at least 3/);
  assert.throws(() => tok.encode('hello', null, { maxLength: 1.5 }), OctetError);
  assert.throws(
    () => tok.encode('hello', null, { maxLength: 4, truncation: 'longest' as never }),
    /unknown truncation "longest"/,
  );
  // Just the special tokens is allowed: both texts are emptied.
  assert.deepEqual(tok.encode('hello', 'world', { maxLength: 3 }).tokens, ['[CLS]', '[SEP]', '[SEP]']);
});
