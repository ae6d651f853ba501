// A hand-made vocabulary and questions small enough to follow token by token, and temp files
// for the readers. No tests here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SquadExample } from '../../../engine/squad/examples';
import { BertTokenizer, createVocab } from '../../../engine/text';

export const QA_WORDS = [
  'the', 'a', 'cat', 'dog', 'sat', 'ran', 'on', 'in', 'mat', 'park', 'big', 'red', 'who', 'where', 'what', 'did', 'was',
  'sun', 'rose', 'over', 'hill', 'and', 'then', 'slept', 'cafe', 'near', 'river', 'it', 'is', '.', ',', '?', '##s', 'un', '##able',
];

export function qaVocabTokens(): string[] {
  return ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...QA_WORDS];
}

/** Lower-casing and accent stripping on, as bert-base-uncased: offsets still point into the original text. */
export function qaTokenizer(): BertTokenizer {
  return new BertTokenizer(createVocab(qaVocabTokens()));
}

/** A question whose answer is the first occurrence of `answer` in `context`. */
export function example(id: string, question: string, context: string, answer: string | null): SquadExample {
  const start = answer === null ? -1 : context.indexOf(answer);
  if (answer !== null && start < 0) throw new Error(`test bug: ${answer} not in ${context}`);
  return { id, question, context, answers: answer === null ? [] : [{ text: answer, start }], where: { file: 'test', field: id } };
}

const tempDirs: string[] = [];

/** Writes `text` to a new temp folder as `name`; returns its path. removeTempFiles() deletes them all. */
export function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'octet-squad-'));
  tempDirs.push(dir);
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

export function removeTempFiles(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** An official SQuAD JSON text: one article per entry of `paragraphs`, pretty-printed so lines mean something. */
export function squadJson(paragraphs: { context: string; qas: unknown[] }[]): string {
  return JSON.stringify({ version: '1.1', data: [{ title: 'Test', paragraphs }] }, null, 2);
}
