// Labelled examples for sentence(-pair) classification and regression, read from a TSV, CSV or
// JSONL file. Everything a user can get wrong in the data (a misspelt column, a stray label, a
// non-numeric score) is reported with file, line and column before training starts.

import { OctetError } from '../errors';
import { resolveColumn, type ColumnRef, type ResolvedColumn } from './columns';
import type { DataFormat } from './formats';
import {
  describeKnownLabels,
  explicitLabelVocabulary,
  inferLabelVocabulary,
  type LabelSpec,
  type LabelVocabulary,
} from './labels';
import { parseDecimal } from './numbers';
import { readTable } from './table';

export type TaskKind = 'classification' | 'regression';

export interface ExampleSpec {
  path: string;
  /** Default: from the extension (.tsv, .csv, .jsonl/.ndjson). */
  format?: DataFormat;
  /** Columns by header name, or by 0-based index. */
  text: ColumnRef;
  textPair?: ColumnRef | null;
  label: ColumnRef;
  /**
   * TSV/CSV: whether the first row is a header. Default: true when any column is given by name,
   * false when all are given by index (headerless files are the reason to use indices).
   */
  header?: boolean;
  kind: TaskKind;
  /** Classification only: the label order (id = position) or a label -> id map. Default: inferred. */
  labels?: LabelSpec;
}

export interface Example {
  text: string;
  /** Present only when the spec names a text-pair column. */
  textPair?: string;
  /** Class id (classification) or target value (regression). */
  label: number;
  /** 1-based line in the file where the row starts. */
  line: number;
}

interface LoadedExamplesBase {
  file: string;
  examples: Example[];
  /** Rows whose text (or text pair) is empty or only whitespace; allowed, but worth reporting. */
  emptyTexts: number;
  emptyTextPairs: number;
}

export interface ClassificationExamples extends LoadedExamplesBase {
  kind: 'classification';
  /** Label text for each class id; save it with the model. */
  id2label: string[];
  /** Number of examples per class id. */
  labelCounts: number[];
}

export interface RegressionExamples extends LoadedExamplesBase {
  kind: 'regression';
  labelRange: { min: number; max: number };
}

export type LoadedExamples = ClassificationExamples | RegressionExamples;

export function loadExamples(spec: ExampleSpec & { kind: 'classification' }): ClassificationExamples;
export function loadExamples(spec: ExampleSpec & { kind: 'regression' }): RegressionExamples;
export function loadExamples(spec: ExampleSpec): LoadedExamples;
export function loadExamples(spec: ExampleSpec): LoadedExamples {
  const file = spec.path;
  if (spec.kind !== 'classification' && spec.kind !== 'regression') {
    throw new OctetError('invalid-argument', `unknown task kind "${String(spec.kind)}" (known: classification, regression)`, { file });
  }
  if (spec.kind === 'regression' && spec.labels !== undefined) {
    throw new OctetError('invalid-argument', 'an explicit label list only applies to classification tasks', { file });
  }
  const pairRef = spec.textPair ?? null;
  const refs = [spec.text, spec.label, ...(pairRef === null ? [] : [pairRef])];
  const header = spec.header ?? refs.some((ref) => typeof ref === 'string');

  const table = readTable(file, { format: spec.format, header });
  const textColumn = resolveColumn(table, spec.text, 'text');
  const pairColumn = pairRef === null ? null : resolveColumn(table, pairRef, 'text pair');
  const labelColumn = resolveColumn(table, spec.label, 'label');

  const examples = new Array<Example>(table.rows.length);
  const rawLabels = new Array<string>(table.rows.length);
  let emptyTexts = 0;
  let emptyTextPairs = 0;
  for (let r = 0; r < table.rows.length; r++) {
    const { line, fields } = table.rows[r]!;
    const text = fields[textColumn.index]!;
    if (isBlank(text)) emptyTexts++;
    const rawLabel = fields[labelColumn.index]!.trim();
    if (rawLabel === '') throw new OctetError('malformed-file', 'the label is empty', { file, line, field: labelColumn.label });
    rawLabels[r] = rawLabel;
    const example: Example = { text, label: 0, line };
    if (pairColumn !== null) {
      example.textPair = fields[pairColumn.index]!;
      if (isBlank(example.textPair)) emptyTextPairs++;
    }
    examples[r] = example;
  }
  // One empty text is data; all of them means the wrong column (or a blank file) was chosen.
  requireSomeText(emptyTexts, examples.length, textColumn, file);
  if (pairColumn !== null) requireSomeText(emptyTextPairs, examples.length, pairColumn, file);

  const base = { file, examples, emptyTexts, emptyTextPairs };
  if (spec.kind === 'regression') {
    return { ...base, kind: 'regression', labelRange: assignRegressionTargets(examples, rawLabels, labelColumn, file) };
  }
  const vocabulary =
    spec.labels !== undefined ? explicitLabelVocabulary(spec.labels, file) : inferLabelVocabulary(rawLabels);
  const labelCounts = assignClassIds(examples, rawLabels, vocabulary, labelColumn, file);
  return { ...base, kind: 'classification', id2label: [...vocabulary.id2label], labelCounts };
}

function assignClassIds(
  examples: Example[],
  rawLabels: readonly string[],
  vocabulary: LabelVocabulary,
  column: ResolvedColumn,
  file: string,
): number[] {
  const counts = new Array<number>(vocabulary.id2label.length).fill(0);
  for (let r = 0; r < examples.length; r++) {
    const id = vocabulary.label2id.get(rawLabels[r]!);
    if (id === undefined) {
      throw new OctetError(
        'malformed-file',
        `unknown label "${rawLabels[r]}" (known: ${describeKnownLabels(vocabulary)})`,
        { file, line: examples[r]!.line, field: column.label },
      );
    }
    examples[r]!.label = id;
    counts[id]!++;
  }
  return counts;
}

function assignRegressionTargets(
  examples: Example[],
  rawLabels: readonly string[],
  column: ResolvedColumn,
  file: string,
): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < examples.length; r++) {
    const value = parseDecimal(rawLabels[r]!);
    if (value === undefined) {
      throw new OctetError(
        'malformed-file',
        `regression label "${rawLabels[r]}" is not a finite number`,
        { file, line: examples[r]!.line, field: column.label },
      );
    }
    examples[r]!.label = value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { min, max };
}

function requireSomeText(emptyCount: number, total: number, column: ResolvedColumn, file: string): void {
  if (emptyCount === total) {
    throw new OctetError(
      'malformed-file',
      `the text column "${column.label}" is empty in all ${total} rows; is it the right column?`,
      { file, field: column.label },
    );
  }
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}
