// Public surface of the text package: BERT WordPiece tokenization with character offsets.

export { BertTokenizer, type EncodeOptions, type Encoding, type TokenizedText } from './bert-tokenizer';
export { DEFAULT_BERT_TOKENIZER_OPTIONS, type BertTokenizerOptions } from './bert-tokenizer-options';
export {
  loadBertTokenizer,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_JSON_FILE,
  VOCAB_TXT_FILE,
} from './load-bert-tokenizer';
export { parseTokenizerConfig, type TokenizerConfigContents } from './tokenizer-config';
export { parseTokenizerJson, type TokenizerJsonContents } from './tokenizer-json';
export { planTruncation, type TruncationPlan, type TruncationStrategy } from './truncation';
export { createVocab, DEFAULT_SPECIAL_TOKENS, type SpecialTokens, type Vocab } from './vocab';
export { parseVocabTxt } from './vocab-txt';
