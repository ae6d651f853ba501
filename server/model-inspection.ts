// What the editor needs to know about a model folder, cheaply: config.json parsed and checked,
// the safetensors header checked against it, and from those the linear layer names (for layer
// patterns) and a summary (for hover). Weights are never read; results are cached per file by
// size and modification time, so only the first look at a model costs anything.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { type BertConfig, readBertConfig } from '../engine/checkpoint/bert-config';
import { type BertHead, allBertParameterShapes, bertParameterShapes, headForArchitectures } from '../engine/checkpoint/bert-heads';
import { detectLayout, hfToOctetName, isNonParameterBuffer } from '../engine/checkpoint/bert-names';
import { locateSafetensors } from '../engine/checkpoint/weights-file';
import { OctetError } from '../engine/errors';
import { errnoCode } from '../engine/fs/errno';
import type { TaskType } from '../engine/manifest';
import { describeError, displayPath } from './display-path';
import { type SafetensorsHeader, readSafetensorsHeader } from '../engine/checkpoint/safetensors';
import { StatCache } from './stat-cache';

export const CONFIG_FILE = 'config.json';

export type ModelProblemCode =
  | 'model-not-found'
  | 'model-not-a-folder'
  | 'model-config-missing'
  | 'model-config-invalid'
  | 'model-weights-missing'
  | 'model-weights-invalid';

export interface ModelProblem {
  code: ModelProblemCode;
  message: string;
}

export interface ModelSummary {
  folder: string;
  config: BertConfig;
  /** The head config.json's `architectures` names: what the checkpoint was saved as. */
  checkpointHead: BertHead;
  weights: { file: string; size: number; tensorCount: number; dtypes: string[] };
}

export type ModelInspection = { ok: true; model: ModelSummary } | { ok: false; problem: ModelProblem };

/** The head a manifest's task puts on the encoder (the trainer builds the same). */
export function headForTask(task: TaskType): BertHead {
  switch (task) {
    case 'squad':
      return 'question-answering';
    case 'mlm':
      return 'masked-lm';
    default:
      return 'sequence-classification';
  }
}

/**
 * Names of the linear layers (the int8 GEMMs that `layers` patterns select), in model order:
 * the 2-D `.weight` parameters other than embeddings, as engine/model/bert-model.ts builds them.
 */
export function linearLayerNames(config: BertConfig, head: BertHead): string[] {
  const names: string[] = [];
  for (const [name, shape] of bertParameterShapes(config, head)) {
    if (name.endsWith('.weight') && shape.length === 2 && !name.startsWith('embeddings.')) names.push(name.slice(0, -'.weight'.length));
  }
  return names;
}

export function parameterCount(config: BertConfig, head: BertHead): number {
  let total = 0;
  for (const shape of bertParameterShapes(config, head).values()) total += shape.reduce((a, b) => a * b, 1);
  return total;
}

export class ModelInspector {
  private readonly configs = new StatCache<BertConfig>();
  private readonly headers = new StatCache<SafetensorsHeader>();

  /** Inspects `folder`; messages name files relative to `baseDir` (the manifest's folder). */
  async inspect(folder: string, baseDir: string): Promise<ModelInspection> {
    const shown = displayPath(folder, baseDir);
    let names: string[];
    try {
      names = await fsp.readdir(folder);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT') return problem('model-not-found', `model folder not found: ${shown}${await hubNameHint(folder, baseDir)}`);
      if (code === 'ENOTDIR') return problem('model-not-a-folder', `${shown} is a file; model must name a Hugging Face model folder (config.json, vocab.txt, model.safetensors)`);
      return problem('model-not-found', `cannot read the model folder ${shown}: ${describeError(e, baseDir)}`);
    }
    if (!names.includes(CONFIG_FILE)) {
      return problem('model-config-missing', `the model folder ${shown} has no ${CONFIG_FILE}; a Hugging Face model folder has ${CONFIG_FILE} next to model.safetensors`);
    }
    const configFile = path.join(folder, CONFIG_FILE);
    let config: BertConfig;
    try {
      config = await this.configs.get(configFile, configFile, () => readBertConfig(configFile));
    } catch (e) {
      return problem('model-config-invalid', describeError(e, baseDir));
    }
    let weightsFile: string;
    try {
      weightsFile = locateSafetensors(folder, names, config.architectures[0]);
    } catch (e) {
      return problem('model-weights-missing', describeError(e, baseDir));
    }
    let header: SafetensorsHeader;
    try {
      header = await this.headers.get(weightsFile, weightsFile, () => readSafetensorsHeader(weightsFile));
      checkAgainstConfig(header, config);
    } catch (e) {
      return problem('model-weights-invalid', describeError(e, baseDir));
    }
    const dtypes = [...new Set([...header.entries.values()].map((t) => t.dtype))].sort();
    return {
      ok: true,
      model: {
        folder,
        config,
        checkpointHead: headForArchitectures(config.architectures),
        weights: { file: weightsFile, size: header.size, tensorCount: header.entries.size, dtypes },
      },
    };
  }
}

/** Every BERT tensor in the file must have the shape config.json implies; otherwise one of them is wrong. */
function checkAgainstConfig(header: SafetensorsHeader, config: BertConfig): void {
  detectLayout(header.entries.keys(), header.file);
  const expected = allBertParameterShapes(config);
  for (const [name, tensor] of header.entries) {
    const octetName = hfToOctetName(name);
    if (isNonParameterBuffer(octetName)) continue;
    const shape = expected.get(octetName);
    if (shape !== undefined && shape.join(',') !== tensor.shape.join(',')) {
      throw new OctetError(
        'malformed-file',
        `tensor "${name}" has shape [${tensor.shape.join(', ')}] but ${CONFIG_FILE} implies [${shape.join(', ')}]; the weights do not belong to this config`,
        { file: header.file },
      );
    }
  }
}

function problem(code: ModelProblemCode, message: string): ModelInspection {
  return { ok: false, problem: { code, message } };
}

/**
 * `bert-base-uncased` or `google/bert_uncased_L-2_H-128_A-2` written as `model` are Hugging Face
 * Hub names, which Octet does not download; say so. `models/bert` with an existing `models/`
 * folder is a local path with a typo, not a Hub name.
 */
async function hubNameHint(folder: string, baseDir: string): Promise<string> {
  const written = path.relative(baseDir, folder).split(path.sep).join('/');
  if (!/^[\w-][\w.-]*(\/[\w.-]+)?$/.test(written)) return '';
  if (written.includes('/')) {
    const exists = await fsp.stat(path.dirname(folder)).then(() => true, () => false);
    if (exists) return '';
  }
  return ' (Hub model names are not downloaded: fetch the model into a folder first)';
}
