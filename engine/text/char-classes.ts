// Character classes used by BERT's basic tokenizer, with the same definitions as the reference
// implementations (Google's tokenization.py, Hugging Face tokenizers' BertNormalizer and
// BertPreTokenizer). All functions take a Unicode code point, not a UTF-16 code unit.
//
// Tokenizing a corpus asks these questions for every character, so Unicode property regexes are
// run at most once per BMP code point and the answer is kept in a lookup table; ASCII never
// reaches a regex at all.

const WHITESPACE = 1;
const CONTROL = 2;
const PUNCTUATION = 4;
const NONSPACING_MARK = 8;
const COMPUTED = 128;

const bmpFlags = new Uint8Array(0x10000);
const astralFlags = new Map<number, number>();

const WHITE_SPACE_RE = /\p{White_Space}/u;
// All "Other" categories (Cc, Cf, Cs, Co, Cn), like Python's `category(c).startswith('C')`.
const OTHER_RE = /\p{C}/u;
const PUNCTUATION_RE = /\p{P}/u;
const NONSPACING_MARK_RE = /\p{Mn}/u;

function computeFlags(cp: number): number {
  const ch = String.fromCodePoint(cp);
  let flags = COMPUTED;
  // Some characters are both (U+0085 is Cc and White_Space); cleaning asks "control?" first, as
  // the reference does, so the two flags are kept independent.
  if (WHITE_SPACE_RE.test(ch)) flags |= WHITESPACE;
  if (OTHER_RE.test(ch)) flags |= CONTROL;
  if (isAsciiPunctuation(cp) || PUNCTUATION_RE.test(ch)) flags |= PUNCTUATION;
  if (NONSPACING_MARK_RE.test(ch)) flags |= NONSPACING_MARK;
  return flags;
}

function flagsOf(cp: number): number {
  if (cp < 0x10000) {
    let flags = bmpFlags[cp]!;
    if (flags === 0) {
      flags = computeFlags(cp);
      bmpFlags[cp] = flags;
    }
    return flags;
  }
  let flags = astralFlags.get(cp);
  if (flags === undefined) {
    flags = computeFlags(cp);
    astralFlags.set(cp, flags);
  }
  return flags;
}

/**
 * BERT counts every ASCII non-alphanumeric printable character as punctuation, including
 * symbols such as `$`, `+`, `^` and `` ` `` that Unicode files under S*, so they split words.
 */
export function isAsciiPunctuation(cp: number): boolean {
  return (
    (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)
  );
}

/** Unicode White_Space, plus tab/newline/carriage return. */
export function isBertWhitespace(cp: number): boolean {
  if (cp < 0x80) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  return (flagsOf(cp) & WHITESPACE) !== 0;
}

/** Characters that text cleaning deletes: Unicode C* categories except tab, newline, CR. */
export function isBertControl(cp: number): boolean {
  if (cp < 0x80) return (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || cp === 0x7f;
  return (flagsOf(cp) & CONTROL) !== 0;
}

/** ASCII punctuation/symbols or any Unicode P* category: each becomes a word of its own. */
export function isBertPunctuation(cp: number): boolean {
  if (cp < 0x80) return isAsciiPunctuation(cp);
  return (flagsOf(cp) & PUNCTUATION) !== 0;
}

/** Unicode Mn: what accent stripping removes after NFD. */
export function isNonspacingMark(cp: number): boolean {
  if (cp < 0x300) return false; // the first Mn code point is U+0300
  return (flagsOf(cp) & NONSPACING_MARK) !== 0;
}

/**
 * The CJK Unified Ideographs blocks from the original BERT code. Japanese kana and Korean
 * Hangul are deliberately not included: they are written with spaces or are alphabetic.
 */
export function isChineseChar(cp: number): boolean {
  if (cp < 0x3400) return false;
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}
