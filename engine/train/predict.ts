// Predictions for unlabelled rows: the manifest's text columns of any TSV/CSV/JSONL file.
import { resolveColumn } from '../data/columns';
import { readTable } from '../data/table';
import type { Manifest } from '../manifest/types';
import type { InferenceModel } from '../model/inference-model';
import type { BertTokenizer } from '../text/bert-tokenizer';
import { collate, epochBatches } from './batching';
import type { Feature } from './features';
import { tableFormat } from './run-model';
import { predictions, SequenceTask } from './task-head';

export interface Prediction {
  line: number;
  /** Predicted label name (classification) or value (regression). */
  prediction: string | number;
  logits: number[];
}

export async function predictFile(
  file: string,
  manifest: Manifest,
  model: InferenceModel,
  tokenizer: BertTokenizer,
  task: SequenceTask,
  id2label: string[],
  onPrediction: (p: Prediction) => void,
): Promise<number> {
  const d = manifest.data;
  const table = readTable(file, { format: tableFormat(manifest), header: d.header });
  const text = resolveColumn(table, d.text, 'text');
  const pair = d.textPair !== null ? resolveColumn(table, d.textPair, 'textPair') : null;
  const features: Feature[] = table.rows.map((r) => {
    const enc = tokenizer.encode(r.fields[text.index], pair ? r.fields[pair.index] : null, { maxLength: manifest.train.maxSeqLength });
    return { ids: enc.ids, typeIds: enc.tokenTypeIds, label: 0, line: r.line };
  });
  const numLabels = model.config.numLabels;
  for (const indices of epochBatches(features.length, manifest.train.batchSize, 0, 0, false)) {
    const logits = await model.forward(collate(features, indices, tokenizer.vocab.special.pad), false);
    const preds = predictions(task, logits, numLabels);
    indices.forEach((idx, r) => {
      onPrediction({
        line: features[idx].line,
        prediction: task === 'regression' ? preds[r] : id2label[preds[r]],
        logits: Array.from(logits.subarray(r * numLabels, (r + 1) * numLabels)),
      });
    });
  }
  return features.length;
}
