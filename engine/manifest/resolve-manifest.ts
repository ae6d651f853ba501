// From the manifest as written (already validated) to the manifest the engine uses: every
// default filled in, every path absolute, the layer overrides as an ordered list. Every field is
// copied by name, so nothing unvalidated slips through and the result has plain prototypes.
import * as path from 'node:path';
import { formatForTask } from './data-format';
import { DEFAULT_HEADER, DEFAULT_MLM, DEFAULT_OUTPUT_PARENT, DEFAULT_PRECISION, DEFAULT_PROFILE, DEFAULT_SQUAD, DEFAULT_TASK_TYPE, DEFAULT_TRAIN } from './defaults';
import { defaultMetricForTask } from './task-metrics';
import type {
  DataSpec,
  LayerPrecisionOverride,
  LayerRule,
  Manifest,
  ManifestJson,
  PrecisionSpec,
  ProfileSpec,
  TaskSpec,
  TrainSpec,
} from './types';

/**
 * @param json a value that passed `validateManifestText` (no problems)
 * @param manifestPath the manifest's path; relative paths in it are resolved against its folder
 * @param layerOrder the `layers` keys in the order written (a JS object puts integer-like keys
 *   first); defaults to the object's key order
 */
export function resolveManifest(json: ManifestJson, manifestPath: string, layerOrder?: readonly string[]): Manifest {
  const file = path.resolve(manifestPath);
  const dir = path.dirname(file);
  const task = resolveTask(json.task);
  return {
    version: 1,
    manifestPath: file,
    model: path.resolve(dir, json.model),
    task,
    data: resolveData(json.data, dir, task),
    train: resolveTrain(json.train ?? {}, task),
    precision: resolvePrecision(json.precision ?? {}),
    layers: resolveLayers(json.layers ?? {}, layerOrder),
    output: path.resolve(dir, json.output ?? path.join(DEFAULT_OUTPUT_PARENT, path.basename(dir) || 'run')),
    profile: resolveProfile(json.profile ?? {}),
  };
}

function resolveTask(task: ManifestJson['task']): TaskSpec {
  const type = task?.type ?? DEFAULT_TASK_TYPE;
  const out: TaskSpec = { type };
  if (task?.labels !== undefined) out.labels = [...task.labels];
  // Regression always has one output; with explicit labels the count follows from them.
  const numLabels = type === 'regression' ? 1 : (task?.numLabels ?? task?.labels?.length);
  if (numLabels !== undefined) out.numLabels = numLabels;
  if (task?.positiveLabel !== undefined) out.positiveLabel = task.positiveLabel;
  // Squad settings are filled in for squad only, so other tasks' manifests stay as they were.
  const version2 = task?.version2 ?? (type === 'squad' ? DEFAULT_SQUAD.version2 : undefined);
  if (version2 !== undefined) out.version2 = version2;
  return out;
}

function resolveData(data: ManifestJson['data'], dir: string, task: TaskSpec): DataSpec {
  // The consistency checks guarantee the extension gives a format when `format` is absent.
  const format = data.format ?? formatForTask(data.train, task.type) ?? 'tsv';
  // The schema requires text and label for every task but squad, whose JSONL fields have defaults.
  const squad = task.type === 'squad';
  const out: DataSpec = {
    train: path.resolve(dir, data.train),
    format,
    header: format === 'jsonl' || format === 'json' || format === 'text' ? false : (data.header ?? DEFAULT_HEADER),
    text: data.text ?? DEFAULT_SQUAD.questionField,
    textPair: data.textPair ?? (squad ? DEFAULT_SQUAD.contextField : null),
    label: data.label ?? DEFAULT_SQUAD.answersField,
  };
  if (data.eval !== undefined) out.eval = path.resolve(dir, data.eval);
  return out;
}

function resolveTrain(train: NonNullable<ManifestJson['train']>, task: TaskSpec): TrainSpec {
  const evalEvery = train.evalEvery ?? DEFAULT_TRAIN.evalEvery;
  const out: TrainSpec = {
    epochs: train.epochs ?? DEFAULT_TRAIN.epochs,
    batchSize: train.batchSize ?? DEFAULT_TRAIN.batchSize,
    learningRate: train.learningRate ?? DEFAULT_TRAIN.learningRate,
    weightDecay: train.weightDecay ?? DEFAULT_TRAIN.weightDecay,
    warmupRatio: train.warmupRatio ?? DEFAULT_TRAIN.warmupRatio,
    maxSeqLength: train.maxSeqLength ?? DEFAULT_TRAIN.maxSeqLength,
    gradientAccumulationSteps: train.gradientAccumulationSteps ?? DEFAULT_TRAIN.gradientAccumulationSteps,
    maxGradNorm: train.maxGradNorm ?? DEFAULT_TRAIN.maxGradNorm,
    seed: train.seed ?? DEFAULT_TRAIN.seed,
    evalEvery,
    saveEvery: train.saveEvery ?? evalEvery,
    keepCheckpoints: train.keepCheckpoints ?? DEFAULT_TRAIN.keepCheckpoints,
    metricForBestModel: train.metricForBestModel ?? defaultMetricForTask(task.type),
  };
  // Optional settings stay absent (rather than undefined-valued) so results compare and print cleanly.
  if (train.warmupSteps !== undefined) out.warmupSteps = train.warmupSteps;
  if (train.dropout !== undefined) out.dropout = train.dropout;
  if (train.earlyStoppingPatience !== undefined) out.earlyStoppingPatience = train.earlyStoppingPatience;
  if (train.maxSteps !== undefined) out.maxSteps = train.maxSteps;
  if (train.threads !== undefined) out.threads = train.threads;
  const squad = task.type === 'squad';
  for (const key of ['docStride', 'maxAnswerLength', 'nBest'] as const) {
    const value = train[key] ?? (squad ? DEFAULT_SQUAD[key] : undefined);
    if (value !== undefined) out[key] = value;
  }
  // Likewise the masking rate, for mlm only.
  const mlmProbability = train.mlmProbability ?? (task.type === 'mlm' ? DEFAULT_MLM.mlmProbability : undefined);
  if (mlmProbability !== undefined) out.mlmProbability = mlmProbability;
  return out;
}

function resolvePrecision(p: NonNullable<ManifestJson['precision']>): PrecisionSpec {
  const d = DEFAULT_PRECISION;
  return {
    mode: p.mode ?? d.mode,
    threshold: p.threshold ?? d.threshold,
    thresholdUnits: p.thresholdUnits ?? d.thresholdUnits,
    rounding: {
      forward: p.rounding?.forward ?? d.rounding.forward,
      backward: p.rounding?.backward ?? d.rounding.backward,
    },
    weightGradReusesSplit: p.weightGradReusesSplit ?? d.weightGradReusesSplit,
    granularity: p.granularity ?? d.granularity,
    outlierExponent: p.outlierExponent ?? d.outlierExponent,
  };
}

function resolveLayers(layers: Record<string, LayerPrecisionOverride>, order: readonly string[] = Object.keys(layers)): LayerRule[] {
  return order.map((pattern) => {
    const o = layers[pattern];
    const override: LayerPrecisionOverride = {};
    if (o.mode !== undefined) override.mode = o.mode;
    if (o.threshold !== undefined) override.threshold = o.threshold;
    if (o.thresholdUnits !== undefined) override.thresholdUnits = o.thresholdUnits;
    return { pattern, override };
  });
}

function resolveProfile(p: NonNullable<ManifestJson['profile']>): ProfileSpec {
  return {
    batches: p.batches ?? DEFAULT_PROFILE.batches,
    criteria: { sqnrGapDb: p.criteria?.sqnrGapDb ?? DEFAULT_PROFILE.criteria.sqnrGapDb },
  };
}
