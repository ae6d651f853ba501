// A throwaway project folder for language-server tests: a tiny BERT model folder (config.json +
// a valid model.safetensors written with the engine's writer), small TSV data files, and helpers
// to write manifests and find the range of a piece of manifest text.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseBertConfig } from '../../../engine/checkpoint/bert-config';
import { bertParameterShapes } from '../../../engine/checkpoint/bert-heads';
import { octetToHfName } from '../../../engine/checkpoint/bert-names';
import { writeSafetensors } from '../../../engine/checkpoint/safetensors';

export interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** config.json of a 2-layer, hidden-4 BERT with a 2-label classifier. */
export function tinyConfigJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model_type: 'bert',
    architectures: ['BertForSequenceClassification'],
    vocab_size: 10,
    hidden_size: 4,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 8,
    max_position_embeddings: 16,
    type_vocab_size: 2,
    ...overrides,
  };
}

export const TRAIN_TSV = 'sentence\tlabel\na fine film\t1\na dull film\t0\nsplendid\t1\n';
export const DEV_TSV = 'sentence\tlabel\ngood\t1\nbad\t0\n';

export class TinyProject {
  private constructor(readonly dir: string) {}

  static async create(): Promise<TinyProject> {
    const project = new TinyProject(fs.mkdtempSync(path.join(os.tmpdir(), 'octet-server-test-')));
    await project.writeModel('models/tiny');
    project.write('data/train.tsv', TRAIN_TSV);
    project.write('data/dev.tsv', DEV_TSV);
    return project;
  }

  /** Writes a valid model folder: config.json and every tensor of a sequence-classification BERT. */
  async writeModel(relativeFolder: string, configOverrides: Record<string, unknown> = {}): Promise<void> {
    const folder = this.path(relativeFolder);
    fs.mkdirSync(folder, { recursive: true });
    const configJson = tinyConfigJson(configOverrides);
    fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(configJson, null, 2));
    const config = parseBertConfig(configJson, 'tiny config');
    const tensors: [string, { data: Float32Array; shape: number[] }][] = [];
    for (const [name, shape] of bertParameterShapes(config, 'sequence-classification')) {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i) * 0.1);
      tensors.push([octetToHfName(name), { data, shape }]);
    }
    await writeSafetensors(path.join(folder, 'model.safetensors'), tensors, { format: 'pt' });
  }

  path(relative: string): string {
    return path.join(this.dir, relative);
  }

  write(relative: string, content: string | Uint8Array): string {
    const file = this.path(relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return file;
  }

  uri(relative: string): string {
    return pathToFileURL(this.path(relative)).href;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A valid manifest for the tiny project, with `changes` merged in (null deletes a field). */
export function manifestObject(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    version: 1,
    model: 'models/tiny',
    task: { type: 'classification' },
    data: { train: 'data/train.tsv', eval: 'data/dev.tsv', text: 'sentence', label: 'label' },
  };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete base[key];
    else base[key] = value;
  }
  return base;
}

/** Pretty-printed, so tests can point at lines. */
export function manifestText(changes: Record<string, unknown> = {}): string {
  return `${JSON.stringify(manifestObject(changes), null, 2)}\n`;
}

/** The LSP range of the `occurrence`-th occurrence of `needle` in `text`. */
export function rangeOf(text: string, needle: string, occurrence = 1): Range {
  let offset = -1;
  for (let i = 0; i < occurrence; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`${JSON.stringify(needle)} (occurrence ${occurrence}) is not in the text:\n${text}`);
  }
  return { start: positionAt(text, offset), end: positionAt(text, offset + needle.length) };
}

export function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}
