import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OctetError } from '../../../engine/errors';
import { BertTokenizer, createVocab } from '../../../engine/text';
import { referenceNormalize, TINY_TOKENS, tinyTokenizer } from './tiny-vocab';

function sliced(text: string, offsets: Array<[number, number]>): string[] {
  return offsets.map(([start, end]) => text.slice(start, end));
}

test('tokenizeWithOffsets: greedy WordPiece with ## continuations and [UNK]', () => {
  const tok = tinyTokenizer();
  const out = tok.tokenizeWithOffsets('Unaffable hellos zzz xyxy');
  assert.deepEqual(out.tokens, ['unaff', '##able', 'hello', '##s', '[UNK]', 'x', '##y', '##x', '##y']);
  assert.deepEqual(out.ids, out.tokens.map((t) => TINY_TOKENS.indexOf(t)));
  assert.deepEqual(sliced('Unaffable hellos zzz xyxy', out.offsets), ['Unaff', 'able', 'hello', 's', 'zzz', 'x', 'y', 'x', 'y']);
});

test('offsets point at the original characters through case, accents, spaces, tabs and newlines', () => {
  const tok = tinyTokenizer();
  const text = '  HELLO,\tCafé\n\nNAÏVE   wörld\r\nİstanbul ';
  const out = tok.tokenizeWithOffsets(text);
  assert.deepEqual(out.tokens, ['hello', ',', 'cafe', 'naive', 'world', 'i', '##stanbul']);
  assert.deepEqual(sliced(text, out.offsets), ['HELLO', ',', 'Café', 'NAÏVE', 'wörld', 'İ', 'stanbul']);
  for (let i = 0; i < out.tokens.length; i++) {
    const [start, end] = out.offsets[i]!;
    assert.equal(referenceNormalize(text.slice(start, end)), out.tokens[i]!.replace(/^##/, ''));
  }
});

test('a decomposed accent stays inside the token that carries its letter', () => {
  const tok = tinyTokenizer();
  const text = 'cafe\u0301 NAI\u0308VE';
  const out = tok.tokenizeWithOffsets(text);
  assert.deepEqual(out.tokens, ['cafe', 'naive']);
  assert.deepEqual(sliced(text, out.offsets), ['cafe\u0301', 'NAI\u0308VE']);
});

test('punctuation, CJK ideographs and control characters', () => {
  const tok = tinyTokenizer();
  const text = 'hello—world!木铁x\u200by?';
  const out = tok.tokenizeWithOffsets(text);
  assert.deepEqual(out.tokens, ['hello', '—', 'world', '!', '木', '铁', 'x', '##y', '?']);
  assert.deepEqual(sliced(text, out.offsets), ['hello', '—', 'world', '!', '木', '铁', 'x', 'y', '?']);
});

test('a cased tokenizer keeps case and accents and matches cased entries', () => {
  const tok = tinyTokenizer({ lowercase: false });
  assert.deepEqual(tok.tokenizeWithOffsets('Hello Café Cafe hello').tokens, ['Hello', 'Café', 'Cafe', 'hello']);
  const stripped = tinyTokenizer({ lowercase: false, stripAccents: true });
  assert.deepEqual(stripped.tokenizeWithOffsets('Café').tokens, ['Cafe']);
});

test('special tokens written in the text are recognised verbatim, with their offsets', () => {
  const tok = tinyTokenizer();
  const text = 'hello [MASK] world[SEP]x [mask]';
  const out = tok.tokenizeWithOffsets(text);
  assert.deepEqual(out.tokens, ['hello', '[MASK]', 'world', '[SEP]', 'x', '[', '[UNK]', ']']);
  assert.deepEqual(sliced(text, out.offsets).slice(0, 5), ['hello', '[MASK]', 'world', '[SEP]', 'x']);
  const literalOff = tinyTokenizer({ literalTokens: [] });
  assert.deepEqual(literalOff.tokenizeWithOffsets('[MASK]').tokens, ['[', '[UNK]', ']']);
  assert.throws(() => tinyTokenizer({ literalTokens: ['<s>'] }), /"<s>" is not in the vocabulary/);
});

test('words longer than maxInputCharsPerWord become one [UNK] over the whole word', () => {
  const tok = tinyTokenizer({ maxInputCharsPerWord: 4 });
  const out = tok.tokenizeWithOffsets('the hello x');
  assert.deepEqual(out.tokens, ['the', '[UNK]', 'x']);
  assert.deepEqual(out.offsets[1], [4, 9]);
  assert.throws(() => tinyTokenizer({ maxInputCharsPerWord: 0 }), OctetError);
});

test('encode: single text layout [CLS] A [SEP]', () => {
  const tok = tinyTokenizer();
  const enc = tok.encode('Hello world!');
  assert.ok(enc.ids instanceof Int32Array);
  assert.deepEqual(enc.tokens, ['[CLS]', 'hello', 'world', '!', '[SEP]']);
  assert.deepEqual([...enc.ids], [2, 10, 11, 26, 3]);
  assert.deepEqual([...enc.tokenTypeIds], [0, 0, 0, 0, 0]);
  assert.deepEqual([...enc.attentionMask], [1, 1, 1, 1, 1]);
  assert.deepEqual(enc.offsets, [[0, 0], [0, 5], [6, 11], [11, 12], [0, 0]]);
  assert.deepEqual(enc.sequenceIds, [null, 0, 0, 0, null]);
  assert.equal(enc.truncatedTokens, 0);
});

test('encode: pair layout [CLS] A [SEP] B [SEP], offsets relative to each text', () => {
  const tok = tinyTokenizer();
  const enc = tok.encode('the cafe', 'Hello there');
  assert.deepEqual(enc.tokens, ['[CLS]', 'the', 'cafe', '[SEP]', 'hello', '[UNK]', '[SEP]']);
  assert.deepEqual([...enc.tokenTypeIds], [0, 0, 0, 0, 1, 1, 1]);
  assert.deepEqual(enc.sequenceIds, [null, 0, 0, null, 1, 1, null]);
  assert.deepEqual(enc.offsets, [[0, 0], [0, 3], [4, 8], [0, 0], [0, 5], [6, 11], [0, 0]]);
});

test('encode: without special tokens, and with empty texts', () => {
  const tok = tinyTokenizer();
  const plain = tok.encode('the', 'x', { addSpecialTokens: false });
  assert.deepEqual(plain.tokens, ['the', 'x']);
  assert.deepEqual([...plain.tokenTypeIds], [0, 1]);
  assert.deepEqual(plain.sequenceIds, [0, 1]);
  assert.deepEqual(tok.encode('').tokens, ['[CLS]', '[SEP]']);
  assert.deepEqual(tok.encode('x', '').tokens, ['[CLS]', 'x', '[SEP]', '[SEP]']);
  assert.deepEqual(tok.encode('x', null).tokens, ['[CLS]', 'x', '[SEP]']);
});

test('the vocabulary exposes ids both ways and the special ids', () => {
  const vocab = tinyTokenizer().vocab;
  assert.equal(vocab.size, TINY_TOKENS.length);
  assert.equal(vocab.tokenToId.get('hello'), 10);
  assert.equal(vocab.idToToken[10], 'hello');
  assert.deepEqual(vocab.special, { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 });
});

test('special tokens can live anywhere in the vocabulary', () => {
  const vocab = createVocab(['hello', '<unk>', '<cls>', '<sep>', '<pad>', '<mask>'], {
    cls: '<cls>',
    sep: '<sep>',
    pad: '<pad>',
    unk: '<unk>',
    mask: '<mask>',
  });
  const tok = new BertTokenizer(vocab);
  const enc = tok.encode('hello bye <mask>');
  assert.deepEqual(enc.tokens, ['<cls>', 'hello', '<unk>', '<mask>', '<sep>']);
  assert.deepEqual([...enc.ids], [2, 0, 1, 5, 3]);
});
