// Everything a classification or regression run needs, built from the manifest: tokenizer, data,
// label map and the model (from the manifest's model folder or a checkpoint), with each linear
// layer in the precision the manifest gives its name. Squad has its own (engine/squad/setup.ts).
import { loadBertCheckpoint, type BertCheckpoint } from '../checkpoint/bert-weights';
import type { BertConfig } from '../checkpoint/bert-config';
import { loadExamples } from '../data/examples';
import { OctetError } from '../errors';
import type { GemmBackend } from '../kernels/backend';
import type { Manifest } from '../manifest/types';
import type { BertModel } from '../model/bert-model';
import { loadBertTokenizer } from '../text/load-bert-tokenizer';
import type { BertTokenizer } from '../text/bert-tokenizer';
import { encodeExamples, type FeatureSet } from './features';
import { createRunModel, tableFormat } from './run-model';
import type { SequenceTask } from './task-head';

export { linearPrecisionFor } from './run-model';

export interface RunSetup {
  manifest: Manifest;
  task: SequenceTask;
  tokenizer: BertTokenizer;
  model: BertModel;
  checkpoint: BertCheckpoint;
  id2label: string[];
  numLabels: number;
  positiveClass: number;
  train: FeatureSet | null;
  eval: FeatureSet | null;
  /** Things the user should know, e.g. a freshly initialised classifier. */
  notes: string[];
}

export interface SetupOptions {
  /** Load weights from this HF folder instead of the manifest's model. */
  modelDir?: string;
  loadTrain: boolean;
  loadEval: boolean;
}

export function sequenceTask(manifest: Manifest): SequenceTask {
  const t = manifest.task.type;
  if (t === 'classification' || t === 'regression') return t;
  const message = `${t} runs are set up by setupFineTuning (engine/${t}), not as a sentence task`;
  throw new OctetError('unsupported', message, { file: manifest.manifestPath, field: 'task.type' });
}

/** The class binary metrics (f1) count as positive: the manifest's positiveLabel, else class 1. */
export function positiveClassOf(manifest: Manifest, id2label: readonly string[], numLabels: number): number {
  const positiveLabel = manifest.task.positiveLabel;
  return positiveLabel !== undefined ? id2label.indexOf(positiveLabel) : Math.min(1, numLabels - 1);
}

export async function setupRun(manifest: Manifest, backend: GemmBackend, o: SetupOptions): Promise<RunSetup> {
  const task = sequenceTask(manifest);
  const modelDir = o.modelDir ?? manifest.model;
  const checkpoint = await loadBertCheckpoint(modelDir, { head: 'sequence-classification' });
  const tokenizer = loadBertTokenizer(modelDir);
  const d = manifest.data;
  const columns = { format: tableFormat(manifest), header: d.header, text: d.text, textPair: d.textPair, label: d.label };
  const notes: string[] = [];

  // The label map: explicit in the manifest, else the one saved with a fine-tuned model, else
  // read from the training data (sorted). Evaluation data must use the same map.
  const saved = checkpoint.config.id2label;
  const savedIsReal = !checkpoint.missing.includes('classifier.weight') && !saved.every((l, i) => l === `LABEL_${i}`);
  let id2label: string[] = manifest.task.labels ?? (savedIsReal && task === 'classification' ? saved : []);
  const trainExamples = o.loadTrain
    ? task === 'classification'
      ? loadExamples({ path: d.train, ...columns, kind: 'classification', labels: id2label.length ? id2label : undefined })
      : loadExamples({ path: d.train, ...columns, kind: 'regression' })
    : null;
  if (trainExamples?.kind === 'classification') id2label = trainExamples.id2label;
  if (task === 'classification' && id2label.length === 0) {
    throw new OctetError('invalid-argument', 'no label map: give task.labels in the manifest, or load the training data', { file: manifest.manifestPath, field: 'task.labels' });
  }
  const evalExamples = o.loadEval && d.eval
    ? task === 'classification'
      ? loadExamples({ path: d.eval, ...columns, kind: 'classification', labels: id2label })
      : loadExamples({ path: d.eval, ...columns, kind: 'regression' })
    : null;

  const numLabels = task === 'regression' ? 1 : id2label.length;
  const config: BertConfig = {
    ...checkpoint.config,
    numLabels,
    id2label: task === 'regression' ? ['LABEL_0'] : id2label,
    label2id: Object.fromEntries((task === 'regression' ? ['LABEL_0'] : id2label).map((l, i) => [l, i])),
    problemType: task === 'regression' ? 'regression' : 'single_label_classification',
    architectures: ['BertForSequenceClassification'],
  };
  const model = createRunModel(manifest, backend, config, 'sequence-classification');
  const tensors = new Map(checkpoint.tensors);
  const headFits = !checkpoint.missing.includes('classifier.weight') && checkpoint.config.numLabels === numLabels;
  if (!headFits) {
    tensors.delete('classifier.weight');
    tensors.delete('classifier.bias');
    notes.push(`classifier initialised for ${numLabels} ${task === 'regression' ? 'output' : 'labels'} (the model had ${checkpoint.missing.includes('classifier.weight') ? 'none' : checkpoint.config.numLabels})`);
  }
  if (checkpoint.missing.includes('pooler.dense.weight')) notes.push('pooler initialised (the model had none)');
  model.loadTensors(tensors);

  const maxLen = manifest.train.maxSeqLength;
  const train = trainExamples ? encodeExamples(trainExamples.examples, tokenizer, maxLen, d.train) : null;
  const evalSet = evalExamples && d.eval ? encodeExamples(evalExamples.examples, tokenizer, maxLen, d.eval) : null;
  const positiveClass = positiveClassOf(manifest, id2label, numLabels);
  return { manifest, task, tokenizer, model, checkpoint, id2label, numLabels, positiveClass, train, eval: evalSet, notes };
}
