// Everything a squad run needs: the model with a question-answering head (qa_outputs; a
// BertForQuestionAnswering checkpoint keeps its own), the tokenizer, and the questions of the
// manifest's data cut into windows.
import { loadBertCheckpoint } from '../checkpoint/bert-weights';
import type { BertConfig } from '../checkpoint/bert-config';
import type { GemmBackend } from '../kernels/backend';
import type { Manifest } from '../manifest/types';
import type { BertModel } from '../model/bert-model';
import { loadBertTokenizer } from '../text/load-bert-tokenizer';
import type { BertTokenizer } from '../text/bert-tokenizer';
import { createRunModel } from '../train/run-model';
import type { SetupOptions } from '../train/setup';
import type { FineTuningSetup } from '../train/task';
import { OctetError } from '../errors';
import { loadSquadExamples } from './load';
import { squadSettings, type SquadSettings } from './settings';
import { squadFineTuningTask, type SquadSet } from './squad-task';
import { buildWindows } from './windows';

const QA_WEIGHT = 'qa_outputs.weight';

export interface SquadModel {
  model: BertModel;
  tokenizer: BertTokenizer;
  notes: string[];
}

export async function loadSquadModel(manifest: Manifest, backend: GemmBackend, modelDir: string): Promise<SquadModel> {
  const checkpoint = await loadBertCheckpoint(modelDir, { head: 'question-answering' });
  const tokenizer = loadBertTokenizer(modelDir);
  const config: BertConfig = { ...checkpoint.config, problemType: null, architectures: ['BertForQuestionAnswering'] };
  const model = createRunModel(manifest, backend, config, 'question-answering');
  const notes: string[] = [];
  // Without qa_outputs in the file the head keeps its seeded random initialisation.
  if (checkpoint.missing.includes(QA_WEIGHT)) notes.push('qa_outputs initialised (the model had no question-answering head)');
  model.loadTensors(checkpoint.tensors);
  return { model, tokenizer, notes };
}

/** The questions of a squad data file (the manifest's format) and their windows. */
export function loadSquadSet(manifest: Manifest, file: string, tokenizer: BertTokenizer, s: SquadSettings = squadSettings(manifest)): SquadSet {
  const format = manifest.data.format;
  if (format !== 'json' && format !== 'jsonl') {
    throw new OctetError('unsupported', `squad data is SQuAD JSON or jsonl, not ${format}`, { file: manifest.manifestPath, field: 'data.format' });
  }
  const examples = loadSquadExamples({ file, format, fields: s.fields, version2: s.version2 });
  return { examples, windows: buildWindows(examples, tokenizer, s) };
}

export async function setupSquadFineTuning(manifest: Manifest, backend: GemmBackend, o: SetupOptions): Promise<FineTuningSetup> {
  const { model, tokenizer, notes } = await loadSquadModel(manifest, backend, o.modelDir ?? manifest.model);
  const s = squadSettings(manifest);
  const train = o.loadTrain ? loadSquadSet(manifest, manifest.data.train, tokenizer, s) : null;
  const evalSet = o.loadEval && manifest.data.eval ? loadSquadSet(manifest, manifest.data.eval, tokenizer, s) : null;
  for (const [what, set] of [['training', train], ['eval', evalSet]] as const) {
    if (set) notes.push(`${what} data: ${set.examples.length} questions in ${set.windows.length} windows`);
  }
  const task = squadFineTuningTask(train, evalSet, tokenizer.vocab.special.pad, s);
  return { model, tokenizer, task, id2label: [], notes };
}
