// The manifest read leniently, for editor features that must work while the file is being
// written: each field is taken when it has the right type and ignored otherwise (the schema
// diagnostics already report it). The engine's parseManifest, by contrast, refuses a manifest
// with any problem, which is right for training and useless for an editor.
import * as path from 'node:path';
import { type Node, getNodeValue, parseTree } from 'jsonc-parser';
import {
  type ColumnRef,
  type DataFormat,
  DEFAULT_PRECISION,
  type LayerPrecisionOverride,
  type LayerRule,
  type PrecisionSpec,
  type TaskType,
  checkLayerPattern,
} from '../engine/manifest';
import { formatFromExtension } from '../engine/manifest/data-format';

type JsonObject = Record<string, unknown>;

export interface LooseData {
  /** Absolute paths. */
  train?: string;
  eval?: string;
  format?: DataFormat;
  /** tsv/csv: whether the first line names the columns. */
  header: boolean;
  text?: ColumnRef;
  textPair?: ColumnRef;
  label?: ColumnRef;
}

export interface LooseManifest {
  /** The manifest's folder: relative paths are relative to it. */
  dir: string;
  /** Syntax tree of the text (jsonc-parser recovers from syntax errors). */
  root: Node | undefined;
  /** Absolute path of the model folder. */
  modelFolder?: string;
  /** Undefined when task.type is present but not a known type. */
  taskType?: TaskType;
  labels?: string[];
  numLabels?: number;
  data?: LooseData;
  /** Global precision with defaults filled in. */
  precision: PrecisionSpec;
  /** `layers` entries with valid patterns, in the order written (which breaks ties). */
  layerRules: LayerRule[];
  maxSeqLength?: number;
}

const TASK_TYPES: readonly TaskType[] = ['classification', 'regression', 'squad', 'mlm'];
const FORMATS: readonly DataFormat[] = ['tsv', 'csv', 'jsonl'];
const MODES = ['fp32', 'int8', 'int8-outlier'] as const;
const UNITS = ['absolute', 'std'] as const;

export function readLooseManifest(text: string, manifestPath: string): LooseManifest {
  const dir = path.dirname(manifestPath);
  const root = parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
  const value = asObject(root === undefined ? undefined : safeValue(root)) ?? {};
  const manifest: LooseManifest = {
    dir,
    root,
    precision: readPrecision(asObject(value.precision)),
    layerRules: readLayerRules(root),
  };
  const model = nonEmptyString(value.model);
  if (model !== undefined) manifest.modelFolder = path.resolve(dir, model);

  const task = asObject(value.task);
  if (value.task === undefined) manifest.taskType = 'classification';
  else if (task !== undefined && TASK_TYPES.includes(task.type as TaskType)) manifest.taskType = task.type as TaskType;
  if (task !== undefined) {
    if (Array.isArray(task.labels) && task.labels.every((l) => typeof l === 'string')) manifest.labels = task.labels as string[];
    if (isCount(task.numLabels)) manifest.numLabels = task.numLabels;
  }
  const data = asObject(value.data);
  if (data !== undefined) manifest.data = readData(data, dir);
  const train = asObject(value.train);
  if (train !== undefined && isCount(train.maxSeqLength)) manifest.maxSeqLength = train.maxSeqLength;
  return manifest;
}

function readData(data: JsonObject, dir: string): LooseData {
  const out: LooseData = { header: typeof data.header === 'boolean' ? data.header : true };
  const train = nonEmptyString(data.train);
  const evalFile = nonEmptyString(data.eval);
  if (train !== undefined) out.train = path.resolve(dir, train);
  if (evalFile !== undefined) out.eval = path.resolve(dir, evalFile);
  if (FORMATS.includes(data.format as DataFormat)) out.format = data.format as DataFormat;
  else if (data.format === undefined && train !== undefined) out.format = formatFromExtension(train);
  for (const role of ['text', 'textPair', 'label'] as const) {
    const ref = data[role];
    if (nonEmptyString(ref) !== undefined || isCount(ref)) out[role] = ref as ColumnRef;
  }
  return out;
}

function readPrecision(p: JsonObject | undefined): PrecisionSpec {
  const spec: PrecisionSpec = { ...DEFAULT_PRECISION, rounding: { ...DEFAULT_PRECISION.rounding } };
  if (p === undefined) return spec;
  Object.assign(spec, readOverride(p));
  if (typeof p.weightGradReusesSplit === 'boolean') spec.weightGradReusesSplit = p.weightGradReusesSplit;
  if (p.granularity === 'tensor' || p.granularity === 'row') spec.granularity = p.granularity;
  if (p.outlierExponent === 'own' || p.outlierExponent === 'at-least-inlier') spec.outlierExponent = p.outlierExponent;
  const rounding = asObject(p.rounding);
  for (const pass of ['forward', 'backward'] as const) {
    const r = rounding?.[pass];
    if (r === 'nearest' || r === 'stochastic') spec.rounding[pass] = r;
  }
  return spec;
}

function readOverride(o: JsonObject): LayerPrecisionOverride {
  const out: LayerPrecisionOverride = {};
  if (MODES.includes(o.mode as (typeof MODES)[number])) out.mode = o.mode as LayerPrecisionOverride['mode'];
  if (typeof o.threshold === 'number' && Number.isFinite(o.threshold) && o.threshold > 0) out.threshold = o.threshold;
  if (UNITS.includes(o.thresholdUnits as (typeof UNITS)[number])) out.thresholdUnits = o.thresholdUnits as LayerPrecisionOverride['thresholdUnits'];
  return out;
}

/** From the tree, not the parsed object: object keys that look like integers would move first. */
function readLayerRules(root: Node | undefined): LayerRule[] {
  const layers = lastProperty(root, 'layers')?.children?.[1];
  if (layers?.type !== 'object') return [];
  const rules: LayerRule[] = [];
  for (const prop of layers.children ?? []) {
    const pattern = prop.children?.[0]?.value;
    if (typeof pattern !== 'string' || checkLayerPattern(pattern) !== undefined) continue;
    const valueNode = prop.children?.[1];
    const override = asObject(valueNode === undefined ? undefined : safeValue(valueNode));
    // A later duplicate replaces an earlier one, as it does when the file is loaded.
    const existing = rules.findIndex((r) => r.pattern === pattern);
    if (existing >= 0) rules.splice(existing, 1);
    rules.push({ pattern, override: override === undefined ? {} : readOverride(override) });
  }
  return rules;
}

function lastProperty(object: Node | undefined, key: string): Node | undefined {
  const props = object?.type === 'object' ? (object.children ?? []) : [];
  for (let i = props.length - 1; i >= 0; i--) if (props[i].children?.[0]?.value === key) return props[i];
  return undefined;
}

/** getNodeValue recurses; absurdly deep nesting (fuzzing, a pasted blob) must not throw here. */
function safeValue(node: Node): unknown {
  try {
    return getNodeValue(node);
  } catch {
    return undefined;
  }
}

function asObject(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

function nonEmptyString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
