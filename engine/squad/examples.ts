// Questions with their context and gold answers, as both SQuAD readers (JSON and JSONL) produce
// them, checked once here: an empty question or context, an answer that is not where it says it
// is in its context, an unanswerable question outside SQuAD 2.0.
import { OctetError, type ErrorLocation } from '../errors';

export interface SquadAnswer {
  text: string;
  /** Where the answer starts in the context, in UTF-16 code units (JS string index). */
  start: number;
}

export interface SquadExample {
  id: string;
  question: string;
  context: string;
  /** Gold answers, the first one the training target; empty for an unanswerable question (SQuAD 2.0). */
  answers: SquadAnswer[];
  /** Where the question is written, for messages: the file and a JSON path or a line. */
  where: ErrorLocation;
}

/** A question as read from a file, before the checks. `answerStart` counts code points, as Python does. */
export interface RawQuestion {
  id: string;
  question: string;
  context: string;
  answers: { text: string; answerStart: number; where: ErrorLocation }[];
  isImpossible: boolean;
  where: ErrorLocation;
  /** Where the context is written (a SQuAD JSON paragraph holds it once for many questions). */
  contextWhere: ErrorLocation;
}

export interface ExampleChecks {
  /** SQuAD 2.0: questions may have no answer. */
  version2: boolean;
  /** Prediction input: answers are not needed and not read. */
  ignoreAnswers: boolean;
}

export function checkedExample(q: RawQuestion, o: ExampleChecks): SquadExample {
  if (q.context.trim() === '') throw new OctetError('malformed-file', 'the context is empty', q.contextWhere);
  if (q.question.trim() === '') throw new OctetError('malformed-file', `question ${JSON.stringify(q.id)} is empty`, q.where);
  if (o.ignoreAnswers) return { id: q.id, question: q.question, context: q.context, answers: [], where: q.where };
  if (q.isImpossible && !o.version2) {
    throw new OctetError('malformed-file', `question ${JSON.stringify(q.id)} is marked unanswerable (SQuAD 2.0); set task.version2 to train on such data`, q.where);
  }
  // Hugging Face's squad_v2 marks an unanswerable question by an empty answer list alone.
  const unanswerable = q.isImpossible || (o.version2 && q.answers.length === 0);
  if (!unanswerable && q.answers.length === 0) {
    throw new OctetError('malformed-file', `question ${JSON.stringify(q.id)} has no answers (SQuAD 1.1 questions all have one)`, q.where);
  }
  // Unanswerable questions have no targets (SQuAD 2.0's plausible_answers are not answers).
  const answers = unanswerable ? [] : q.answers.map((a) => checkedAnswer(a, q.context));
  return { id: q.id, question: q.question, context: q.context, answers, where: q.where };
}

function checkedAnswer(a: RawQuestion['answers'][number], context: string): SquadAnswer {
  if (a.text.trim() === '') throw new OctetError('malformed-file', 'the answer text is empty', a.where);
  const start = utf16Index(context, a.answerStart);
  if (start === null) {
    throw new OctetError('malformed-file', `answer_start ${a.answerStart} is past the end of the context (${[...context].length} characters)`, a.where);
  }
  const found = context.slice(start, start + a.text.length);
  if (found !== a.text) {
    const elsewhere = context.indexOf(a.text);
    const hint = elsewhere >= 0 ? `; the text occurs at ${codePointIndex(context, elsewhere)}` : '; the text does not occur in the context';
    throw new OctetError(
      'malformed-file',
      `answer ${JSON.stringify(a.text)} is not at answer_start ${a.answerStart} of its context, which has ${JSON.stringify(found)} there${hint}`,
      a.where,
    );
  }
  return { text: a.text, start };
}

/**
 * The JS string index of the code point at `codePoints` (Python's str index, which SQuAD's
 * answer_start is), or null past the end. They differ after characters outside the BMP.
 */
export function utf16Index(text: string, codePoints: number): number | null {
  let i = 0;
  for (let n = 0; n < codePoints; n++) {
    if (i >= text.length) return null;
    const c = text.codePointAt(i)!;
    i += c > 0xffff ? 2 : 1;
  }
  return i <= text.length ? i : null;
}

/** The code point index (Python's) of a JS string index. */
export function codePointIndex(text: string, utf16: number): number {
  return [...text.slice(0, utf16)].length;
}
