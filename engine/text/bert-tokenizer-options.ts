// Settings of a BERT WordPiece tokenizer, named after (and defaulting like) Hugging Face's
// BertNormalizer / WordPiece model / BertTokenizer so values can be copied from their files.

export interface BertTokenizerOptions {
  /** Delete NUL, U+FFFD and control characters; any whitespace separates words. */
  readonly cleanText: boolean;
  /** Put each CJK ideograph in a word of its own. */
  readonly handleChineseChars: boolean;
  readonly lowercase: boolean;
  /** NFD then drop nonspacing marks. `null` (the usual value) means: do it when lower-casing. */
  readonly stripAccents: boolean | null;
  readonly continuingSubwordPrefix: string;
  /** Longer words (in code points) become the unknown token whole. */
  readonly maxInputCharsPerWord: number;
  /**
   * Strings recognised verbatim in raw text and emitted as one token (Hugging Face's "added
   * tokens"). `undefined` means the vocabulary's five special tokens; `[]` turns this off.
   */
  readonly literalTokens: readonly string[] | undefined;
}

export const DEFAULT_BERT_TOKENIZER_OPTIONS: BertTokenizerOptions = {
  cleanText: true,
  handleChineseChars: true,
  lowercase: true,
  stripAccents: null,
  continuingSubwordPrefix: '##',
  maxInputCharsPerWord: 100,
  literalTokens: undefined,
};
