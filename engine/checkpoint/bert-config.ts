// Hugging Face `config.json` for BERT: parsed into a typed, validated object (defaults as in
// transformers' BertConfig) and written back. Anything that would make the weights mean something
// other than what Octet computes (another model type, another activation, relative positions,
// decoder cross-attention) is refused as 'unsupported' rather than silently training another model.
import { promises as fsp } from 'node:fs';
import { OctetError } from '../errors';
import { errnoCode } from '../fs/errno';
import { writeJsonAtomic } from '../fs/atomic';

export type BertProblemType =
  | 'regression'
  | 'single_label_classification'
  | 'multi_label_classification';

export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  /** Exact (erf) GELU; the only activation Octet implements. */
  hiddenAct: 'gelu';
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  /** Dropout before the classifier head; null means "use hiddenDropoutProb" (as in HF). */
  classifierDropout: number | null;
  initializerRange: number;
  padTokenId: number | null;
  /** Always id2label.length; both are kept so callers need not derive it. */
  numLabels: number;
  /** Label name of each class id. */
  id2label: string[];
  label2id: Record<string, number>;
  problemType: BertProblemType | null;
  /** e.g. ["BertForSequenceClassification"]; empty when config.json has none. */
  architectures: string[];
  /** Whether the MLM decoder shares the word-embedding matrix (HF default true). */
  tieWordEmbeddings: boolean;
  /** Every other config.json field, kept verbatim so saving does not drop it. */
  extra: Record<string, unknown>;
}

/** transformers.BertConfig / PretrainedConfig defaults, for fields config.json may omit. */
const DEFAULTS = {
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  num_labels: 2,
} as const;

/** Fields this module interprets; all others go to `extra`. */
const KNOWN_FIELDS = new Set([
  'model_type', 'architectures', 'vocab_size', 'hidden_size', 'num_hidden_layers',
  'num_attention_heads', 'intermediate_size', 'hidden_act', 'max_position_embeddings',
  'type_vocab_size', 'layer_norm_eps', 'hidden_dropout_prob', 'attention_probs_dropout_prob',
  'classifier_dropout', 'initializer_range', 'pad_token_id', 'num_labels', 'id2label',
  'label2id', 'problem_type', 'position_embedding_type', 'tie_word_embeddings', 'is_decoder',
  'add_cross_attention',
]);

const PROBLEM_TYPES: readonly BertProblemType[] = [
  'regression',
  'single_label_classification',
  'multi_label_classification',
];

/** Reads and validates `config.json`. */
export async function readBertConfig(file: string): Promise<BertConfig> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') {
      throw new OctetError('file-not-found', 'file does not exist', { file });
    }
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new OctetError('malformed-file', `not valid JSON (${(e as Error).message})`, { file });
  }
  return parseBertConfig(json, file);
}

/** Validates a parsed config.json object. `file` is used in error messages. */
export function parseBertConfig(json: unknown, file: string): BertConfig {
  if (!isObject(json)) throw new OctetError('malformed-file', 'not a JSON object', { file });
  const r = new FieldReader(json, file);

  const architectures = r.stringList('architectures');
  const modelType = r.optionalString('model_type');
  if (modelType !== undefined && modelType !== 'bert') {
    throw r.unsupported(
      'model_type',
      `model_type ${JSON.stringify(modelType)} is unsupported; Octet fine-tunes BERT models ` +
        '(model_type "bert")',
    );
  }
  if (modelType === undefined && !architectures.some((a) => a.startsWith('Bert'))) {
    throw r.unsupported(
      'model_type',
      'unsupported: config has no model_type "bert" and no Bert* architecture; ' +
        'Octet fine-tunes BERT models',
    );
  }
  const hiddenAct = r.optionalString('hidden_act') ?? DEFAULTS.hidden_act;
  if (hiddenAct !== 'gelu') {
    throw r.unsupported(
      'hidden_act',
      `activation ${JSON.stringify(hiddenAct)} is unsupported; Octet implements exact "gelu" only`,
    );
  }
  const positions = r.optionalString('position_embedding_type') ?? 'absolute';
  if (positions !== 'absolute') {
    throw r.unsupported(
      'position_embedding_type',
      `${JSON.stringify(positions)} is unsupported; Octet implements "absolute" only`,
    );
  }
  for (const flag of ['is_decoder', 'add_cross_attention'] as const) {
    if (r.optionalBoolean(flag) === true) {
      throw r.unsupported(flag, 'BERT as a decoder is unsupported; Octet fine-tunes encoders');
    }
  }

  const hiddenSize = r.positiveInt('hidden_size', DEFAULTS.hidden_size);
  const numAttentionHeads = r.positiveInt('num_attention_heads', DEFAULTS.num_attention_heads);
  if (hiddenSize % numAttentionHeads !== 0) {
    throw r.malformed(
      'hidden_size',
      `hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numAttentionHeads}`,
    );
  }
  const vocabSize = r.positiveInt('vocab_size', DEFAULTS.vocab_size);
  const padTokenId = r.optionalIndex('pad_token_id', DEFAULTS.pad_token_id);
  if (padTokenId !== null && padTokenId >= vocabSize) {
    throw r.malformed(
      'pad_token_id',
      `pad_token_id ${padTokenId} is not below vocab_size ${vocabSize}`,
    );
  }
  const { id2label, label2id } = readLabels(r);

  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) if (!KNOWN_FIELDS.has(key)) extra[key] = value;

  return {
    vocabSize,
    hiddenSize,
    numHiddenLayers: r.positiveInt('num_hidden_layers', DEFAULTS.num_hidden_layers),
    numAttentionHeads,
    intermediateSize: r.positiveInt('intermediate_size', DEFAULTS.intermediate_size),
    hiddenAct,
    maxPositionEmbeddings: r.positiveInt(
      'max_position_embeddings',
      DEFAULTS.max_position_embeddings,
    ),
    typeVocabSize: r.positiveInt('type_vocab_size', DEFAULTS.type_vocab_size),
    layerNormEps: r.positiveNumber('layer_norm_eps', DEFAULTS.layer_norm_eps),
    hiddenDropoutProb: r.probability('hidden_dropout_prob', DEFAULTS.hidden_dropout_prob),
    attentionProbsDropoutProb: r.probability(
      'attention_probs_dropout_prob',
      DEFAULTS.attention_probs_dropout_prob,
    ),
    classifierDropout: r.has('classifier_dropout') && json.classifier_dropout !== null
      ? r.probability('classifier_dropout', 0)
      : null,
    initializerRange: r.positiveNumber('initializer_range', DEFAULTS.initializer_range),
    padTokenId,
    numLabels: id2label.length,
    id2label,
    label2id,
    problemType: readProblemType(r),
    architectures,
    tieWordEmbeddings: r.optionalBoolean('tie_word_embeddings') ?? true,
    extra,
  };
}

/** The config as a config.json object, HF-style (id2label keys are strings; keys sorted). */
export function serializeBertConfig(config: BertConfig): Record<string, unknown> {
  if (config.numLabels !== config.id2label.length) {
    throw new OctetError(
      'invalid-argument',
      `numLabels ${config.numLabels} differs from id2label, which has ${config.id2label.length} ` +
        'labels; set both',
      { field: 'num_labels' },
    );
  }
  const out: Record<string, unknown> = {
    ...config.extra,
    model_type: 'bert',
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    num_hidden_layers: config.numHiddenLayers,
    num_attention_heads: config.numAttentionHeads,
    intermediate_size: config.intermediateSize,
    hidden_act: config.hiddenAct,
    max_position_embeddings: config.maxPositionEmbeddings,
    type_vocab_size: config.typeVocabSize,
    layer_norm_eps: config.layerNormEps,
    hidden_dropout_prob: config.hiddenDropoutProb,
    attention_probs_dropout_prob: config.attentionProbsDropoutProb,
    classifier_dropout: config.classifierDropout,
    initializer_range: config.initializerRange,
    pad_token_id: config.padTokenId,
    position_embedding_type: 'absolute',
    id2label: Object.fromEntries(config.id2label.map((label, id) => [String(id), label])),
    label2id: { ...config.label2id },
  };
  if (config.architectures.length > 0) out.architectures = [...config.architectures];
  if (config.problemType !== null) out.problem_type = config.problemType;
  // HF writes only non-default values; tying is the default.
  if (!config.tieWordEmbeddings) out.tie_word_embeddings = false;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Writes config.json atomically. */
export async function writeBertConfig(file: string, config: BertConfig): Promise<void> {
  await writeJsonAtomic(file, serializeBertConfig(config));
}

function readLabels(r: FieldReader): { id2label: string[]; label2id: Record<string, number> } {
  const numLabels = r.has('num_labels')
    ? r.positiveInt('num_labels', DEFAULTS.num_labels)
    : undefined;
  let id2label: string[];
  if (r.has('id2label') && r.raw('id2label') !== null) {
    const raw = r.raw('id2label');
    if (!isObject(raw)) throw r.malformed('id2label', 'id2label must be an object {"0": "label"}');
    const entries = Object.entries(raw);
    id2label = new Array<string>(entries.length);
    for (const [key, value] of entries) {
      const id = Number(key);
      if (!/^\d+$/.test(key) || id >= entries.length || id2label[id] !== undefined) {
        throw r.malformed(
          'id2label',
          `id2label key ${JSON.stringify(key)} is not one of the ids 0..${entries.length - 1}`,
        );
      }
      if (typeof value !== 'string') {
        throw r.malformed('id2label', `id2label["${key}"] must be a string`);
      }
      id2label[id] = value;
    }
    if (id2label.length === 0) throw r.malformed('id2label', 'id2label is empty');
    if (numLabels !== undefined && numLabels !== id2label.length) {
      throw r.malformed(
        'num_labels',
        `num_labels ${numLabels} disagrees with id2label, which has ${id2label.length} labels`,
      );
    }
  } else {
    const n = numLabels ?? DEFAULTS.num_labels;
    id2label = Array.from({ length: n }, (_, i) => `LABEL_${i}`);
  }

  let label2id: Record<string, number>;
  if (r.has('label2id') && r.raw('label2id') !== null) {
    const raw = r.raw('label2id');
    if (!isObject(raw)) throw r.malformed('label2id', 'label2id must be an object {"label": 0}');
    label2id = {};
    for (const [label, id] of Object.entries(raw)) {
      if (!Number.isSafeInteger(id) || (id as number) < 0) {
        throw r.malformed('label2id', `label2id["${label}"] must be a non-negative integer`);
      }
      label2id[label] = id as number;
    }
  } else {
    label2id = Object.fromEntries(id2label.map((label, id) => [label, id]));
  }
  return { id2label, label2id };
}

function readProblemType(r: FieldReader): BertProblemType | null {
  if (!r.has('problem_type') || r.raw('problem_type') === null) return null;
  const value = r.raw('problem_type');
  if (!PROBLEM_TYPES.includes(value as BertProblemType)) {
    throw r.malformed(
      'problem_type',
      `problem_type ${JSON.stringify(value)} must be one of ${PROBLEM_TYPES.join(', ')} or null`,
    );
  }
  return value as BertProblemType;
}

/** Typed access to config.json fields, with errors that name the file and field. */
class FieldReader {
  constructor(
    private readonly json: Record<string, unknown>,
    private readonly file: string,
  ) {}

  has(field: string): boolean {
    return Object.hasOwn(this.json, field) && this.json[field] !== undefined;
  }

  raw(field: string): unknown {
    return this.json[field];
  }

  malformed(field: string, message: string): OctetError {
    return new OctetError('malformed-file', message, { file: this.file, field });
  }

  unsupported(field: string, message: string): OctetError {
    return new OctetError('unsupported', message, { file: this.file, field });
  }

  positiveInt(field: string, fallback: number): number {
    if (!this.has(field)) return fallback;
    const v = this.json[field];
    if (!Number.isSafeInteger(v) || (v as number) < 1) {
      throw this.malformed(field, `${field} must be a positive integer, got ${JSON.stringify(v)}`);
    }
    return v as number;
  }

  positiveNumber(field: string, fallback: number): number {
    if (!this.has(field)) return fallback;
    const v = this.json[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw this.malformed(field, `${field} must be a positive number, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  probability(field: string, fallback: number): number {
    if (!this.has(field)) return fallback;
    const v = this.json[field];
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) {
      throw this.malformed(field, `${field} must be a number in [0, 1), got ${JSON.stringify(v)}`);
    }
    return v;
  }

  /** A non-negative integer, or null when config.json says null. */
  optionalIndex(field: string, fallback: number): number | null {
    if (!this.has(field)) return fallback;
    const v = this.json[field];
    if (v === null) return null;
    if (!Number.isSafeInteger(v) || (v as number) < 0) {
      throw this.malformed(field, `${field} must be a non-negative integer or null`);
    }
    return v as number;
  }

  optionalString(field: string): string | undefined {
    if (!this.has(field) || this.json[field] === null) return undefined;
    const v = this.json[field];
    if (typeof v !== 'string') throw this.malformed(field, `${field} must be a string`);
    return v;
  }

  optionalBoolean(field: string): boolean | undefined {
    if (!this.has(field) || this.json[field] === null) return undefined;
    const v = this.json[field];
    if (typeof v !== 'boolean') throw this.malformed(field, `${field} must be true or false`);
    return v;
  }

  stringList(field: string): string[] {
    if (!this.has(field) || this.json[field] === null) return [];
    const v = this.json[field];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
      throw this.malformed(field, `${field} must be a list of strings`);
    }
    return [...v];
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
