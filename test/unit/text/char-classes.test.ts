import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isBertControl,
  isBertPunctuation,
  isBertWhitespace,
  isChineseChar,
  isNonspacingMark,
} from '../../../engine/text/char-classes';

const cp = (s: string): number => s.codePointAt(0)!;

test('whitespace: ASCII blanks and Unicode White_Space', () => {
  for (const s of [' ', '\t', '\n', '\r', '\u000b', '\u00a0', '\u2003', '\u3000', '\u2028']) {
    assert.ok(isBertWhitespace(cp(s)), `U+${cp(s).toString(16)}`);
  }
  for (const s of ['a', '\u0000', '\u200b', '\ufeff', '_']) assert.ok(!isBertWhitespace(cp(s)), `U+${cp(s).toString(16)}`);
});

test('control: C* categories except tab, newline and carriage return', () => {
  for (const s of ['\u0000', '\u0007', '\u007f', '\u0085', '\u200b', '\u200e', '\ufeff', '\ue000', '\ud800']) {
    assert.ok(isBertControl(cp(s)), `U+${cp(s).toString(16)}`);
  }
  // U+0378 is unassigned (Cn): also control, like Python's category().startswith('C').
  assert.ok(isBertControl(0x378));
  for (const s of ['\t', '\n', '\r', ' ', 'a', '\u00e9', '\ufffd']) assert.ok(!isBertControl(cp(s)), `U+${cp(s).toString(16)}`);
});

test('punctuation: every ASCII non-alphanumeric printable, plus Unicode P*', () => {
  for (const s of '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~') assert.ok(isBertPunctuation(cp(s)), s);
  for (const s of ['—', '«', '»', '¿', '、', '。', '‘', '’']) assert.ok(isBertPunctuation(cp(s)), s);
  for (const s of ['a', '0', ' ', '€', '°', '±', '£']) assert.ok(!isBertPunctuation(cp(s)), s);
});

test('nonspacing marks are Mn only', () => {
  assert.ok(isNonspacingMark(0x0301));
  assert.ok(isNonspacingMark(0x0307));
  assert.ok(!isNonspacingMark(cp('e')));
  assert.ok(!isNonspacingMark(0x0903)); // Devanagari visarga: Mc, a spacing mark
});

test('Chinese characters: the CJK ideograph blocks, not kana or Hangul', () => {
  for (const c of [0x4e00, 0x9fff, 0x3400, 0xf900, 0x20000, 0x2b820, 0x2f800]) assert.ok(isChineseChar(c), c.toString(16));
  for (const c of [cp('あ'), cp('カ'), cp('한'), cp('a'), 0x33ff, 0xa000]) assert.ok(!isChineseChar(c), c.toString(16));
});
