// What travels next to the exported .onnx so its folder is self-contained: the tokenizer files,
// config.json (architecture and the label map, as Hugging Face writes it) and <name>.export.json,
// which says what the graph expects and how it was made.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BertConfig } from '../checkpoint/bert-config';
import { writeBertConfig } from '../checkpoint/bert-config';
import { OctetError } from '../errors';
import { writeFileAtomic, writeJsonAtomic } from '../fs/atomic';
import type { TaskType } from '../manifest/types';
import type { PrecisionMode } from '../nn/precision';
import { TOKENIZER_CONFIG_FILE, TOKENIZER_JSON_FILE, VOCAB_TXT_FILE } from '../text/load-bert-tokenizer';
import type { ExportHead } from './bert-graph';

export const SIDECAR_FORMAT = 'octet-onnx-export';
export const SIDECAR_VERSION = 1;
const TOKENIZER_FILES = [TOKENIZER_JSON_FILE, VOCAB_TXT_FILE, TOKENIZER_CONFIG_FILE, 'special_tokens_map.json'];

export interface LayerExportInfo {
  mode: PrecisionMode;
  threshold?: number;
  thresholdUnits?: string;
  outlierExponent?: string;
}

export interface ExportSidecar {
  format: typeof SIDECAR_FORMAT;
  version: number;
  /** The .onnx file, relative to this file's folder. */
  onnx: string;
  opset: number;
  /** The --precision asked for, or 'manifest' when each layer kept the manifest's mode. */
  precision: PrecisionMode | 'manifest';
  task: TaskType;
  head: ExportHead;
  inputs: { name: string; type: 'int64'; shape: ['batch', 'seq'] }[];
  output: { name: 'logits'; shape: (string | number)[]; meaning: string };
  /** Longest input the manifest tokenized to (and the model's position limit). */
  maxSeqLength: number;
  maxPositionEmbeddings: number;
  /** The batch size Octet evaluates with: int8 scales are per batch tensor, so these batches reproduce Octet's numbers. */
  batchSize: number;
  /** Class names by logit index (classification); [] otherwise. */
  labels: string[];
  layers: Record<string, LayerExportInfo>;
  operators: string[];
  /** The fine-tuned model folder the weights came from. */
  source: string;
}

export function sidecarPath(onnxFile: string): string {
  return path.join(path.dirname(onnxFile), `${path.basename(onnxFile, '.onnx')}.export.json`);
}

export async function writeSidecar(onnxFile: string, sidecar: ExportSidecar, config: BertConfig, modelDir: string): Promise<void> {
  const dir = path.dirname(onnxFile);
  for (const name of TOKENIZER_FILES) {
    const src = path.join(modelDir, name);
    if (!existsSync(src)) continue;
    const dst = path.join(dir, name);
    if (path.resolve(src) === path.resolve(dst)) continue;
    // Copy to a temporary name and rename, as every write here (engine/fs).
    await writeFileAtomic(dst, readFileSync(src));
  }
  await writeBertConfig(path.join(dir, 'config.json'), config);
  await writeJsonAtomic(sidecarPath(onnxFile), sidecar);
}

/** Reads and checks <name>.export.json next to `onnxFile`. */
export function readSidecar(onnxFile: string): ExportSidecar {
  const file = sidecarPath(onnxFile);
  if (!existsSync(file)) {
    throw new OctetError('file-not-found', `missing: an exported model has its ${path.basename(file)} next to the .onnx (octet export writes both)`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new OctetError('malformed-file', `not valid JSON: ${(e as Error).message}`, { file });
  }
  const s = json as Partial<ExportSidecar>;
  if (s.format !== SIDECAR_FORMAT) throw new OctetError('malformed-file', `not an Octet export description (format is not "${SIDECAR_FORMAT}")`, { file, field: 'format' });
  if (s.version !== SIDECAR_VERSION) throw new OctetError('unsupported', `export description version ${String(s.version)}; this Octet reads version ${SIDECAR_VERSION}`, { file, field: 'version' });
  for (const field of ['task', 'head', 'labels', 'batchSize', 'maxSeqLength'] as const) {
    if (s[field] === undefined) throw new OctetError('malformed-file', 'missing', { file, field });
  }
  return s as ExportSidecar;
}

/** The .onnx file for --onnx: the file itself, or the one .onnx in a folder. */
export function resolveOnnxPath(fileOrFolder: string): string {
  const p = path.resolve(fileOrFolder);
  if (!existsSync(p)) throw new OctetError('file-not-found', 'no such file or folder', { file: p });
  if (p.endsWith('.onnx')) return p;
  if (!statSync(p).isDirectory()) throw new OctetError('invalid-argument', 'expected an .onnx file or the folder octet export wrote', { file: p });
  const found = readdirSync(p).filter((f) => f.endsWith('.onnx'));
  if (found.length !== 1) {
    throw new OctetError('invalid-argument', found.length === 0 ? 'no .onnx file in this folder' : `${found.length} .onnx files in this folder (${found.join(', ')}): name one`, { file: p });
  }
  return path.join(p, found[0]);
}
