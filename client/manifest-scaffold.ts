// "New Octet manifest": the octet.json written from a model folder and data files the user
// picked. Paths are relative to the manifest's folder, with forward slashes, as the schema's
// examples are. The data file's first line gives the column names to choose from.
import * as path from 'node:path';

export type DataFormat = 'tsv' | 'csv' | 'jsonl';

export interface ScaffoldAnswers {
  manifestDir: string;
  modelDir: string;
  trainFile: string;
  evalFile?: string;
  text: string | number;
  textPair?: string | number;
  label: string | number;
  task: 'classification' | 'regression';
}

export function relativePath(fromDir: string, target: string): string {
  const rel = path.relative(fromDir, target);
  if (rel === '') return '.';
  if (path.isAbsolute(rel)) return target.split(path.sep).join('/'); // another drive
  return rel.split(path.sep).join('/');
}

export function scaffoldManifest(a: ScaffoldAnswers): Record<string, unknown> {
  const data: Record<string, unknown> = { train: relativePath(a.manifestDir, a.trainFile) };
  if (a.evalFile !== undefined) data.eval = relativePath(a.manifestDir, a.evalFile);
  data.text = a.text;
  if (a.textPair !== undefined) data.textPair = a.textPair;
  data.label = a.label;
  return {
    version: 1,
    model: relativePath(a.manifestDir, a.modelDir),
    task: { type: a.task },
    data,
    train: { epochs: 3, batchSize: 32, learningRate: 2e-5, maxSeqLength: 128, ...(a.evalFile !== undefined && { evalEvery: 'epoch' }) },
    precision: { mode: 'int8-outlier' },
    output: `runs/${path.basename(a.modelDir) || 'run'}`,
  };
}

export function dataFormatOf(file: string): DataFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  return ext === '.tsv' ? 'tsv' : ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : undefined;
}

/** Column names from a data file's first line: the header of a TSV/CSV, the keys of a JSONL record. */
export function dataColumns(firstLine: string, format: DataFormat): string[] {
  const line = firstLine.replace(/^\uFEFF/, '').replace(/\r$/, '');
  if (format === 'jsonl') {
    try {
      const record: unknown = JSON.parse(line);
      return typeof record === 'object' && record !== null && !Array.isArray(record) ? Object.keys(record) : [];
    } catch {
      return [];
    }
  }
  const cells = format === 'tsv' ? line.split('\t') : splitCsvLine(line);
  return cells.map((c) => c.trim()).filter((c) => c !== '');
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

const TEXT_NAMES = ['sentence', 'text', 'sentence1', 'question', 'question1', 'premise', 'review', 'content'];
const PAIR_NAMES = ['sentence2', 'question2', 'hypothesis'];
const LABEL_NAMES = ['label', 'labels', 'target', 'score', 'class', 'gold_label', 'y'];

/** Likely text, second-text and label columns, by the usual GLUE names. */
export function guessColumns(columns: readonly string[]): { text?: string; textPair?: string; label?: string } {
  const find = (names: string[]): string | undefined => columns.find((c) => names.includes(c.toLowerCase()));
  return { text: find(TEXT_NAMES), textPair: find(PAIR_NAMES), label: find(LABEL_NAMES) };
}
