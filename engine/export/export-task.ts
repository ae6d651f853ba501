// The manifest's eval data (or a file to predict) for an exported model: tokenized with the
// tokenizer in the export's folder and labelled with its label map, batched as Octet batches it
// (train.batchSize), so the exported model sees exactly the batches Octet's own evaluation does.
import { loadExamples } from '../data/examples';
import { OctetError } from '../errors';
import type { Manifest } from '../manifest/types';
import { loadSquadSet } from '../squad/setup';
import { squadSettings } from '../squad/settings';
import { squadFineTuningTask } from '../squad/squad-task';
import type { BertTokenizer } from '../text/bert-tokenizer';
import { loadBertTokenizer } from '../text/load-bert-tokenizer';
import { encodeExamples } from '../train/features';
import { tableFormat } from '../train/run-model';
import { sequenceFineTuningTask } from '../train/sequence-task';
import { positiveClassOf, sequenceTask } from '../train/setup';
import type { FineTuningTask } from '../train/task';
import type { OnnxBertModel } from './onnx-model';

/** The export's task must be the manifest's: the head and the label map were made for it. */
export function checkTaskMatches(manifest: Manifest, model: OnnxBertModel): void {
  if (model.sidecar.task !== manifest.task.type) {
    throw new OctetError('invalid-argument', `the exported model was made for a ${model.sidecar.task} task, the manifest's task is ${manifest.task.type}`, { file: model.onnxFile });
  }
}

export function exportTokenizer(model: OnnxBertModel): BertTokenizer {
  return loadBertTokenizer(model.folder);
}

/** The evaluation task over the manifest's data.eval, for the exported model. */
export function exportEvalTask(manifest: Manifest, model: OnnxBertModel, tokenizer: BertTokenizer): FineTuningTask {
  checkTaskMatches(manifest, model);
  const d = manifest.data;
  if (!d.eval) throw new OctetError('invalid-argument', 'the manifest has no data.eval file to evaluate on', { file: manifest.manifestPath, field: 'data.eval' });
  const padId = tokenizer.vocab.special.pad;
  if (manifest.task.type === 'squad') {
    const s = squadSettings(manifest);
    return squadFineTuningTask(null, loadSquadSet(manifest, d.eval, tokenizer, s), padId, s);
  }
  const task = sequenceTask(manifest);
  const columns = { format: tableFormat(manifest), header: d.header, text: d.text, textPair: d.textPair, label: d.label };
  const id2label = model.sidecar.labels;
  const examples = task === 'classification'
    ? loadExamples({ path: d.eval, ...columns, kind: 'classification', labels: id2label })
    : loadExamples({ path: d.eval, ...columns, kind: 'regression' });
  const numLabels = task === 'regression' ? 1 : id2label.length;
  const evalSet = encodeExamples(examples.examples, tokenizer, manifest.train.maxSeqLength, d.eval);
  return sequenceFineTuningTask({ tokenizer, task, numLabels, positiveClass: positiveClassOf(manifest, id2label, numLabels), train: null, eval: evalSet });
}
