// Everything an mlm run needs: the model with a masked-LM head (a BertForMaskedLM checkpoint
// keeps its own; a bare encoder or a fine-tuned classifier gets a fresh one, its pooler and
// classifier left out), the tokenizer, and the manifest's texts packed into sequences.
import { loadBertCheckpoint } from '../checkpoint/bert-weights';
import type { BertConfig } from '../checkpoint/bert-config';
import { OctetError } from '../errors';
import type { GemmBackend } from '../kernels/backend';
import type { Manifest } from '../manifest/types';
import type { BertTokenizer } from '../text/bert-tokenizer';
import { loadBertTokenizer } from '../text/load-bert-tokenizer';
import { createRunModel } from '../train/run-model';
import type { SetupOptions } from '../train/setup';
import type { FineTuningSetup } from '../train/task';
import type { MaskingOptions } from './masking';
import { mlmFineTuningTask } from './mlm-task';
import { packSequences, type MlmSequenceSet } from './sequences';
import { loadMlmTexts } from './texts';

const HEAD_PREFIX = 'cls.predictions.';

export function maskingOptions(manifest: Manifest, tokenizer: BertTokenizer): MaskingOptions {
  const s = tokenizer.vocab.special;
  return {
    probability: manifest.train.mlmProbability ?? 0.15,
    maskId: s.mask,
    vocabSize: tokenizer.vocab.size,
    specialIds: new Set([s.pad, s.cls, s.sep, s.mask, s.unk]),
  };
}

function loadSequences(manifest: Manifest, file: string, tokenizer: BertTokenizer): MlmSequenceSet {
  return packSequences(loadMlmTexts(manifest, file), tokenizer, manifest.train.maxSeqLength, file);
}

export async function setupMlmFineTuning(manifest: Manifest, backend: GemmBackend, o: SetupOptions): Promise<FineTuningSetup> {
  const modelDir = o.modelDir ?? manifest.model;
  const checkpoint = await loadBertCheckpoint(modelDir, { head: 'masked-lm' });
  const tokenizer = loadBertTokenizer(modelDir);
  if (tokenizer.vocab.size > checkpoint.config.vocabSize) {
    throw new OctetError('shape-mismatch', `the tokenizer has ${tokenizer.vocab.size} tokens but the model's vocab_size is ${checkpoint.config.vocabSize}`, { file: modelDir });
  }
  const config: BertConfig = { ...checkpoint.config, problemType: null, architectures: ['BertForMaskedLM'] };
  const model = createRunModel(manifest, backend, config, 'masked-lm');
  const notes: string[] = [];
  // Without the head in the file it keeps its seeded initialisation; the decoder is the word
  // embeddings, so only the transform and the output bias are new.
  if (checkpoint.missing.some((n) => n.startsWith(HEAD_PREFIX))) notes.push('cls.predictions initialised (the model had no masked-LM head)');
  model.loadTensors(checkpoint.tensors);

  const train = o.loadTrain ? loadSequences(manifest, manifest.data.train, tokenizer) : null;
  const evalSet = o.loadEval && manifest.data.eval ? loadSequences(manifest, manifest.data.eval, tokenizer) : null;
  for (const [what, set] of [['training', train], ['eval', evalSet]] as const) {
    if (!set) continue;
    notes.push(`${what} data: ${set.texts} texts packed into ${set.sequences.length} sequences of up to ${manifest.train.maxSeqLength} tokens (${set.tokens} tokens)`);
    if (set.splitTexts > 0) notes.push(`${what} data: ${set.splitTexts} texts longer than a sequence were split into pieces`);
  }
  const task = mlmFineTuningTask(train, evalSet, {
    seed: manifest.train.seed,
    masking: maskingOptions(manifest, tokenizer),
    padId: tokenizer.vocab.special.pad,
    vocab: config.vocabSize,
  });
  return { model, tokenizer, task, id2label: [], notes };
}
