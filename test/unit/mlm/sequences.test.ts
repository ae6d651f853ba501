// Packing texts into sequences ([CLS] a [SEP] b [SEP] ...) and reading them: no token lost, long
// texts split, blank lines skipped, and files without text refused naming the file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseManifest } from '../../../engine/manifest';
import { packSequences } from '../../../engine/mlm/sequences';
import { loadMlmTexts } from '../../../engine/mlm/texts';
import { BertTokenizer, createVocab } from '../../../engine/text';

const WORDS = ['the', 'cat', 'sat', 'on', 'mat', 'a', 'dog', 'ran', '.'];
const tokenizer = new BertTokenizer(createVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS]));
const CLS = 2;
const SEP = 3;
const dir = mkdtempSync(path.join(tmpdir(), 'octet-mlm-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

function manifestFor(train: string, data: Record<string, unknown> = {}) {
  return parseManifest(JSON.stringify({ version: 1, model: 'm', task: { type: 'mlm' }, data: { train, ...data } }), path.join(dir, 'octet.json'));
}

test('whole texts are packed greedily, each followed by [SEP], within maxSeqLength', () => {
  const texts = ['the cat sat', 'a dog ran .', 'the mat', 'the cat sat on the mat .'].map((text, i) => ({ text, line: i + 1 }));
  const set = packSequences(texts, tokenizer, 10, 'x.txt');
  const words = set.sequences.map((s) => Array.from(s.ids, (id) => (id === CLS ? '[CLS]' : id === SEP ? '[SEP]' : WORDS[id - 5])).join(' '));
  assert.deepEqual(words, [
    '[CLS] the cat sat [SEP] a dog ran . [SEP]',
    '[CLS] the mat [SEP]',
    '[CLS] the cat sat on the mat . [SEP]',
  ]);
  assert.deepEqual(set.sequences.map((s) => s.line), [1, 3, 4]);
  assert.equal(set.tokens, 10 + 4 + 9);
  assert.equal(set.splitTexts, 0);
});

test('a text longer than a sequence is split into pieces, no token dropped', () => {
  const long = Array.from({ length: 23 }, (_, i) => WORDS[i % WORDS.length]).join(' ');
  const set = packSequences([{ text: long, line: 1 }, { text: 'the cat', line: 2 }], tokenizer, 8, 'x.txt');
  assert.equal(set.splitTexts, 1);
  for (const s of set.sequences) assert.ok(s.ids.length <= 8 && s.ids[0] === CLS && s.ids[s.ids.length - 1] === SEP);
  const ordinary = set.sequences.flatMap((s) => Array.from(s.ids).filter((id) => id !== CLS && id !== SEP));
  assert.equal(ordinary.length, 23 + 2);
  // 23 tokens in pieces of 6: 6, 6, 6, 5; "the cat" does not fit beside the last piece.
  assert.deepEqual(set.sequences.map((s) => s.ids.length), [8, 8, 8, 7, 4]);
});

test('plain text: blank lines are skipped with line numbers kept; empty or blank files are refused', () => {
  const texts = loadMlmTexts(manifestFor('a.txt'), file('a.txt', 'the cat\n\n   \r\na dog ran\n'));
  assert.deepEqual(texts, [{ text: 'the cat', line: 1 }, { text: 'a dog ran', line: 4 }]);
  const empty = file('empty.txt', '');
  assert.throws(() => loadMlmTexts(manifestFor('empty.txt'), empty), (e: Error) => e.message.includes('empty.txt') && /the file is empty/.test(e.message));
  const blank = file('blank.txt', '\n  \n\t\n');
  assert.throws(() => loadMlmTexts(manifestFor('blank.txt'), blank), /all 3 lines are blank/);
});

test('a table column: empty texts skipped, a column of empty strings refused naming the column', () => {
  const tsv = file('t.tsv', 'sentence\tlabel\nthe cat\t1\n\t0\na dog\t1\n');
  assert.deepEqual(loadMlmTexts(manifestFor('t.tsv', { text: 'sentence' }), tsv).map((t) => t.line), [2, 4]);
  const hollow = file('h.tsv', 'sentence\tlabel\n\t1\n  \t0\n');
  assert.throws(() => loadMlmTexts(manifestFor('h.tsv', { text: 'sentence' }), hollow), (e: Error) => e.message.includes('h.tsv') && /text column "sentence" is empty on all 2 rows/.test(e.message));
  assert.throws(() => loadMlmTexts(manifestFor('t.tsv', { text: 'review' }), tsv), /text column "review" not found/);
});
