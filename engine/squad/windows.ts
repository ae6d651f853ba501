// Model inputs for questions: `[CLS] question [SEP] context-window [SEP]`. A context longer than
// the room left by the question is cut into overlapping windows whose starts are docStride
// tokens apart (Google's run_squad.py), so every context token is in some window. In training
// a window that does not hold the whole answer points at [CLS] (position 0), as in BERT.
import { OctetError } from '../errors';
import type { BertTokenizer } from '../text/bert-tokenizer';
import { charSpanToTokens } from './answer-span';
import type { SquadExample } from './examples';

export interface SquadWindow {
  /** Index of the question in the example list the windows were built from. */
  example: number;
  ids: Int32Array;
  /** 0 for [CLS], the question and its [SEP]; 1 for the context window and the last [SEP]. */
  typeIds: Int32Array;
  /** Position of the window's first context token in `ids`. */
  contextStart: number;
  /** [start, end) in the context of each of the window's context tokens: two numbers per token. */
  offsets: Int32Array;
  /** Positions in `ids` of the first answer's first and last token; both 0 ([CLS]) when the window does not hold it. */
  startPosition: number;
  endPosition: number;
}

export interface WindowOptions {
  maxSeqLength: number;
  /** Tokens between the starts of consecutive windows (at most a window's length is used). */
  docStride: number;
}

/** Special tokens around a window: [CLS], [SEP] after the question, [SEP] at the end. */
const SPECIAL_TOKENS = 3;

export function buildWindows(examples: readonly SquadExample[], tokenizer: BertTokenizer, o: WindowOptions): SquadWindow[] {
  const { cls, sep } = tokenizer.vocab.special;
  // Many questions share a paragraph; tokenize each context once.
  const contexts = new Map<string, { ids: Int32Array; offsets: Int32Array }>();
  const windows: SquadWindow[] = [];
  examples.forEach((ex, example) => {
    const question = tokenizer.tokenizeWithOffsets(ex.question).ids;
    const room = o.maxSeqLength - question.length - SPECIAL_TOKENS;
    if (room < 1) {
      throw new OctetError(
        'invalid-argument',
        `question ${JSON.stringify(ex.id)} has ${question.length} tokens, more than a window of train.maxSeqLength ${o.maxSeqLength} holds ` +
          `with 3 special tokens and at least one context token (raise maxSeqLength to at least ${question.length + SPECIAL_TOKENS + 1}, or shorten the question)`,
        ex.where,
      );
    }
    let context = contexts.get(ex.context);
    if (!context) {
      const t = tokenizer.tokenizeWithOffsets(ex.context);
      context = { ids: Int32Array.from(t.ids), offsets: Int32Array.from(t.offsets.flat()) };
      contexts.set(ex.context, context);
    }
    const n = context.ids.length;
    if (n === 0) throw new OctetError('malformed-file', 'the context has no tokens (only spaces or control characters)', ex.where);
    const answer = ex.answers[0];
    const answerChars = answer ? [answer.start, answer.start + answer.text.length] as const : null;
    if (answerChars && !charSpanToTokens(context.offsets, answerChars[0], answerChars[1])) {
      throw new OctetError('malformed-file', `answer ${JSON.stringify(answer!.text)} covers no token of the context (only spaces or control characters)`, ex.where);
    }
    const contextStart = question.length + 2;
    for (let start = 0; ; ) {
      const length = Math.min(room, n - start);
      const ids = new Int32Array(contextStart + length + 1);
      ids[0] = cls;
      ids.set(question, 1);
      ids[contextStart - 1] = sep;
      ids.set(context.ids.subarray(start, start + length), contextStart);
      ids[ids.length - 1] = sep;
      const typeIds = new Int32Array(ids.length).fill(1, contextStart);
      const offsets = context.offsets.subarray(2 * start, 2 * (start + length));
      const span = answerChars ? charSpanToTokens(offsets, answerChars[0], answerChars[1]) : null;
      windows.push({
        example, ids, typeIds, contextStart, offsets,
        startPosition: span ? contextStart + span.first : 0,
        endPosition: span ? contextStart + span.last : 0,
      });
      if (start + length >= n) break;
      start += Math.min(length, o.docStride);
    }
  });
  return windows;
}
