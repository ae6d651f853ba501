// BERT's basic tokenizer (normalization + splitting into words) in one pass over the input, so
// that every character of every word still knows where it came from in the original string.
//
// The steps and their order follow Hugging Face's BertNormalizer + BertPreTokenizer:
//   1. clean: delete NUL, U+FFFD and control characters; whitespace becomes a word boundary;
//   2. each CJK ideograph is a word of its own;
//   3. lower-case, then NFD and drop nonspacing marks (per code point, see normalize-char.ts);
//   4. split the normalized text on whitespace, and make each punctuation character its own word.
//
// Offsets are JavaScript string indices (UTF-16 code units) into the original input.

import {
  isAsciiPunctuation,
  isBertControl,
  isBertPunctuation,
  isBertWhitespace,
  isChineseChar,
} from './char-classes';
import { normalizeCodePoint } from './normalize-char';

export interface NormalizerOptions {
  /** Delete NUL, U+FFFD and control characters; treat every kind of whitespace as a space. */
  readonly cleanText: boolean;
  /** Put each CJK ideograph in a word of its own. */
  readonly handleChineseChars: boolean;
  readonly lowercase: boolean;
  /** NFD then drop Mn. Already resolved: Hugging Face's `null` means "same as lowercase". */
  readonly stripAccents: boolean;
}

/**
 * Normalized words with, for each of their UTF-16 code units, the [start, end) span of the
 * original character it came from. Spans are stored flat (not one array per word) because a
 * corpus has millions of words and per-word arrays would dominate the cost.
 */
export interface PreTokenizedText {
  readonly words: string[];
  /** Where word w's first code unit sits in `starts`/`ends`. */
  readonly spanBase: number[];
  readonly starts: number[];
  readonly ends: number[];
}

export function emptyPreTokenizedText(): PreTokenizedText {
  return { words: [], spanBase: [], starts: [], ends: [] };
}

/**
 * Splits `text[from, to)` into normalized words, appending them to `out` (a fresh result by
 * default). Original spans stay relative to the whole `text`, not to `from`.
 */
export function preTokenize(
  text: string,
  options: NormalizerOptions,
  from = 0,
  to = text.length,
  out: PreTokenizedText = emptyPreTokenizedText(),
): PreTokenizedText {
  const { cleanText, handleChineseChars, lowercase, stripAccents } = options;
  const { words, spanBase, starts, ends } = out;
  let word = '';

  const endWord = (): void => {
    if (word.length === 0) return;
    spanBase.push(starts.length - word.length);
    words.push(word);
    word = '';
  };
  const append = (unit: string, start: number, end: number): void => {
    word += unit;
    starts.push(start);
    ends.push(end);
  };

  let i = from;
  while (i < to) {
    let cp = text.charCodeAt(i);
    let next = i + 1;

    if (cp < 0x80) {
      // ASCII: never changes length under normalization, so no lookups beyond char codes.
      if (cp <= 0x20 || cp === 0x7f) {
        if (cleanText && isBertControl(cp)) {
          i = next;
          continue;
        }
        if (isBertWhitespace(cp)) {
          endWord();
          i = next;
          continue;
        }
      }
      if (isAsciiPunctuation(cp)) {
        endWord();
        append(text[i]!, i, next);
        endWord();
      } else if (lowercase && cp >= 0x41 && cp <= 0x5a) {
        append(String.fromCharCode(cp + 0x20), i, next);
      } else {
        append(text[i]!, i, next);
      }
      i = next;
      continue;
    }

    if (cp >= 0xd800 && cp <= 0xdbff && next < to) {
      const low = text.charCodeAt(next);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
        next += 1;
      }
    }

    if (cleanText) {
      if (cp === 0xfffd || isBertControl(cp)) {
        i = next;
        continue;
      }
      if (isBertWhitespace(cp)) {
        endWord();
        i = next;
        continue;
      }
    }

    const chinese = handleChineseChars && isChineseChar(cp);
    if (chinese) endWord();

    const normalized = normalizeCodePoint(cp, lowercase, stripAccents);
    if (normalized.length === 0) {
      // A lone combining accent was stripped. Widen the previous character's span over it, so a
      // slice of the original text for this word still carries its accent.
      if (word.length > 0) ends[ends.length - 1] = next;
    }
    for (let k = 0; k < normalized.length; ) {
      let ncp = normalized.charCodeAt(k);
      let units = 1;
      if (ncp >= 0xd800 && ncp <= 0xdbff && k + 1 < normalized.length) {
        ncp = normalized.codePointAt(k)!;
        units = ncp > 0xffff ? 2 : 1;
      }
      if (isBertWhitespace(ncp)) {
        endWord();
      } else {
        const punctuation = isBertPunctuation(ncp);
        if (punctuation) endWord();
        for (let u = 0; u < units; u++) append(normalized[k + u]!, i, next);
        if (punctuation) endWord();
      }
      k += units;
    }

    if (chinese) endWord();
    i = next;
  }
  endWord();
  return out;
}
