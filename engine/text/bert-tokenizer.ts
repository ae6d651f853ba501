// BERT WordPiece tokenizer with character offsets: text -> token ids laid out as Hugging Face's
// `[CLS] A [SEP] B [SEP]`, each token carrying the [start, end) range of the ORIGINAL text it
// came from. Offsets are JavaScript string indices (UTF-16 code units), so
// `text.slice(start, end)` is the token's source text; question answering relies on that.

import { OctetError } from '../errors';
import { DEFAULT_BERT_TOKENIZER_OPTIONS, type BertTokenizerOptions } from './bert-tokenizer-options';
import { findLiteralTokens } from './literal-tokens';
import { preTokenize, type NormalizerOptions } from './pre-tokenize';
import { planTruncation, type TruncationStrategy } from './truncation';
import type { Vocab } from './vocab';
import { buildWordPieceModel, splitWordPieces, type WordPieceModel } from './wordpiece';

/** Tokens of one text, no special tokens added. */
export interface TokenizedText {
  readonly ids: number[];
  readonly tokens: string[];
  /** [start, end) into the text, in UTF-16 code units. */
  readonly offsets: Array<[number, number]>;
}

export interface EncodeOptions {
  /** Total length limit, special tokens included. No limit when absent. */
  readonly maxLength?: number;
  /** Only used with maxLength. Default 'longest_first'. */
  readonly truncation?: TruncationStrategy;
  /** Add [CLS]/[SEP]. Default true. */
  readonly addSpecialTokens?: boolean;
}

export interface Encoding {
  readonly ids: Int32Array;
  readonly tokens: string[];
  /** 0 for [CLS], the first text and its [SEP]; 1 for the second text and its [SEP]. */
  readonly tokenTypeIds: Int32Array;
  /** All 1: nothing is padded here. */
  readonly attentionMask: Int32Array;
  /** [start, end) in the text the token came from (see sequenceIds); [0, 0] for special tokens. */
  readonly offsets: Array<[number, number]>;
  /** Which text each token came from: 0 = text, 1 = textPair, null = special token. */
  readonly sequenceIds: Array<0 | 1 | null>;
  /** Tokens dropped by truncation, both texts together. */
  readonly truncatedTokens: number;
}

const TRUNCATION_STRATEGIES: readonly TruncationStrategy[] = [
  'longest_first',
  'only_first',
  'only_second',
  'do_not_truncate',
];

export class BertTokenizer {
  readonly vocab: Vocab;
  readonly options: BertTokenizerOptions;
  private readonly normalizer: NormalizerOptions;
  private readonly model: WordPieceModel;
  private readonly literalIds: ReadonlyMap<string, number>;

  constructor(vocab: Vocab, options: Partial<BertTokenizerOptions> = {}) {
    const resolved: BertTokenizerOptions = { ...DEFAULT_BERT_TOKENIZER_OPTIONS, ...options };
    if (!Number.isInteger(resolved.maxInputCharsPerWord) || resolved.maxInputCharsPerWord < 1) {
      throw new OctetError(
        'invalid-argument',
        `maxInputCharsPerWord must be a positive integer, got ${resolved.maxInputCharsPerWord}`,
        { field: 'maxInputCharsPerWord' },
      );
    }
    this.vocab = vocab;
    this.options = resolved;
    this.normalizer = {
      cleanText: resolved.cleanText,
      handleChineseChars: resolved.handleChineseChars,
      lowercase: resolved.lowercase,
      stripAccents: resolved.stripAccents ?? resolved.lowercase,
    };
    this.model = buildWordPieceModel(
      vocab.idToToken,
      vocab.special.unk,
      resolved.continuingSubwordPrefix,
      resolved.maxInputCharsPerWord,
    );
    this.literalIds = literalTokenIds(vocab, resolved.literalTokens);
  }

  /** Tokens of `text` with offsets into it, without special tokens. */
  tokenizeWithOffsets(text: string): TokenizedText {
    const out: TokenizedText = { ids: [], tokens: [], offsets: [] };
    let from = 0;
    const literals = this.literalIds.size > 0 ? findLiteralTokens(text, this.literalIds) : [];
    for (const literal of literals) {
      this.appendWordPieces(text, from, literal.start, out);
      this.pushToken(out, literal.id, literal.start, literal.end);
      from = literal.end;
    }
    this.appendWordPieces(text, from, text.length, out);
    return out;
  }

  /** Model input for one text or a text pair, laid out and truncated like Hugging Face's. */
  encode(text: string, textPair?: string | null, options: EncodeOptions = {}): Encoding {
    const addSpecialTokens = options.addSpecialTokens ?? true;
    const truncation = options.truncation ?? 'longest_first';
    if (!TRUNCATION_STRATEGIES.includes(truncation)) {
      throw new OctetError(
        'invalid-argument',
        `unknown truncation ${JSON.stringify(truncation)} (expected one of ${TRUNCATION_STRATEGIES.join(', ')})`,
        { field: 'truncation' },
      );
    }
    const hasPair = textPair !== undefined && textPair !== null;
    const first = this.tokenizeWithOffsets(text);
    const second = hasPair ? this.tokenizeWithOffsets(textPair) : null;
    const specialCount = addSpecialTokens ? (hasPair ? 3 : 2) : 0;

    let keepFirst = first.ids.length;
    let keepSecond = second ? second.ids.length : 0;
    if (options.maxLength !== undefined) {
      const maxLength = options.maxLength;
      if (!Number.isInteger(maxLength) || maxLength < specialCount) {
        throw new OctetError(
          'invalid-argument',
          `maxLength must be an integer of at least ${specialCount} (room for the special tokens), got ${maxLength}`,
          { field: 'maxLength' },
        );
      }
      const plan = planTruncation(keepFirst, second ? keepSecond : null, maxLength - specialCount, truncation);
      keepFirst = plan.keepFirst;
      keepSecond = plan.keepSecond;
    }

    const total = specialCount + keepFirst + keepSecond;
    const layout = new EncodingBuilder(total);
    const { cls, sep } = this.vocab.special;
    if (addSpecialTokens) layout.pushSpecial(cls, this.vocab.idToToken[cls]!, 0);
    layout.pushText(first, keepFirst, 0);
    if (addSpecialTokens) layout.pushSpecial(sep, this.vocab.idToToken[sep]!, 0);
    if (second) {
      layout.pushText(second, keepSecond, 1);
      if (addSpecialTokens) layout.pushSpecial(sep, this.vocab.idToToken[sep]!, 1);
    }
    const truncatedTokens = first.ids.length - keepFirst + (second ? second.ids.length - keepSecond : 0);
    return layout.finish(truncatedTokens);
  }

  private appendWordPieces(text: string, from: number, to: number, out: TokenizedText): void {
    if (from >= to) return;
    const pre = preTokenize(text, this.normalizer, from, to);
    const ids: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    for (let w = 0; w < pre.words.length; w++) {
      const base = pre.spanBase[w]!;
      ids.length = 0;
      starts.length = 0;
      ends.length = 0;
      splitWordPieces(pre.words[w]!, this.model, ids, starts, ends);
      // A piece covers word code units [s, e): its original span runs from where unit s came
      // from to where unit e-1 came from.
      for (let p = 0; p < ids.length; p++) {
        this.pushToken(out, ids[p]!, pre.starts[base + starts[p]!]!, pre.ends[base + ends[p]! - 1]!);
      }
    }
  }

  private pushToken(out: TokenizedText, id: number, start: number, end: number): void {
    out.ids.push(id);
    out.tokens.push(this.vocab.idToToken[id]!);
    out.offsets.push([start, end]);
  }
}

function literalTokenIds(vocab: Vocab, literalTokens: readonly string[] | undefined): Map<string, number> {
  const names = literalTokens ?? Object.values(vocab.specialTokens);
  const ids = new Map<string, number>();
  for (const name of names) {
    const id = vocab.tokenToId.get(name);
    if (id === undefined) {
      throw new OctetError('invalid-argument', `literal token ${JSON.stringify(name)} is not in the vocabulary`, {
        field: 'literalTokens',
      });
    }
    ids.set(name, id);
  }
  return ids;
}

/** Fills the parallel arrays of an Encoding in order. */
class EncodingBuilder {
  private readonly ids: Int32Array;
  private readonly tokenTypeIds: Int32Array;
  private readonly tokens: string[] = [];
  private readonly offsets: Array<[number, number]> = [];
  private readonly sequenceIds: Array<0 | 1 | null> = [];
  private length = 0;

  constructor(total: number) {
    this.ids = new Int32Array(total);
    this.tokenTypeIds = new Int32Array(total);
  }

  pushSpecial(id: number, token: string, typeId: 0 | 1): void {
    this.push(id, token, typeId, [0, 0], null);
  }

  pushText(text: TokenizedText, count: number, sequence: 0 | 1): void {
    for (let i = 0; i < count; i++) {
      const [start, end] = text.offsets[i]!;
      this.push(text.ids[i]!, text.tokens[i]!, sequence, [start, end], sequence);
    }
  }

  finish(truncatedTokens: number): Encoding {
    const attentionMask = new Int32Array(this.length).fill(1);
    return {
      ids: this.ids,
      tokens: this.tokens,
      tokenTypeIds: this.tokenTypeIds,
      attentionMask,
      offsets: this.offsets,
      sequenceIds: this.sequenceIds,
      truncatedTokens,
    };
  }

  private push(id: number, token: string, typeId: 0 | 1, offset: [number, number], sequence: 0 | 1 | null): void {
    this.ids[this.length] = id;
    this.tokenTypeIds[this.length] = typeId;
    this.tokens.push(token);
    this.offsets.push(offset);
    this.sequenceIds.push(sequence);
    this.length++;
  }
}
