// Tokenized examples, ready to batch. Tokenizing everything once up front keeps the training
// loop free of string work (SST-2's 67k sentences take about a second).
import type { Example } from '../data/examples';
import { OctetError } from '../errors';
import type { BertTokenizer } from '../text/bert-tokenizer';

export interface Feature {
  ids: Int32Array;
  typeIds: Int32Array;
  /** Class id, or the target value for regression. */
  label: number;
  /** 1-based line in the data file, for messages. */
  line: number;
}

export interface FeatureSet {
  features: Feature[];
  /** Examples that lost tokens to maxSeqLength. */
  truncatedExamples: number;
  truncatedTokens: number;
}

export function encodeExamples(examples: readonly Example[], tokenizer: BertTokenizer, maxSeqLength: number, file: string): FeatureSet {
  if (examples.length === 0) throw new OctetError('malformed-file', 'has no examples', { file });
  let truncatedExamples = 0;
  let truncatedTokens = 0;
  const features = examples.map((ex) => {
    const enc = tokenizer.encode(ex.text, ex.textPair ?? null, { maxLength: maxSeqLength, truncation: 'longest_first' });
    if (enc.truncatedTokens > 0) {
      truncatedExamples++;
      truncatedTokens += enc.truncatedTokens;
    }
    return { ids: enc.ids, typeIds: enc.tokenTypeIds, label: ex.label, line: ex.line };
  });
  return { features, truncatedExamples, truncatedTokens };
}
