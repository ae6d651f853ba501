// Types of the project manifest (octet.json). `ManifestJson` is the file as written (most fields
// optional); `Manifest` is what the engine works with: defaults filled, paths absolute. The JSON
// Schema in schemas/octet.schema.json describes the same file for editors; a unit test keeps the
// two in step.

export type PrecisionMode = 'fp32' | 'int8' | 'int8-outlier';
export type TaskType = 'classification' | 'regression' | 'squad' | 'mlm';
/** `json` is the official SQuAD JSON file (squad tasks only); `text` is plain text, one document a line (mlm only). */
export type DataFormat = 'tsv' | 'csv' | 'jsonl' | 'json' | 'text';
export type ThresholdUnits = 'absolute' | 'std';
export type RoundingMode = 'nearest' | 'stochastic';
export type ScaleGranularity = 'tensor' | 'row';
/** engine/quant/outliers.ts's OutlierExponentRule. */
export type OutlierExponentRule = 'own' | 'at-least-inlier';
export type MetricName = 'loss' | 'accuracy' | 'f1' | 'matthews' | 'pearson' | 'spearman' | 'exactMatch';

/** A column by name (files with a header, jsonl keys) or by 0-based index. */
export type ColumnRef = string | number;

/** `'epoch'` or a number of optimizer steps. */
export type StepInterval = 'epoch' | number;

// ---- The resolved manifest ----

export interface TaskSpec {
  type: TaskType;
  /** Explicit label order (classification). Undefined: read from the training data, sorted. */
  labels?: string[];
  /** Classifier outputs. Regression: always 1. Classification: labels.length when labels are given, else undefined (counted from the data). */
  numLabels?: number;
  /** Positive class for binary F1. Undefined: the second label in order. */
  positiveLabel?: string;
  /** Squad: SQuAD 2.0, where questions may have no answer. Always set for squad tasks (default false). */
  version2?: boolean;
}

export interface DataSpec {
  /** Absolute path. */
  train: string;
  /** Absolute path, or undefined when there is no evaluation data. */
  eval?: string;
  /** Given, or inferred from the extension of `train`. */
  format: DataFormat;
  /** Whether the first line names the columns; always false for jsonl, json and text. */
  header: boolean;
  /** Squad (jsonl): the question field. */
  text: ColumnRef;
  /** Second sentence for pair tasks; null for single-sentence tasks. Squad (jsonl): the context field. */
  textPair: ColumnRef | null;
  /** Squad (jsonl): the answers field. */
  label: ColumnRef;
}

export interface TrainSpec {
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  /** 0 when `warmupSteps` is given (the manifest may give only one of them). */
  warmupRatio: number;
  /** When defined, takes the place of `warmupRatio`. */
  warmupSteps?: number;
  maxSeqLength: number;
  gradientAccumulationSteps: number;
  /** 0: no clipping. */
  maxGradNorm: number;
  seed: number;
  /** Undefined: the dropout probabilities in the model's config.json. */
  dropout?: number;
  evalEvery: StepInterval;
  /** Defaults to `evalEvery`. */
  saveEvery: StepInterval;
  keepCheckpoints: number;
  /** Undefined: no early stopping. */
  earlyStoppingPatience?: number;
  /** Given, or the task's usual metric (see `defaultMetricForTask`). */
  metricForBestModel: MetricName;
  /** Undefined: no limit besides `epochs`. */
  maxSteps?: number;
  /** Undefined: all available cores. */
  threads?: number;
  /** Squad: tokens between the starts of consecutive context windows. Always set for squad tasks. */
  docStride?: number;
  /** Squad: longest answer, in tokens, that evaluation and prediction consider. Always set for squad tasks. */
  maxAnswerLength?: number;
  /** Squad: start and end candidates per window that evaluation and prediction pair up. Always set for squad tasks. */
  nBest?: number;
  /** Mlm: share of tokens chosen for prediction (80% [MASK], 10% random, 10% kept). Always set for mlm tasks. */
  mlmProbability?: number;
}

export interface RoundingSpec {
  forward: RoundingMode;
  backward: RoundingMode;
}

export interface PrecisionSpec {
  mode: PrecisionMode;
  threshold: number;
  thresholdUnits: ThresholdUnits;
  rounding: RoundingSpec;
  weightGradReusesSplit: boolean;
  granularity: ScaleGranularity;
  outlierExponent: OutlierExponentRule;
}

/** The fields a `layers` entry may override. */
export interface LayerPrecisionOverride {
  mode?: PrecisionMode;
  threshold?: number;
  thresholdUnits?: ThresholdUnits;
}

/**
 * One `layers` entry. Kept as a list in the order written, because the order breaks ties between
 * equally specific patterns (a JS object would move integer-like keys to the front).
 */
export interface LayerRule {
  pattern: string;
  override: LayerPrecisionOverride;
}

export interface ProfileSpec {
  batches: number;
  criteria: { sqnrGapDb: number };
}

export interface Manifest {
  version: 1;
  /** Absolute path of the octet.json this came from; relative paths were resolved against its folder. */
  manifestPath: string;
  /** Absolute path of the model folder. */
  model: string;
  task: TaskSpec;
  data: DataSpec;
  train: TrainSpec;
  precision: PrecisionSpec;
  layers: LayerRule[];
  /** Absolute path of the run folder. */
  output: string;
  profile: ProfileSpec;
}

// ---- The file as written ----

export interface ManifestJson {
  $schema?: string;
  version: 1;
  model: string;
  task?: Partial<TaskSpec> & { type: TaskType };
  data: {
    train: string;
    eval?: string;
    format?: DataFormat;
    header?: boolean;
    /** Required except for squad tasks, whose fields have defaults, and mlm on plain text. */
    text?: ColumnRef;
    textPair?: ColumnRef | null;
    label?: ColumnRef;
  };
  train?: Partial<TrainSpec>;
  precision?: Partial<Omit<PrecisionSpec, 'rounding'>> & { rounding?: Partial<RoundingSpec> };
  layers?: Record<string, LayerPrecisionOverride>;
  output?: string;
  profile?: { batches?: number; criteria?: { sqnrGapDb?: number } };
}

// ---- Problems ----

/**
 * One thing wrong with a manifest. `field` is a readable path (`train.batchSize`,
 * `layers["encoder.layer.*"].mode`, `task.labels[1]`; '' for the whole file). Positions point
 * into the manifest text: `offset`/`length` in UTF-16 code units (what editors use), `line` and
 * `column` 1-based.
 */
export interface ManifestProblem {
  message: string;
  field: string;
  line?: number;
  column?: number;
  offset?: number;
  length?: number;
}
