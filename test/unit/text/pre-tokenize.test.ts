import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preTokenize, type NormalizerOptions } from '../../../engine/text/pre-tokenize';

const UNCASED: NormalizerOptions = { cleanText: true, handleChineseChars: true, lowercase: true, stripAccents: true };
const CASED: NormalizerOptions = { ...UNCASED, lowercase: false, stripAccents: false };

/** Words as "word@start-end", the span being the original text the word came from. */
function words(text: string, options: NormalizerOptions = UNCASED, from?: number, to?: number): string[] {
  const pre = preTokenize(text, options, from, to);
  return pre.words.map((word, w) => {
    const base = pre.spanBase[w]!;
    return `${word}@${pre.starts[base]}-${pre.ends[base + word.length - 1]}`;
  });
}

/** Per code unit spans of the single word in `text`. */
function unitSpans(text: string, options: NormalizerOptions = UNCASED): string[] {
  const pre = preTokenize(text, options);
  assert.equal(pre.words.length, 1, `one word expected in ${JSON.stringify(text)}`);
  return pre.words[0]!.split('').map((ch, k) => `${ch}:${pre.starts[k]}-${pre.ends[k]}`);
}

test('splits on spaces and punctuation, lower-cases, keeps original offsets', () => {
  assert.deepEqual(words('Hello,  World!'), ['hello@0-5', ',@5-6', 'world@8-13', '!@13-14']);
});

test('tabs, newlines, CRLF and runs of whitespace only separate words', () => {
  assert.deepEqual(words('\ta\tb\nc\r\n  d  '), ['a@1-2', 'b@3-4', 'c@5-6', 'd@10-11']);
  // Unicode spaces too (no-break space, ideographic space, line separator).
  assert.deepEqual(words('a\u00a0b\u3000c\u2028d'), ['a@0-1', 'b@2-3', 'c@4-5', 'd@6-7']);
});

test('cleaning deletes NUL, U+FFFD and control/format characters without splitting the word', () => {
  assert.deepEqual(words('ab\u0000c\u200bd\ufffde\u0007f'), ['abcdef@0-10']);
  assert.deepEqual(unitSpans('a\u200bb'), ['a:0-1', 'b:2-3']);
});

test('U+0085 is a control character first: cleaning deletes it, without cleaning it is a space', () => {
  assert.deepEqual(words('a\u0085b'), ['ab@0-3']);
  assert.deepEqual(words('a\u0085b', { ...UNCASED, cleanText: false }), ['a@0-1', 'b@2-3']);
});

test('without cleaning, control characters stay inside words but whitespace still splits', () => {
  assert.deepEqual(words('a\u0001b c', { ...UNCASED, cleanText: false }), ['a\u0001b@0-3', 'c@4-5']);
});

test('precomposed accents are stripped; the letter keeps the span of the accented character', () => {
  assert.deepEqual(words('Café NAÏVE'), ['cafe@0-4', 'naive@5-10']);
  assert.deepEqual(unitSpans('Café'), ['c:0-1', 'a:1-2', 'f:2-3', 'e:3-4']);
});

test('a decomposed accent is dropped and its span joins the letter before it', () => {
  // "Cafe" + U+0301 + "s": the e now covers the accent too, so slicing keeps "é".
  assert.deepEqual(unitSpans('Cafe\u0301s'), ['c:0-1', 'a:1-2', 'f:2-3', 'e:3-5', 's:5-6']);
  // A stray accent at the start of a word has no letter to join and simply disappears.
  assert.deepEqual(words('x \u0301y'), ['x@0-1', 'y@3-4']);
});

test('characters that expand share the span of the one original character', () => {
  // U+0130 lower-cases to "i" + combining dot, whose dot is then stripped.
  assert.deepEqual(unitSpans('İx'), ['i:0-1', 'x:1-2']);
  // A Hangul syllable decomposes (NFD) into three jamo, all from original [0, 1).
  assert.deepEqual(unitSpans('한'), ['ᄒ:0-1', 'ᅡ:0-1', 'ᆫ:0-1']);
});

test('cased settings keep case and accents', () => {
  assert.deepEqual(words('Café', CASED), ['Café@0-4']);
  assert.deepEqual(words('Café', { ...CASED, stripAccents: true }), ['Cafe@0-4']);
  assert.deepEqual(words('Café', { ...CASED, lowercase: true }), ['café@0-4']);
});

test('capital sigma lower-cases per character, to σ even at the end of a word', () => {
  assert.deepEqual(words('ΣΑΣ'), ['σασ@0-3']);
});

test('ASCII symbols and Unicode P* characters are words of their own; other symbols are not', () => {
  assert.deepEqual(words('a$b+c'), ['a@0-1', '$@1-2', 'b@2-3', '+@3-4', 'c@4-5']);
  assert.deepEqual(words('a—b«c»'), ['a@0-1', '—@1-2', 'b@2-3', '«@3-4', 'c@4-5', '»@5-6']);
  assert.deepEqual(words('5€x°'), ['5€x°@0-4']);
  assert.deepEqual(words("don't..."), ['don@0-3', "'@3-4", 't@4-5', '.@5-6', '.@6-7', '.@7-8']);
});

test('each CJK ideograph is its own word, kana and Hangul are not split', () => {
  assert.deepEqual(words('ab木铁cd'), ['ab@0-2', '木@2-3', '铁@3-4', 'cd@4-6']);
  assert.deepEqual(words('ab木铁cd', { ...UNCASED, handleChineseChars: false }), ['ab木铁cd@0-6']);
  assert.deepEqual(words('かな'), ['かな@0-2']);
  // CJK Extension B lies outside the BMP: one ideograph, two code units.
  assert.deepEqual(words('a\u{20000}b'), ['a@0-1', '\u{20000}@1-3', 'b@3-4']);
});

test('characters outside the BMP that are not CJK stay inside words with both code units', () => {
  assert.deepEqual(unitSpans('a😀b'), ['a:0-1', '\ud83d:1-3', '\ude00:1-3', 'b:3-4']);
});

test('a sub-range keeps offsets relative to the whole text', () => {
  assert.deepEqual(words('xx Hello World yy', UNCASED, 3, 14), ['hello@3-8', 'world@9-14']);
});

test('empty and whitespace-only input give no words', () => {
  assert.deepEqual(words(''), []);
  assert.deepEqual(words(' \t\n\u0000 '), []);
});
