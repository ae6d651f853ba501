// Default values of the manifest's optional fields. The schema repeats them as `default`s for
// editors (hover, completion); a unit test checks both say the same.
import type { PrecisionSpec, ProfileSpec, TaskType } from './types';

export const DEFAULT_TASK_TYPE: TaskType = 'classification';

export const DEFAULT_TRAIN = {
  epochs: 3,
  batchSize: 32,
  learningRate: 2e-5,
  weightDecay: 0.01,
  warmupRatio: 0,
  maxSeqLength: 128,
  gradientAccumulationSteps: 1,
  maxGradNorm: 1,
  seed: 42,
  evalEvery: 'epoch',
  keepCheckpoints: 2,
} as const;

/**
 * Squad settings, filled in only for squad tasks (so other tasks' resolved manifests stay as they
 * were). The fields of a JSONL file are those of Hugging Face's `squad` data set.
 */
export const DEFAULT_SQUAD = {
  version2: false,
  docStride: 128,
  maxAnswerLength: 30,
  nBest: 20,
  questionField: 'question',
  contextField: 'context',
  answersField: 'answers',
} as const;

/** Mlm settings, filled in only for mlm tasks: BERT's masking rate (Devlin et al. 2019). */
export const DEFAULT_MLM = {
  mlmProbability: 0.15,
} as const;

export const DEFAULT_PRECISION: Readonly<PrecisionSpec> = {
  mode: 'int8-outlier',
  threshold: 5,
  thresholdUnits: 'absolute',
  rounding: { forward: 'nearest', backward: 'stochastic' },
  weightGradReusesSplit: true,
  granularity: 'tensor',
  outlierExponent: 'own',
};

export const DEFAULT_PROFILE: Readonly<ProfileSpec> = {
  batches: 8,
  criteria: { sqnrGapDb: 6 },
};

/** tsv/csv files are assumed to start with a header line, as the GLUE files do. */
export const DEFAULT_HEADER = true;

/** Where runs go when `output` is not given, relative to the manifest's folder. */
export const DEFAULT_OUTPUT_PARENT = 'runs';
