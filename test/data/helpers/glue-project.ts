// Octet projects over the real GLUE files in the shared data folder: a random BERT with the
// bert-base-uncased vocabulary and tokenizer, a training subset written next to the manifest (same
// header line and format as the original file), and an octet.json.
// Location of the data: $OCTET_SHARED_DATA, else ../shared/data next to the repository. A missing
// folder fails the test that asks for it, with the path tried, rather than skipping it.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRandomBert, type CreateModelOptions } from '../../../engine/model/create-model';
import { TestRandom } from '../../helpers/random';

// Compiled to out/test/data/helpers/, four levels below the repository root.
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export function sharedDataDir(): string {
  const dir = process.env.OCTET_SHARED_DATA ?? path.resolve(REPO_ROOT, '..', 'shared', 'data');
  assert.ok(existsSync(dir), `shared data folder not found: ${dir} (set OCTET_SHARED_DATA)`);
  return dir;
}

export function sharedFile(...parts: string[]): string {
  const file = path.join(sharedDataDir(), ...parts);
  assert.ok(existsSync(file), `shared data file not found: ${file} (set OCTET_SHARED_DATA)`);
  return file;
}

export type GlueTask = 'SST-2' | 'MRPC' | 'RTE' | 'STS-B';

/** A TSV split into its header line (kept byte for byte, BOM included) and its data lines. */
export function readTsvLines(file: string): { header: string; lines: string[] } {
  const all = readFileSync(file, 'utf8').split('\n');
  const header = all[0]!;
  const lines = all.slice(1).filter((l) => l.replace(/\r$/, '').length > 0);
  return { header, lines };
}

export interface SubsetOptions {
  /** Rows to keep; all when undefined. */
  rows?: number;
  /** Seed of the random choice of rows (their file order is kept). */
  seed?: number;
  /** Keep only data lines that pass this (e.g. SST-2 phrases of at least a few words). */
  filter?: (columns: string[], header: string[]) => boolean;
}

/** Writes a random subset of a GLUE file's rows, with its header line, to `out`. Returns the row count. */
export function writeSubset(source: string, out: string, o: SubsetOptions = {}): number {
  const { header, lines } = readTsvLines(source);
  const names = header.replace(/^\uFEFF/, '').replace(/\r$/, '').split('\t');
  let kept = o.filter ? lines.filter((l) => o.filter!(l.replace(/\r$/, '').split('\t'), names)) : lines;
  if (o.rows !== undefined && o.rows < kept.length) {
    const rnd = new TestRandom(o.seed ?? 1);
    const order = kept.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rnd.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const chosen = order.slice(0, o.rows).sort((a, b) => a - b);
    kept = chosen.map((i) => kept[i]!);
  }
  writeFileSync(out, [header, ...kept].join('\n') + '\n');
  return kept.length;
}

export interface GlueProjectOptions {
  task: GlueTask;
  /** Subset of the training file (all of it when undefined). */
  train?: SubsetOptions;
  /** Subset of the dev file (all of it when undefined: the full dev set). */
  eval?: SubsetOptions;
  /** Model shape; defaults to createRandomBert's 'tiny' (2 layers, hidden 128). */
  model?: Omit<CreateModelOptions, 'vocabFile'>;
  /** octet.json fields; `data` is merged into the task's own columns. */
  manifest?: Record<string, unknown>;
}

export interface GlueProject {
  dir: string;
  manifestPath: string;
  modelDir: string;
  trainRows: number;
  evalRows: number;
}

/** The columns of each task as octet.json's `data` names them. */
export const GLUE_COLUMNS: Record<GlueTask, { text: string; textPair?: string; label: string }> = {
  'SST-2': { text: 'sentence', label: 'label' },
  MRPC: { text: '#1 String', textPair: '#2 String', label: 'Quality' },
  RTE: { text: 'sentence1', textPair: 'sentence2', label: 'label' },
  'STS-B': { text: 'sentence1', textPair: 'sentence2', label: 'score' },
};

/** A random BERT over bert-base-uncased's vocabulary, with its tokenizer files (lower-casing on). */
export async function createGlueModel(modelDir: string, o: Omit<CreateModelOptions, 'vocabFile'> = {}): Promise<void> {
  await createRandomBert(modelDir, { vocabFile: sharedFile('bert-base-uncased', 'vocab.txt'), maxPositions: 128, seed: 1, ...o });
  // tokenizer.json's BertNormalizer has lowercase: true and tokenizer_config.json do_lower_case: true.
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
    copyFileSync(sharedFile('bert-base-uncased', f), path.join(modelDir, f));
  }
}

export async function createGlueProject(o: GlueProjectOptions): Promise<GlueProject> {
  // Every shared file is checked before the temp folder is made, so a missing one leaves nothing behind.
  const trainSource = sharedFile('glue', o.task, 'train.tsv');
  const evalSource = sharedFile('glue', o.task, 'dev.tsv');
  sharedFile('bert-base-uncased', 'vocab.txt');
  const dir = mkdtempSync(path.join(tmpdir(), `octet-glue-${o.task.toLowerCase()}-`));
  const modelDir = path.join(dir, 'model');
  await createGlueModel(modelDir, o.model);
  const trainPath = path.join(dir, 'train.tsv');
  const trainRows = writeSubset(trainSource, trainPath, o.train);
  let evalPath = evalSource;
  let evalRows: number;
  if (o.eval) {
    evalPath = path.join(dir, 'dev.tsv');
    evalRows = writeSubset(evalSource, evalPath, o.eval);
  } else {
    evalRows = readTsvLines(evalSource).lines.length;
  }
  const m = o.manifest ?? {};
  const manifest = {
    version: 1,
    model: 'model',
    task: { type: 'classification' },
    output: 'runs/glue',
    ...m,
    // The full dev file is used where it lies (an absolute path); the subsets relative to octet.json.
    data: { train: 'train.tsv', eval: evalPath === evalSource ? evalSource : 'dev.tsv', ...GLUE_COLUMNS[o.task], ...(m.data as object | undefined) },
  };
  const manifestPath = path.join(dir, 'octet.json');
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return { dir, manifestPath, modelDir, trainRows, evalRows };
}
