// Hover text that needs the model: on a `layers` key, the layers the pattern matches and the
// precision each ends up with (another, more specific pattern may win); on `model`, a summary of
// the architecture. Schema descriptions come from the JSON language service and are added by
// the caller.
import * as path from 'node:path';
import { type Node, findNodeAtOffset, getNodePath } from 'jsonc-parser';
import { type LayerPrecision, checkLayerPattern, compileLayerPattern, resolveLayerPrecision } from '../engine/manifest';
import { displayPath } from './display-path';
import { type LooseManifest, readLooseManifest } from './loose-manifest';
import { type ModelInspection, type ModelInspector, headForTask, linearLayerNames, parameterCount } from './model-inspection';

/** Layers listed in a hover before "and N more". */
const MAX_LISTED_LAYERS = 24;

export interface HoverTarget {
  /** The hovered key or value node. */
  node: Node;
  kind: 'layer-pattern' | 'model';
  pattern?: string;
}

/** What Octet has to say at `offset`, if anything. */
export function hoverTarget(root: Node | undefined, offset: number): HoverTarget | undefined {
  const node = root === undefined ? undefined : findNodeAtOffset(root, offset);
  if (node?.type !== 'string' || node.parent?.type !== 'property') return undefined;
  const isKey = node.parent.children?.[0] === node;
  const path = getNodePath(node);
  // Only top-level `model` and `layers`: the same names deeper down mean something else.
  if (path.length === 1 && path[0] === 'model') return { node, kind: 'model' };
  if (isKey && path.length === 2 && path[0] === 'layers') return { node, kind: 'layer-pattern', pattern: String(path[1]) };
  return undefined;
}

export async function hoverMarkdown(text: string, manifestPath: string, target: HoverTarget, models: ModelInspector): Promise<string> {
  const manifest = readLooseManifest(text, manifestPath);
  const inspection = manifest.modelFolder === undefined ? undefined : await models.inspect(manifest.modelFolder, manifest.dir);
  return target.kind === 'model' ? modelHover(manifest, inspection) : layerPatternHover(manifest, target.pattern ?? '', inspection);
}

function modelHover(m: LooseManifest, inspection: ModelInspection | undefined): string {
  if (m.modelFolder === undefined || inspection === undefined) return '';
  const shown = displayPath(m.modelFolder, m.dir);
  if (!inspection.ok) return `**Model** \`${shown}\`: ${inspection.problem.message}`;
  const { config, weights, checkpointHead } = inspection.model;
  const task = m.taskType ?? 'classification';
  const head = headForTask(task);
  const architecture = config.architectures.length > 0 ? config.architectures.join(', ') : 'no architectures listed';
  const labels = task === 'classification' || task === 'regression' ? `, ${labelSource(m, config.numLabels)}` : '';
  return [
    `**BERT model** \`${shown}\` (${architecture})`,
    '',
    `- ${config.numHiddenLayers} layers, hidden size ${config.hiddenSize}, ${config.numAttentionHeads} attention heads, feed-forward ${config.intermediateSize}`,
    `- vocabulary of ${formatCount(config.vocabSize)} tokens, up to ${config.maxPositionEmbeddings} positions`,
    `- checkpoint head: ${checkpointHead}; fine-tuned for ${task} with a ${head} head${labels}`,
    `- ${formatCount(parameterCount(config, head))} parameters with that head; ${linearLayerNames(config, head).length} linear layers`,
    `- weights: ${path.basename(weights.file)}, ${weights.dtypes.join('/')}, ${formatBytes(weights.size)}`,
  ].join('\n');
}

function labelSource(m: LooseManifest, configLabels: number): string {
  if (m.taskType === 'regression') return '1 output';
  if (m.labels !== undefined) return `${m.labels.length} labels from task.labels`;
  if (m.numLabels !== undefined) return `${m.numLabels} labels from task.numLabels`;
  return `labels read from the training data (config.json has ${configLabels})`;
}

function layerPatternHover(m: LooseManifest, pattern: string, inspection: ModelInspection | undefined): string {
  const title = `**Layer pattern** \`${pattern}\``;
  const syntax = checkLayerPattern(pattern);
  if (syntax !== undefined) return `${title}: ${syntax}`;
  if (inspection === undefined) return `${title}: set \`model\` to list the layers it matches.`;
  if (!inspection.ok) return `${title}: cannot list the layers it matches: ${inspection.problem.message}`;
  if (m.taskType === undefined) return `${title}: set a valid \`task.type\` to list the layers it matches.`;
  const layers = linearLayerNames(inspection.model.config, headForTask(m.taskType));
  const compiled = compileLayerPattern(pattern);
  const matched = layers.filter((n) => compiled.test(n));
  if (matched.length === 0) return `${title} matches none of the model's ${layers.length} linear layers.`;
  const manifest = { precision: m.precision, layers: m.layerRules };
  const lines = matched.slice(0, MAX_LISTED_LAYERS).map((name) => {
    const resolved = resolveLayerPrecision(manifest, name);
    const decidedBy = resolved.pattern === pattern ? '' : resolved.pattern === undefined ? ' (no pattern applies)' : ` (overridden by \`${resolved.pattern}\`)`;
    return `- \`${name}\`: ${describePrecision(resolved)}${decidedBy}`;
  });
  if (matched.length > MAX_LISTED_LAYERS) lines.push(`- … and ${matched.length - MAX_LISTED_LAYERS} more`);
  return [`${title} matches ${matched.length} of the model's ${layers.length} linear layers:`, '', ...lines].join('\n');
}

function describePrecision(p: LayerPrecision): string {
  if (p.mode !== 'int8-outlier') return p.mode;
  return `int8-outlier, threshold ${p.threshold}${p.thresholdUnits === 'std' ? ' standard deviations' : ' (absolute)'}`;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KB', 'MB', 'GB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
