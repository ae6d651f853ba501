// The model a run trains, built the same way for every task: the manifest's dropout override,
// its maxSeqLength checked against the model's positions, and each linear layer in the precision
// the manifest gives its name.
import type { BertConfig } from '../checkpoint/bert-config';
import { OctetError } from '../errors';
import type { GemmBackend } from '../kernels/backend';
import { closestName } from '../manifest/closest-name';
import { resolveLayerPrecision, unmatchedPatterns } from '../manifest/layer-patterns';
import type { DataFormat as TableFormat } from '../data/formats';
import type { Manifest } from '../manifest/types';
import { BertModel, type SupportedHead } from '../model/bert-model';
import type { LinearPrecision } from '../nn/precision';

export function linearPrecisionFor(manifest: Manifest, layerName: string): LinearPrecision {
  const p = resolveLayerPrecision(manifest, layerName);
  return {
    mode: p.mode,
    threshold: p.threshold,
    thresholdUnits: p.thresholdUnits,
    forwardRounding: p.rounding.forward,
    backwardRounding: p.rounding.backward,
    weightGradReusesSplit: p.weightGradReusesSplit,
    granularity: p.granularity,
    outlierExponent: p.outlierExponent,
  };
}

/** A BertModel with `head` for `config` (already set up for the task), randomly initialised. */
export function createRunModel(manifest: Manifest, backend: GemmBackend, config: BertConfig, head: SupportedHead): BertModel {
  const c: BertConfig = { ...config };
  if (manifest.train.dropout !== undefined) {
    c.hiddenDropoutProb = manifest.train.dropout;
    c.attentionProbsDropoutProb = manifest.train.dropout;
  }
  if (manifest.train.maxSeqLength > c.maxPositionEmbeddings) {
    throw new OctetError('invalid-argument', `maxSeqLength ${manifest.train.maxSeqLength} exceeds the model's ${c.maxPositionEmbeddings} positions`, { file: manifest.manifestPath, field: 'train.maxSeqLength' });
  }
  const layerNames: string[] = [];
  const model = new BertModel(c, head, backend, {
    precisionFor: (name) => {
      layerNames.push(name);
      return linearPrecisionFor(manifest, name);
    },
    seed: manifest.train.seed,
  });
  rejectUnmatchedPatterns(manifest, layerNames);
  return model;
}

/**
 * A `layers` pattern that matches no linear layer is almost always a typo, and running anyway
 * would silently train those layers in the wrong precision, so the run stops and says which
 * pattern, with the nearest real name.
 */
function rejectUnmatchedPatterns(manifest: Manifest, layerNames: readonly string[]): void {
  const unmatched = unmatchedPatterns(manifest.layers, layerNames);
  if (unmatched.length === 0) return;
  const pattern = unmatched[0];
  // Layer numbers generalised to "*", the way patterns are usually written.
  const generalised = [...new Set(layerNames.map((n) => n.replace(/\.\d+\./g, '.*.')))];
  const suggestion = closestName(pattern, [...generalised, ...layerNames]);
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  const examples = generalised.slice(0, 6).join(', ');
  const message = `layer pattern "${pattern}" matches no linear layer of the model${hint}; its linear layers are named like: ${examples}`;
  throw new OctetError('invalid-argument', message, { file: manifest.manifestPath, field: `layers["${pattern}"]` });
}

/**
 * The manifest's data format as the table readers know it. SQuAD JSON and plain text have their
 * own readers (engine/squad, engine/mlm); the manifest checks keep them to squad and mlm tasks,
 * so a table reader never sees them.
 */
export function tableFormat(manifest: Manifest): TableFormat {
  const f = manifest.data.format;
  if (f === 'json') {
    throw new OctetError('unsupported', `json (SQuAD JSON) data is read only for squad tasks, not ${manifest.task.type}`, { file: manifest.manifestPath, field: 'data.format' });
  }
  if (f === 'text') {
    throw new OctetError('unsupported', `text (plain text) data is read only for mlm tasks, not ${manifest.task.type}`, { file: manifest.manifestPath, field: 'data.format' });
  }
  return f;
}
