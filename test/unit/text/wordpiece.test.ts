import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWordPieceModel, splitWordPieces, type WordPieceModel } from '../../../engine/text/wordpiece';

const UNK = 0;

function model(tokens: string[], maxChars = 100, prefix = '##'): { model: WordPieceModel; tokens: string[] } {
  const all = ['[UNK]', ...tokens];
  return { model: buildWordPieceModel(all, UNK, prefix, maxChars), tokens: all };
}

/** Pieces as "token@start-end" (start/end in the word's code units). */
function pieces(word: string, m: { model: WordPieceModel; tokens: string[] }): string[] {
  const ids: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const count = splitWordPieces(word, m.model, ids, starts, ends);
  assert.equal(count, ids.length);
  return ids.map((id, i) => `${m.tokens[id]}@${starts[i]}-${ends[i]}`);
}

test('takes the longest matching piece first', () => {
  const m = model(['un', 'unaff', '##aff', '##able', '##a', '##ble']);
  assert.deepEqual(pieces('unaffable', m), ['unaff@0-5', '##able@5-9']);
});

test('pieces after the first must be continuation (##) entries', () => {
  const m = model(['un', 'able']);
  // "able" exists only as a word start, so the remainder cannot be matched.
  assert.deepEqual(pieces('unable', m), ['[UNK]@0-6']);
  const withContinuation = model(['un', 'able', '##able']);
  assert.deepEqual(pieces('unable', withContinuation), ['un@0-2', '##able@2-6']);
});

test('an unmatched remainder turns the WHOLE word into [UNK], without backtracking', () => {
  // a + ##bc would cover "abc", but greedy takes "ab" first and then finds no "##c": the
  // reference gives [UNK] here, and so must we.
  const m = model(['ab', 'a', '##bc']);
  assert.deepEqual(pieces('abc', m), ['[UNK]@0-3']);
  assert.deepEqual(pieces('abbc', m), ['ab@0-2', '##bc@2-4']);
});

test('a word with no matching first piece is [UNK]', () => {
  const m = model(['hello']);
  assert.deepEqual(pieces('zzz', m), ['[UNK]@0-3']);
});

test('words longer than maxInputCharsPerWord are [UNK]; exactly the limit is fine', () => {
  const m = model(['a', '##a'], 5);
  assert.deepEqual(pieces('aaaaa', m), ['a@0-1', '##a@1-2', '##a@2-3', '##a@3-4', '##a@4-5']);
  assert.deepEqual(pieces('aaaaaa', m), ['[UNK]@0-6']);
});

test('characters outside the BMP are never split between their two UTF-16 halves', () => {
  const m = model(['😀', '##😀', 'a'], 2);
  // Two code points (four code units): within a limit of 2 characters.
  assert.deepEqual(pieces('😀😀', m), ['😀@0-2', '##😀@2-4']);
  assert.deepEqual(pieces('😀😀😀', m), ['[UNK]@0-6']);
  // "a😀" has no "a😀" entry; shortening must drop the whole emoji, not half of it.
  const m2 = model(['a', '##😀']);
  assert.deepEqual(pieces('a😀', m2), ['a@0-1', '##😀@1-3']);
});

test('an empty continuation prefix lets any entry continue a word', () => {
  const m = model(['ab', 'c'], 100, '');
  assert.deepEqual(pieces('abc', m), ['ab@0-2', 'c@2-3']);
});

test('appends after existing entries and clears its own partial pieces on [UNK]', () => {
  const m = model(['ab', 'a', '##bc']);
  const ids = [42];
  const starts = [7];
  const ends = [8];
  splitWordPieces('abc', m.model, ids, starts, ends);
  assert.deepEqual(ids, [42, UNK]);
  assert.deepEqual(starts, [7, 0]);
  assert.deepEqual(ends, [8, 3]);
});
