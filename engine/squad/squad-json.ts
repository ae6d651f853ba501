// The official SQuAD JSON file: {"data": [{"title", "paragraphs": [{"context", "qas": [{"id",
// "question", "answers": [{"text", "answer_start"}], "is_impossible"?}]}]}]}. Problems name the
// file, the line and the JSON path of the culprit (e.g. data[3].paragraphs[0].qas[2].answers[0]).
import { findNodeAtLocation, parseTree, type ParseError } from 'jsonc-parser';
import { OctetError, type ErrorLocation } from '../errors';
import type { RawQuestion } from './examples';

type Path = (string | number)[];

export function parseSquadJson(text: string, file: string): RawQuestion[] {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new OctetError('malformed-file', `not valid JSON: ${(e as Error).message}`, { file, line: syntaxErrorLine(text) });
  }
  const at = new Locator(text, file);
  const data = field(root, 'data', [], at);
  if (!Array.isArray(data)) throw at.error(['data'], 'expected the SQuAD layout {"data": [articles]}');
  const out: RawQuestion[] = [];
  data.forEach((article, a) => {
    const paragraphs = field(article, 'paragraphs', ['data', a], at);
    if (!Array.isArray(paragraphs)) throw at.error(['data', a, 'paragraphs'], 'expected a list of paragraphs');
    paragraphs.forEach((paragraph, p) => {
      const pPath: Path = ['data', a, 'paragraphs', p];
      const context = stringField(paragraph, 'context', pPath, at);
      const qas = field(paragraph, 'qas', pPath, at);
      if (!Array.isArray(qas)) throw at.error([...pPath, 'qas'], 'expected a list of questions');
      qas.forEach((qa, q) => {
        const qPath: Path = [...pPath, 'qas', q];
        const id = field(qa, 'id', qPath, at);
        if (typeof id !== 'string' && typeof id !== 'number') throw at.error([...qPath, 'id'], 'expected a string');
        const question = stringField(qa, 'question', qPath, at);
        // Questions to predict need no answers; training data without them is refused later ("has no answers").
        const answers = (qa as Record<string, unknown>).answers === undefined ? [] : asArray(qa, 'answers', qPath, at);
        const isImpossible = (qa as Record<string, unknown>).is_impossible;
        if (isImpossible !== undefined && typeof isImpossible !== 'boolean') throw at.error([...qPath, 'is_impossible'], 'expected true or false');
        out.push({
          id: String(id),
          question,
          context,
          answers: answers.map((answer, n) => {
            const aPath: Path = [...qPath, 'answers', n];
            const start = field(answer, 'answer_start', aPath, at);
            if (!Number.isInteger(start) || (start as number) < 0) throw at.error([...aPath, 'answer_start'], 'expected a character index (an integer of at least 0)');
            return { text: stringField(answer, 'text', aPath, at), answerStart: start as number, where: at.where(aPath) };
          }),
          isImpossible: isImpossible === true,
          where: at.where(qPath),
          contextWhere: at.where([...pPath, 'context']),
        });
      });
    });
  });
  return out;
}

/** Finds lines for JSON paths. Only problems need them, so the syntax tree is built on the first one. */
class Locator {
  private tree: ReturnType<typeof parseTree> | null = null;
  constructor(private readonly text: string, readonly file: string) {}

  /**
   * The location of `path`, its line looked up only when read (by a message): every question
   * carries locations, and few ever become errors.
   */
  where(path: Path): ErrorLocation {
    let line: number | undefined | null = null;
    return Object.defineProperty({ file: this.file, field: jsonPath(path) }, 'line', {
      enumerable: true,
      get: (): number | undefined => (line === null ? (line = this.line(path)) : line),
    });
  }

  error(path: Path, message: string): OctetError {
    return new OctetError('malformed-file', message, { file: this.file, line: this.line(path), field: jsonPath(path) });
  }

  line(path: Path): number | undefined {
    this.tree ??= parseTree(this.text) ?? null;
    // The deepest part of the path that exists: a missing field is reported on its object.
    for (let n = path.length; n >= 0 && this.tree; n--) {
      const node = findNodeAtLocation(this.tree, path.slice(0, n));
      if (node) return lineOf(this.text, node.offset);
    }
    return undefined;
  }
}

function field(value: unknown, key: string, path: Path, at: Locator): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw at.error(path, 'expected an object');
  const v = (value as Record<string, unknown>)[key];
  if (v === undefined) throw at.error(path, `missing field "${key}"`);
  return v;
}

function stringField(value: unknown, key: string, path: Path, at: Locator): string {
  const v = field(value, key, path, at);
  if (typeof v !== 'string') throw at.error([...path, key], 'expected a string');
  return v;
}

function asArray(value: unknown, key: string, path: Path, at: Locator): unknown[] {
  const v = field(value, key, path, at);
  if (!Array.isArray(v)) throw at.error([...path, key], 'expected a list');
  return v;
}

function jsonPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function syntaxErrorLine(text: string): number | undefined {
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  return errors.length > 0 ? lineOf(text, errors[0]!.offset) : undefined;
}
