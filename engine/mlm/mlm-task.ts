// Masked-LM as a FineTuningTask (engine/train/task.ts): packed sequences are the training
// inputs, masked afresh each epoch from (seed, epoch, index); evaluation scores the eval
// sequences under one fixed set of masks and reports the loss per masked token, its perplexity
// and the share of masked tokens predicted right.
import { OctetError } from '../errors';
import type { InferenceModel } from '../model/inference-model';
import { epochBatches } from '../train/batching';
import type { FineTuningTask, TaskEvaluation } from '../train/task';
import { collateMasked } from './collate';
import { EVAL_STREAM, maskSeed, maskSequence, type MaskingOptions } from './masking';
import { mlmLossAndGrad, mlmScores } from './mlm-loss';
import type { MlmSequenceSet } from './sequences';

export interface MlmTaskOptions {
  seed: number;
  masking: MaskingOptions;
  padId: number;
  /** Rows of the decoder: the model's vocabulary size. */
  vocab: number;
}

export function mlmFineTuningTask(train: MlmSequenceSet | null, evalSet: MlmSequenceSet | null, o: MlmTaskOptions): FineTuningTask {
  const masked = (set: MlmSequenceSet, stream: number, index: number) =>
    maskSequence(set.sequences[index]!.ids, o.masking, maskSeed(o.seed, stream, index));
  return {
    type: 'mlm',
    trainSize: train?.sequences.length ?? 0,
    evalSize: evalSet?.sequences.length ?? 0,
    // Texts longer than a sequence are split, not truncated.
    truncatedExamples: 0,
    trainBatch(indices, epoch) {
      if (!train) throw new Error('unreachable: the trainer sets up with training data');
      const input = collateMasked(indices.map((i) => masked(train, epoch, i)), o.padId);
      return { input, lossAndGrad: (logits) => mlmLossAndGrad(logits, input.labels, o.vocab) };
    },
    async evaluate(model, batchSize) {
      if (!evalSet) return null;
      return evaluateMlm(model, evalSet, batchSize, (i) => masked(evalSet, EVAL_STREAM, i), o);
    },
  };
}

async function evaluateMlm(
  model: InferenceModel,
  set: MlmSequenceSet,
  batchSize: number,
  maskedAt: (index: number) => ReturnType<typeof maskSequence>,
  o: MlmTaskOptions,
): Promise<TaskEvaluation> {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  for (const indices of epochBatches(set.sequences.length, batchSize, 0, 0, false)) {
    const b = collateMasked(indices.map(maskedAt), o.padId);
    if (b.labels.length === 0) continue;
    const s = mlmScores(await model.forward(b, false), b.labels, o.vocab);
    lossSum += s.lossSum;
    correct += s.correct;
    count += b.labels.length;
  }
  if (count === 0) throw new OctetError('malformed-file', 'the eval data is too short: no token was chosen for prediction (add text)', { field: 'data.eval' });
  // Per masked token, as BertForMaskedLM's loss and run_mlm.py's perplexity.
  const loss = lossSum / count;
  return { examples: set.sequences.length, loss, metrics: { accuracy: correct / count, perplexity: Math.exp(loss) } };
}
