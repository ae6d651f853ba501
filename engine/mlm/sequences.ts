// Training sequences for masked-LM, made by packing whole texts: [CLS] a [SEP] b [SEP] c [SEP],
// as many texts as fit in maxSeqLength, then the next sequence. Short texts (sentences, reviews)
// would otherwise leave most of every sequence as padding; packing keeps the batches full, and
// a [SEP] after every text marks where one ends, as in BERT's and RoBERTa's pretraining data.
// A text is never cut between sequences unless it is longer than a sequence by itself: then it
// is split into pieces of maxSeqLength - 2 tokens, no token is dropped.
import { OctetError } from '../errors';
import type { BertTokenizer } from '../text/bert-tokenizer';
import type { MlmText } from './texts';

export interface MlmSequence {
  ids: Int32Array;
  /** 1-based line of the first text in it, for messages. */
  line: number;
}

export interface MlmSequenceSet {
  sequences: MlmSequence[];
  texts: number;
  /** Tokens in all sequences, special tokens included. */
  tokens: number;
  /** Texts longer than a sequence, split into several pieces. */
  splitTexts: number;
}

export function packSequences(texts: readonly MlmText[], tokenizer: BertTokenizer, maxSeqLength: number, file: string): MlmSequenceSet {
  if (!Number.isInteger(maxSeqLength) || maxSeqLength < 3) {
    throw new OctetError('invalid-argument', `maxSeqLength must be at least 3 ([CLS], a token and [SEP]), got ${maxSeqLength}`, { field: 'train.maxSeqLength' });
  }
  const { cls, sep } = tokenizer.vocab.special;
  const pieceLength = maxSeqLength - 2;
  const sequences: MlmSequence[] = [];
  let current: number[] = [cls];
  let currentLine = 0;
  let tokens = 0;
  let splitTexts = 0;
  let used = 0;
  const flush = (): void => {
    if (current.length > 1) {
      sequences.push({ ids: Int32Array.from(current), line: currentLine });
      tokens += current.length;
    }
    current = [cls];
  };
  for (const t of texts) {
    const ids = tokenizer.tokenizeWithOffsets(t.text).ids;
    // Text the tokenizer drops entirely (control characters only) adds nothing.
    if (ids.length === 0) continue;
    used++;
    if (ids.length > pieceLength) splitTexts++;
    for (let start = 0; start < ids.length; start += pieceLength) {
      const piece = ids.slice(start, start + pieceLength);
      if (current.length + piece.length + 1 > maxSeqLength) flush();
      if (current.length === 1) currentLine = t.line;
      current.push(...piece, sep);
    }
  }
  flush();
  if (sequences.length === 0) throw new OctetError('malformed-file', 'no text is left after tokenization: nothing to pretrain on', { file });
  return { sequences, texts: used, tokens, splitTexts };
}
