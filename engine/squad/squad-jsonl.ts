// SQuAD as JSON Lines, one question a line, as Hugging Face's `squad` data set exports it:
// {"id", "question", "context", "answers": {"text": [...], "answer_start": [...]}}; a list of
// {"text", "answer_start"} objects is accepted too. The manifest's data.text / textPair / label
// name the question, context and answers fields. A line without "id" is named by its number.
import { OctetError, type ErrorLocation } from '../errors';
import { splitLines } from '../data/text-file';
import type { RawQuestion } from './examples';

export interface SquadJsonlFields {
  question: string;
  context: string;
  answers: string;
}

export function parseSquadJsonl(text: string, file: string, fields: SquadJsonlFields, o: { answersRequired: boolean }): RawQuestion[] {
  const out: RawQuestion[] = [];
  splitLines(text).forEach((source, i) => {
    const line = i + 1;
    if (source.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(source);
    } catch (e) {
      throw new OctetError('malformed-file', `not valid JSON: ${(e as Error).message}`, { file, line });
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new OctetError('malformed-file', 'each line must be a JSON object with the question, its context and answers', { file, line });
    }
    const r = row as Record<string, unknown>;
    const where = (field?: string): ErrorLocation => ({ file, line, ...(field !== undefined && { field }) });
    const text = (key: string): string => {
      const v = r[key];
      if (v === undefined) throw new OctetError('malformed-file', `missing field "${key}"`, where(key));
      if (typeof v !== 'string') throw new OctetError('malformed-file', 'expected a string', where(key));
      return v;
    };
    const id = r.id;
    if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') throw new OctetError('malformed-file', 'expected a string', where('id'));
    const impossible = r.is_impossible;
    if (impossible !== undefined && typeof impossible !== 'boolean') throw new OctetError('malformed-file', 'expected true or false', where('is_impossible'));
    const question = text(fields.question);
    const context = text(fields.context);
    const answers = r[fields.answers] === undefined && !o.answersRequired ? [] : readAnswers(r[fields.answers], fields.answers, where);
    out.push({
      id: id === undefined ? `line ${line}` : String(id),
      question,
      context,
      answers,
      isImpossible: impossible === true,
      where: where(),
      contextWhere: where(fields.context),
    });
  });
  return out;
}

function readAnswers(value: unknown, key: string, where: (field?: string) => ErrorLocation): RawQuestion['answers'] {
  if (value === undefined) throw new OctetError('malformed-file', `missing field "${key}"`, where(key));
  const start = (v: unknown, field: string): number => {
    if (!Number.isInteger(v) || (v as number) < 0) throw new OctetError('malformed-file', 'expected a character index (an integer of at least 0)', where(field));
    return v as number;
  };
  const answerText = (v: unknown, field: string): string => {
    if (typeof v !== 'string') throw new OctetError('malformed-file', 'expected a string', where(field));
    return v;
  };
  if (Array.isArray(value)) {
    return value.map((a, n) => {
      const at = `${key}[${n}]`;
      if (typeof a !== 'object' || a === null) throw new OctetError('malformed-file', 'expected {"text", "answer_start"}', where(at));
      const o = a as Record<string, unknown>;
      return { text: answerText(o.text, `${at}.text`), answerStart: start(o.answer_start, `${at}.answer_start`), where: where(at) };
    });
  }
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if (!Array.isArray(o.text) || !Array.isArray(o.answer_start) || o.text.length !== o.answer_start.length) {
      throw new OctetError('malformed-file', 'expected {"text": [...], "answer_start": [...]} with one start per text', where(key));
    }
    const starts = o.answer_start;
    return o.text.map((t, n) => ({
      text: answerText(t, `${key}.text[${n}]`),
      answerStart: start(starts[n], `${key}.answer_start[${n}]`),
      where: where(`${key}.text[${n}]`),
    }));
  }
  throw new OctetError('malformed-file', 'expected a list of {"text", "answer_start"} or {"text": [...], "answer_start": [...]}', where(key));
}
