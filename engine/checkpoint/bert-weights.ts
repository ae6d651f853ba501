// BERT checkpoints in and out of a Hugging Face model folder (config.json + model.safetensors +
// tokenizer files). Loading maps file names to Octet names, checks every shape against
// config.json, and reports what is missing (to initialise) and unexpected (ignored); saving
// writes the folder the way BertFor* save_pretrained does, replacing it atomically.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { OctetError } from '../errors';
import { errnoCode } from '../fs/errno';
import { writeDirAtomic } from '../fs/atomic';
import {
  type BertConfig,
  readBertConfig,
  serializeBertConfig,
  writeBertConfig,
} from './bert-config';
import {
  type BertHead,
  MLM_BIAS,
  TIED_DECODER_BIAS,
  allBertParameterShapes,
  architectureForHead,
  bertParameterShapes,
  hasMaskedLmHead,
  headForArchitectures,
  optionalParameterShapes,
} from './bert-heads';
import {
  type BertLayout,
  detectLayout,
  hfToOctetName,
  isNonParameterBuffer,
  octetToHfName,
} from './bert-names';
import {
  type SafetensorsFile,
  type WritableDtype,
  readFloat32,
  readSafetensors,
  writeSafetensors,
} from './safetensors';
import { SAFETENSORS_FILE, locateSafetensors } from './weights-file';

// One import site for checkpoint callers.
export * from './bert-names';
export * from './bert-heads';

export const CONFIG_FILE = 'config.json';
/** Tokenizer files a model folder may carry; reported on load so callers can copy them on save. */
const VOCAB_FILE = 'vocab.txt';
const TOKENIZER_JSON_FILE = 'tokenizer.json';
const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
/** transformers rejects safetensors files without this metadata ("format" must be "pt" etc.). */
const HF_METADATA = { format: 'pt' };

export interface BertTensor {
  data: Float32Array;
  shape: number[];
}

export interface BertCheckpoint {
  config: BertConfig;
  /** Parameters by Octet name (F16/BF16 files are widened to float32). */
  tensors: Map<string, BertTensor>;
  layout: BertLayout;
  /** The head the tensors were matched against (options.head, else config.architectures). */
  head: BertHead;
  /** Octet names the head needs that the file lacks, e.g. a fresh classifier: initialise them. */
  missing: string[];
  /** Names as written in the file that the head does not use; they were not loaded. */
  unexpected: string[];
  vocabPath?: string;
  tokenizerJsonPath?: string;
  tokenizerConfigPath?: string;
}

export interface LoadBertOptions {
  /** Head to load for; defaults to the one config.json's `architectures` names. */
  head?: BertHead;
}

export interface SaveBertInput {
  config: BertConfig;
  /** Parameters by Octet name; each must be a BERT parameter with the shape config implies. */
  tensors: ReadonlyMap<string, BertTensor>;
  /** Files copied into the folder under their own names (vocab.txt, tokenizer.json, ...). */
  extraFiles?: readonly string[];
  /** Stored precision of model.safetensors; F32 by default. */
  dtype?: WritableDtype;
}

/** Loads config.json and model.safetensors from a Hugging Face BERT folder. */
export async function loadBertCheckpoint(
  folder: string,
  options: LoadBertOptions = {},
): Promise<BertCheckpoint> {
  const fileNames = await listFolder(folder);
  if (!fileNames.includes(CONFIG_FILE)) {
    throw new OctetError(
      'file-not-found',
      `missing; a Hugging Face model folder has ${CONFIG_FILE} next to ${SAFETENSORS_FILE}`,
      { file: path.join(folder, CONFIG_FILE) },
    );
  }
  const config = await readBertConfig(path.join(folder, CONFIG_FILE));
  const weightsPath = locateSafetensors(folder, fileNames, config.architectures[0]);
  const st = await readSafetensors(weightsPath);
  const layout = detectLayout(st.entries.keys(), weightsPath);
  const head = options.head ?? headForArchitectures(config.architectures);
  const { tensors, unexpected } = readParameters(st, config, head);
  const missing = [...bertParameterShapes(config, head).keys()].filter((n) => !tensors.has(n));

  const companion = (name: string): string | undefined =>
    fileNames.includes(name) ? path.join(folder, name) : undefined;
  return {
    config,
    tensors,
    layout,
    head,
    missing,
    unexpected,
    vocabPath: companion(VOCAB_FILE),
    tokenizerJsonPath: companion(TOKENIZER_JSON_FILE),
    tokenizerConfigPath: companion(TOKENIZER_CONFIG_FILE),
  };
}

/**
 * Writes a Hugging Face folder: config.json, model.safetensors (encoder names `bert.`-prefixed,
 * as BertFor* saves them) and the extra files, replacing `folder` atomically. An existing folder
 * is replaced as a whole, so it must be a model folder (have config.json) or be empty.
 */
export async function saveBertCheckpoint(folder: string, input: SaveBertInput): Promise<void> {
  const modelFile = path.join(folder, SAFETENSORS_FILE);
  checkTensorsToSave(input, modelFile);
  const config = input.config.architectures.length > 0
    ? input.config
    : { ...input.config, architectures: [architectureForHead(inferHead(input.tensors))] };
  serializeBertConfig(config); // validates before anything is written
  const extras = planExtraFiles(input.extraFiles ?? []);
  await refuseToReplaceNonCheckpoint(folder);

  await writeDirAtomic(folder, async (tmp) => {
    await writeBertConfig(path.join(tmp, CONFIG_FILE), config);
    const named = [...input.tensors].map(([name, t]) => {
      const tensor = { data: t.data, shape: t.shape, dtype: input.dtype };
      return [octetToHfName(name), tensor] as const;
    });
    await writeSafetensors(path.join(tmp, SAFETENSORS_FILE), named, HF_METADATA);
    for (const [source, name] of extras) await copyExtraFile(source, path.join(tmp, name));
  });
}

function readParameters(
  st: SafetensorsFile,
  config: BertConfig,
  head: BertHead,
): { tensors: Map<string, BertTensor>; unexpected: string[] } {
  const required = bertParameterShapes(config, head);
  const optional = optionalParameterShapes(config, head);
  const tensors = new Map<string, BertTensor>();
  const sourceOf = new Map<string, string>();
  const unexpected: string[] = [];

  const take = (fileName: string, name: string, shape: number[]): void => {
    const field = `tensor "${fileName}"`;
    const earlier = sourceOf.get(name);
    if (earlier !== undefined) {
      throw new OctetError(
        'malformed-file',
        `"${earlier}" and "${fileName}" are both parameter ${name} (legacy and current names?)`,
        { file: st.file, field },
      );
    }
    const actual = st.entries.get(fileName)!.shape;
    if (!sameShape(actual, shape)) {
      throw new OctetError(
        'shape-mismatch',
        `has shape [${actual.join(', ')}] but ${CONFIG_FILE} implies [${shape.join(', ')}]`,
        { file: st.file, field },
      );
    }
    const data = readFloat32(st, fileName);
    checkFinite(data, st.file, field);
    sourceOf.set(name, fileName);
    tensors.set(name, { data, shape: [...shape] });
  };

  let decoderBias: string | undefined;
  for (const fileName of st.entries.keys()) {
    const name = hfToOctetName(fileName);
    if (isNonParameterBuffer(name)) continue;
    if (name === TIED_DECODER_BIAS && hasMaskedLmHead(head)) {
      decoderBias = fileName;
      continue;
    }
    const shape = required.get(name) ?? optional.get(name);
    if (shape) take(fileName, name, shape);
    else unexpected.push(fileName);
  }
  // The decoder bias is the MLM bias under another name; use it only if the real one is absent.
  if (decoderBias !== undefined && !tensors.has(MLM_BIAS)) {
    take(decoderBias, MLM_BIAS, required.get(MLM_BIAS)!);
  }
  return { tensors, unexpected };
}

function checkTensorsToSave(input: SaveBertInput, file: string): void {
  const known = allBertParameterShapes(input.config);
  for (const [name, t] of input.tensors) {
    const field = `tensor "${name}"`;
    const shape = known.get(name);
    if (!shape) {
      throw new OctetError(
        'invalid-argument',
        'is not a BERT parameter name for this config (expected e.g. ' +
          '"encoder.layer.0.attention.self.query.weight")',
        { file, field },
      );
    }
    if (!sameShape(t.shape, shape)) {
      throw new OctetError(
        'shape-mismatch',
        `has shape [${t.shape.join(', ')}] but the config implies [${shape.join(', ')}]`,
        { file, field },
      );
    }
    if (!(t.data instanceof Float32Array) || t.data.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new OctetError(
        'shape-mismatch',
        `data has ${t.data?.length} values but shape [${shape.join(', ')}] needs ` +
          `${shape.reduce((a, b) => a * b, 1)} float32 values`,
        { file, field },
      );
    }
    // Loading rejects non-finite weights, so never write a checkpoint that cannot be read back.
    checkFinite(t.data, file, field);
  }
}

/** The head a set of tensors belongs to, for a config that does not name its architecture. */
function inferHead(tensors: ReadonlyMap<string, BertTensor>): BertHead {
  if (tensors.has('classifier.weight')) return 'sequence-classification';
  if (tensors.has('qa_outputs.weight')) return 'question-answering';
  if (tensors.has('cls.seq_relationship.weight')) return 'pretraining';
  if (tensors.has(MLM_BIAS)) return 'masked-lm';
  return 'none';
}

/** Source path -> name in the folder, refusing names that would clash. */
function planExtraFiles(sources: readonly string[]): Map<string, string> {
  const plan = new Map<string, string>();
  const taken = new Set([CONFIG_FILE, SAFETENSORS_FILE]);
  for (const source of sources) {
    const name = path.basename(source);
    if (taken.has(name)) {
      throw new OctetError(
        'invalid-argument',
        `extra file would overwrite ${name} in the checkpoint (two files with that name?)`,
        { file: source },
      );
    }
    taken.add(name);
    plan.set(source, name);
  }
  return plan;
}

async function copyExtraFile(source: string, target: string): Promise<void> {
  try {
    await fsp.copyFile(source, target);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') {
      throw new OctetError('file-not-found', 'extra file to copy does not exist', { file: source });
    }
    throw e;
  }
}

/** Saving replaces the whole folder, so refuse one that holds anything but a model. */
async function refuseToReplaceNonCheckpoint(folder: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(folder);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return;
    if (errnoCode(e) === 'ENOTDIR') {
      throw new OctetError('invalid-argument', 'exists and is not a folder', { file: folder });
    }
    throw e;
  }
  if (names.length > 0 && !names.includes(CONFIG_FILE)) {
    throw new OctetError(
      'invalid-argument',
      `is not empty and has no ${CONFIG_FILE}; refusing to replace a folder that is not a model ` +
        'checkpoint (saving replaces the whole folder)',
      { file: folder },
    );
  }
}

async function listFolder(folder: string): Promise<string[]> {
  try {
    return await fsp.readdir(folder);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') {
      throw new OctetError('file-not-found', 'model folder does not exist', { file: folder });
    }
    if (errnoCode(e) === 'ENOTDIR') {
      throw new OctetError(
        'invalid-argument',
        'is a file; expected a model folder with config.json and model.safetensors',
        { file: folder },
      );
    }
    throw e;
  }
}

function checkFinite(data: Float32Array, file: string, field: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new OctetError('non-finite', `value ${data[i]} at flat index ${i}`, { file, field });
    }
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
