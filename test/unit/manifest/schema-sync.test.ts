// The JSON Schema (for editors) and the TypeScript code (for the engine) describe the same file.
// These tests fail when one is changed without the other: a property the resolver drops, a
// default that differs, a resolved field the schema does not know, an enum value missing.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  DataFormat,
  METRICS_FOR_TASK,
  MetricName,
  PrecisionMode,
  RoundingMode,
  ScaleGranularity,
  TaskType,
  ThresholdUnits,
  defaultMetricForTask,
  manifestSchema,
  parseManifest,
} from '../../../engine/manifest';

type Schema = Record<string, any>;
const root = manifestSchema as Schema;
// Not named like the `output` example's folder, so the default output differs from the example.
const MANIFEST_PATH = '/projects/glue-demo/octet.json';
const DIR = path.dirname(MANIFEST_PATH);

/** Fields the resolver turns into absolute paths. */
const PATH_FIELDS = new Set(['model', 'data.train', 'data.eval', 'output']);
/** Schema properties that do not appear in the resolved manifest, and why. */
const NOT_RESOLVED = new Set([
  '$schema', // an editor hint only
]);
/** Resolved fields that are not manifest properties. */
const RESOLVED_ONLY = new Set(['manifestPath']);

/** The schema with a `$ref` replaced by its target (annotations next to the `$ref` win). */
function deref(s: Schema): Schema {
  if (typeof s.$ref !== 'string') return s;
  const target = s.$ref.replace(/^#\//, '').split('/').reduce((node: Schema, key: string) => node[key], root);
  const { $ref: _ref, ...siblings } = s;
  return { ...deref(target), ...siblings };
}

interface SchemaNode {
  path: string[];
  schema: Schema;
}

/** Every property schema, depth first; `leaf` when it has no sub-properties of its own. */
function propertyNodes(s: Schema = root, at: string[] = []): (SchemaNode & { leaf: boolean })[] {
  const props = deref(s).properties as Record<string, Schema> | undefined;
  if (props === undefined) return [];
  return Object.entries(props).flatMap(([key, child]) => {
    const node = { path: [...at, key], schema: deref(child), leaf: deref(child).properties === undefined };
    return [node, ...propertyNodes(child, node.path)];
  });
}

function get(value: any, p: readonly string[]): any {
  return p.reduce((v, k) => (v === undefined ? undefined : v[k]), value);
}

function set(value: any, p: readonly string[], v: unknown): void {
  let node = value;
  for (const k of p.slice(0, -1)) node = node[k] ??= {};
  node[p[p.length - 1]] = v;
}

/** A valid manifest on which any one example value can be set without conflicting. */
function baseManifest(): any {
  return {
    version: 1,
    model: 'bert',
    task: { type: 'classification' },
    data: { train: 'train.tsv', eval: 'dev.tsv', header: true, text: 0, label: 1 },
  };
}

function resolve(json: unknown) {
  return parseManifest(JSON.stringify(json), MANIFEST_PATH);
}

/** What the resolver should make of a property's example value. */
function expectedResolved(field: string, example: any): unknown {
  if (PATH_FIELDS.has(field)) return path.resolve(DIR, example);
  if (field === 'layers') return Object.entries(example).map(([pattern, override]) => ({ pattern, override }));
  return example;
}

const leaves = propertyNodes().filter((n) => n.leaf);

test('the schema walk finds the properties (guards the tests below against an empty walk)', () => {
  const fields = leaves.map((n) => n.path.join('.'));
  for (const f of ['version', 'task.type', 'data.textPair', 'train.evalEvery', 'precision.rounding.backward', 'layers', 'profile.criteria.sqnrGapDb']) {
    assert.ok(fields.includes(f), f);
  }
  assert.ok(fields.length >= 40, `only ${fields.length} leaves`);
});

test('every schema property is documented for the editor', () => {
  for (const node of propertyNodes()) {
    const field = node.path.join('.');
    assert.equal(typeof node.schema.description, 'string', `${field} has no description`);
    if (node.leaf && field !== 'version') assert.ok(Array.isArray(node.schema.examples), `${field} has no examples`);
  }
});

test('every schema property is carried into the resolved manifest', () => {
  const without = resolve(baseManifest());
  for (const node of leaves) {
    const field = node.path.join('.');
    if (NOT_RESOLVED.has(field)) continue;
    if (field === 'version') {
      assert.equal(without.version, node.schema.const);
      continue;
    }
    const example = node.schema.examples[0];
    const json = baseManifest();
    set(json, node.path, example);
    const expected = expectedResolved(field, example);
    // The example must differ from the value without it, or this would prove nothing.
    assert.notDeepEqual(get(without, node.path), expected, `${field}: example equals the value without it`);
    assert.deepEqual(get(resolve(json), node.path), expected, `${field} is not carried over`);
  }
});

test('the schema defaults are the resolver defaults', () => {
  const resolved = resolve(baseManifest());
  const withDefaults = propertyNodes().filter((n) => 'default' in n.schema);
  assert.ok(withDefaults.length >= 20, `only ${withDefaults.length} defaults`);
  for (const node of withDefaults) {
    assert.deepEqual(get(resolved, node.path), node.schema.default, `${node.path.join('.')}: schema and code defaults differ`);
  }
});

test('every resolved field is a schema property', () => {
  const resolved = resolve({ ...baseManifest(), task: { type: 'classification', labels: ['a', 'b'], positiveLabel: 'b' } });
  const check = (value: any, schema: Schema, at: string[]): void => {
    const props = deref(schema).properties as Record<string, Schema> | undefined;
    if (props === undefined) return;
    for (const key of Object.keys(value)) {
      const field = [...at, key].join('.');
      if (RESOLVED_ONLY.has(field)) continue;
      assert.ok(key in props, `resolved field ${field} is not in the schema`);
      if (typeof value[key] === 'object' && value[key] !== null && !Array.isArray(value[key])) check(value[key], props[key], [...at, key]);
    }
  };
  check(resolved, root, []);
});

// `Record<Union, true>` makes the compiler check these lists are complete and exact.
const PRECISION_MODES: Record<PrecisionMode, true> = { fp32: true, int8: true, 'int8-outlier': true };
const TASK_TYPES: Record<TaskType, true> = { classification: true, regression: true, squad: true, mlm: true };
const DATA_FORMATS: Record<DataFormat, true> = { tsv: true, csv: true, jsonl: true, json: true, text: true };
const THRESHOLD_UNITS: Record<ThresholdUnits, true> = { absolute: true, std: true };
const ROUNDING_MODES: Record<RoundingMode, true> = { nearest: true, stochastic: true };
const GRANULARITIES: Record<ScaleGranularity, true> = { tensor: true, row: true };
const METRICS: Record<MetricName, true> = { loss: true, accuracy: true, f1: true, matthews: true, pearson: true, spearman: true, exactMatch: true };

test('schema enums list exactly the values of the TypeScript unions', () => {
  const enumAt = (field: string): string[] => deref(get(root.properties, field.split('.').flatMap((k, i) => (i === 0 ? [k] : ['properties', k])))).enum;
  const cases: [string, object][] = [
    ['precision.mode', PRECISION_MODES],
    ['layers', PRECISION_MODES],
    ['task.type', TASK_TYPES],
    ['data.format', DATA_FORMATS],
    ['precision.thresholdUnits', THRESHOLD_UNITS],
    ['precision.rounding.forward', ROUNDING_MODES],
    ['precision.rounding.backward', ROUNDING_MODES],
    ['precision.granularity', GRANULARITIES],
    ['train.metricForBestModel', METRICS],
  ];
  for (const [field, union] of cases) {
    const values = field === 'layers' ? deref(deref(root.properties.layers.additionalProperties).properties.mode).enum : enumAt(field);
    assert.deepEqual([...values].sort(), Object.keys(union).sort(), field);
  }
  // Every metric is measured for some task, and the table covers every task.
  const measured = new Set(Object.values(METRICS_FOR_TASK).flat());
  assert.deepEqual([...measured].sort(), Object.keys(METRICS).sort());
  assert.deepEqual(Object.keys(METRICS_FOR_TASK).sort(), Object.keys(TASK_TYPES).sort());
});

test('the documented default metric per task is the one the code uses', () => {
  const doc: string = root.properties.train.properties.metricForBestModel.markdownDescription;
  for (const task of Object.keys(TASK_TYPES) as TaskType[]) {
    assert.ok(doc.includes(`\`${defaultMetricForTask(task)}\` (${task})`), `${task}: ${doc}`);
  }
});
