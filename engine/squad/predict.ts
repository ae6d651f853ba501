// Answers for the questions of a file (SQuAD JSON or JSONL; answers in it are not read), in file
// order, for `octet predict`.
import { formatForTask } from '../manifest/data-format';
import type { Manifest } from '../manifest/types';
import type { InferenceModel } from '../model/inference-model';
import type { BertTokenizer } from '../text/bert-tokenizer';
import { predictAnswers } from './answers';
import { inferWindows } from './infer';
import { loadSquadExamples } from './load';
import { squadSettings } from './settings';
import { buildWindows } from './windows';

export interface SquadPrediction {
  id: string;
  /** The answer text, exactly as it appears in the context; '' for no answer (SQuAD 2.0). */
  answer: string;
  /** Start plus end logit of the answer's span. */
  score: number;
}

/** Returns the number of questions answered. */
export async function predictSquadFile(
  file: string,
  manifest: Manifest,
  model: InferenceModel,
  tokenizer: BertTokenizer,
  onPrediction: (p: SquadPrediction) => void,
): Promise<number> {
  const s = squadSettings(manifest);
  const examples = loadSquadExamples({ file, format: inputFormat(file, manifest), fields: s.fields, version2: s.version2, ignoreAnswers: true });
  const windows = buildWindows(examples, tokenizer, s);
  const { logits } = await inferWindows(model, windows, manifest.train.batchSize, tokenizer.vocab.special.pad);
  for (const a of predictAnswers(examples, windows, logits, s)) onPrediction({ id: a.id, answer: a.text, score: a.score });
  return examples.length;
}

/** The input's own extension first (questions as .jsonl next to SQuAD JSON training data), else the manifest's format. */
function inputFormat(file: string, manifest: Manifest): 'json' | 'jsonl' {
  const fromExtension = formatForTask(file, 'squad');
  if (fromExtension === 'json' || fromExtension === 'jsonl') return fromExtension;
  return manifest.data.format === 'json' ? 'json' : 'jsonl';
}
