// Checks of a manifest against the files it names: the model folder (config.json, weights),
// the data files (columns, labels) and the model's layers (patterns that match nothing). They
// read files, so they run asynchronously after the user pauses typing, can be cancelled by the
// next edit, and never hold up the syntax diagnostics.
//
// A finding is tied to a JSON path in the manifest rather than to a text range, so it can be
// shown against later versions of the text (see anchored-diagnostics.ts) until the next run.
import type { Node } from 'jsonc-parser';
import { OctetError } from '../engine/errors';
import { errnoCode } from '../engine/fs/errno';
import { parseDecimal } from '../engine/data/numbers';
import { type ColumnRef, unmatchedPatterns } from '../engine/manifest';
import { closestName } from '../engine/manifest/closest-name';
import { type JsonPathPart, findKeyNode, findValueNode } from '../engine/manifest/json-document';
import type { CheckToken } from './cancellation';
import { type DataSample, type DataSampler, MAX_SAMPLE_ROWS } from './data-sample';
import type { DiagnosticFix } from './diagnostic-fix';
import { describeError, displayPath } from './display-path';
import { layerSuggestions } from './layer-catalog';
import { type LooseData, type LooseManifest, readLooseManifest } from './loose-manifest';
import { type ModelInspector, type ModelProblemCode, headForTask, linearLayerNames } from './model-inspection';

export type FindingCode =
  | ModelProblemCode
  | 'data-not-found'
  | 'data-invalid'
  | 'column-not-found'
  | 'column-out-of-range'
  | 'label-unknown'
  | 'label-not-numeric'
  | 'labels-more-than-num-labels'
  | 'layer-pattern-unmatched'
  | 'max-seq-length-too-long';

export interface SemanticFinding {
  code: FindingCode;
  /** The manifest value (or, with anchor 'key', the property) the finding is about. */
  path: JsonPathPart[];
  anchor: 'value' | 'key';
  /** The value at `path` when checked (JSON text); the finding no longer applies once it differs. */
  checkedValue: string;
  severity: 'error' | 'warning';
  message: string;
  fix?: DiagnosticFix;
}

export interface SemanticCheckContext {
  models: ModelInspector;
  data: DataSampler;
  token: CheckToken;
}

/** How many unknown labels a message lists before "and N more". */
const MAX_LISTED_LABELS = 5;

export async function runSemanticChecks(text: string, manifestPath: string, ctx: SemanticCheckContext): Promise<SemanticFinding[]> {
  const manifest = readLooseManifest(text, manifestPath);
  const findings = new Findings(manifest.root);
  await checkModel(manifest, findings, ctx);
  await checkData(manifest, findings, ctx);
  return findings.list;
}

async function checkModel(m: LooseManifest, findings: Findings, ctx: SemanticCheckContext): Promise<void> {
  if (m.modelFolder === undefined) return;
  const inspection = await ctx.models.inspect(m.modelFolder, m.dir);
  ctx.token.throwIfCancelled();
  if (!inspection.ok) {
    findings.add(inspection.problem.code, ['model'], 'value', 'error', inspection.problem.message);
    return;
  }
  const { config } = inspection.model;
  if (m.taskType !== undefined) {
    const layers = linearLayerNames(config, headForTask(m.taskType));
    const candidates = layerSuggestions(layers).map((s) => s.pattern);
    // An error, as in the engine: a run refuses such a manifest (engine/train/run-model.ts),
    // since the layers meant would silently train in the wrong precision.
    // "bert."-prefixed patterns get a better message from the engine's consistency checks.
    const unmatched = unmatchedPatterns(m.layerRules, layers).filter((p) => !p.startsWith('bert.'));
    for (const pattern of unmatched) {
      const suggestion = closestName(pattern, candidates);
      const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
      findings.add('layer-pattern-unmatched', ['layers', pattern], 'key', 'error', `layer pattern "${pattern}" matches no linear layer of the model${hint}`, suggestion === undefined ? undefined : { title: `Change to "${suggestion}"`, newText: JSON.stringify(suggestion) });
    }
  }
  if (m.maxSeqLength !== undefined && m.maxSeqLength > config.maxPositionEmbeddings) {
    findings.add('max-seq-length-too-long', ['train', 'maxSeqLength'], 'value', 'error', `maxSeqLength ${m.maxSeqLength} exceeds the model's max_position_embeddings (${config.maxPositionEmbeddings})`, { title: `Change to ${config.maxPositionEmbeddings}`, newText: String(config.maxPositionEmbeddings) });
  }
}

async function checkData(m: LooseManifest, findings: Findings, ctx: SemanticCheckContext): Promise<void> {
  const data = m.data;
  // Without a format (unknown extension) the engine's checks already say what to set.
  if (data?.format === undefined) return;
  // Squad rows hold nested answers, which the table sampler refuses; engine/squad reads and
  // checks them when the run starts.
  if (m.taskType === 'squad') return;
  for (const role of ['train', 'eval'] as const) {
    const file = data[role];
    if (file === undefined) continue;
    const shown = displayPath(file, m.dir);
    let sample: DataSample;
    try {
      sample = await ctx.data.sample(file, data.format, data.format === 'jsonl' ? false : data.header);
    } catch (e) {
      ctx.token.throwIfCancelled();
      if (errnoCode(e) === 'ENOENT' || (e instanceof OctetError && e.code === 'file-not-found')) {
        findings.add('data-not-found', ['data', role], 'value', 'error', `data file not found: ${shown}`);
      } else {
        findings.add('data-invalid', ['data', role], 'value', 'error', describeError(e, m.dir));
      }
      continue;
    }
    ctx.token.throwIfCancelled();
    const columns = checkColumns(data, sample, shown, findings);
    if (columns.label !== undefined) checkLabels(m, sample, columns.label, shown, findings);
  }
}

/** Reports columns the file lacks; returns the index of the label column when it resolves. */
function checkColumns(data: LooseData, sample: DataSample, shown: string, findings: Findings): { label?: number } {
  const resolved: { label?: number } = {};
  for (const role of ['text', 'textPair', 'label'] as const) {
    const ref: ColumnRef | undefined = data[role];
    if (ref === undefined) continue;
    if (typeof ref === 'number') {
      if (ref >= sample.width) {
        findings.add('column-out-of-range', ['data', role], 'value', 'error', `column index ${ref} is out of range: ${shown} has ${sample.width} column${sample.width === 1 ? '' : 's'} (indexes 0..${sample.width - 1})`);
      } else if (role === 'label') {
        resolved.label = ref;
      }
      continue;
    }
    if (sample.columns === null) {
      // tsv/csv with header: false is reported by the engine's own checks; jsonl arrays are not.
      if (sample.format === 'jsonl') {
        findings.add('column-not-found', ['data', role], 'value', 'error', `${shown} has array lines, whose fields have no names: give a 0-based column index`);
      }
      continue;
    }
    const index = sample.columns.indexOf(ref);
    if (index < 0) {
      const suggestion = closestName(ref, sample.columns);
      const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
      const what = sample.format === 'jsonl' ? 'fields' : 'columns';
      findings.add('column-not-found', ['data', role], 'value', 'error', `column "${ref}" is not in ${shown}${hint}; its ${what} are ${sample.columns.map((c) => `"${c}"`).join(', ')}`, suggestion === undefined ? undefined : { title: `Change to "${suggestion}"`, newText: JSON.stringify(suggestion) });
    } else if (role === 'label') {
      resolved.label = index;
    }
  }
  return resolved;
}

function checkLabels(m: LooseManifest, sample: DataSample, labelColumn: number, shown: string, findings: Findings): void {
  const scope = sample.complete ? '' : ` (first ${Math.min(sample.rows.length, MAX_SAMPLE_ROWS)} rows checked)`;
  if (m.taskType === 'regression') {
    for (const row of sample.rows) {
      const raw = row.fields[labelColumn].trim();
      if (raw !== '' && parseDecimal(raw) === undefined) {
        findings.add('label-not-numeric', ['data', 'label'], 'value', 'error', `a regression task needs numeric labels, but ${shown} line ${row.line} has ${JSON.stringify(raw)} in this column`);
        return;
      }
    }
    return;
  }
  if (m.taskType !== 'classification') return;
  // Where each label value first appears, in file order.
  const firstLine = new Map<string, number>();
  for (const row of sample.rows) {
    const raw = row.fields[labelColumn].trim();
    if (raw !== '' && !firstLine.has(raw)) firstLine.set(raw, row.line);
  }
  if (m.labels !== undefined) {
    const known = new Set(m.labels.map((l) => l.trim()));
    const unknown = [...firstLine].filter(([label]) => !known.has(label));
    if (unknown.length > 0) {
      const listed = unknown.slice(0, MAX_LISTED_LABELS).map(([label, line]) => `${JSON.stringify(label)} (line ${line})`);
      const more = unknown.length > MAX_LISTED_LABELS ? ` and ${unknown.length - MAX_LISTED_LABELS} more` : '';
      findings.add('label-unknown', ['task', 'labels'], 'value', 'error', `${shown} has label${unknown.length === 1 ? '' : 's'} not in task.labels: ${listed.join(', ')}${more}${scope}`);
    }
  } else if (m.numLabels !== undefined && firstLine.size > m.numLabels) {
    findings.add('labels-more-than-num-labels', ['task', 'numLabels'], 'value', 'error', `${shown} has ${firstLine.size} distinct labels${scope}, more than numLabels ${m.numLabels}`);
  }
}

class Findings {
  readonly list: SemanticFinding[] = [];

  constructor(private readonly root: Node | undefined) {}

  add(code: FindingCode, path: JsonPathPart[], anchor: 'value' | 'key', severity: 'error' | 'warning', message: string, fix?: DiagnosticFix): void {
    // The same file checked as train and eval can yield the same finding twice.
    if (this.list.some((f) => f.message === message && f.path.join('\0') === path.join('\0'))) return;
    const finding: SemanticFinding = { code, path, anchor, checkedValue: valueSnapshot(this.root, path, anchor) ?? '', severity, message };
    if (fix !== undefined) finding.fix = fix;
    this.list.push(finding);
  }
}

/**
 * What the finding was computed from: the value's JSON for value findings; for key findings the
 * key itself is the input, and it is part of the path.
 */
export function valueSnapshot(root: Node | undefined, path: readonly JsonPathPart[], anchor: 'value' | 'key'): string | undefined {
  if (anchor === 'key') return findKeyNode(root, path) === undefined ? undefined : '';
  const node = findValueNode(root, path);
  if (node === undefined) return undefined;
  return JSON.stringify(nodeJson(node));
}

/** A small structural copy of the node's value (bounded depth: anchored values are scalars or short lists). */
function nodeJson(node: Node, depth = 0): unknown {
  if (node.type === 'array') return depth > 4 ? '…' : (node.children ?? []).map((c) => nodeJson(c, depth + 1));
  if (node.type === 'object') return depth > 4 ? '…' : (node.children ?? []).map((p) => [p.children?.[0]?.value, p.children?.[1] && nodeJson(p.children[1], depth + 1)]);
  return node.value;
}
