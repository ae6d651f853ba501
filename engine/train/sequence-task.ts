// Classification and regression as a FineTuningTask: one input per data row, the label as the
// target, cross-entropy or MSE on the classifier's logits.
import type { GemmBackend } from '../kernels/backend';
import type { Manifest } from '../manifest/types';
import { collate } from './batching';
import { evaluate } from './evaluate';
import { setupRun, type RunSetup, type SetupOptions } from './setup';
import type { FineTuningSetup, FineTuningTask } from './task';
import { lossAndGrad } from './task-head';

/** The parts of a run's setup the task reads (an exported model's folder supplies them too). */
export type SequenceTaskParts = Pick<RunSetup, 'tokenizer' | 'task' | 'numLabels' | 'positiveClass' | 'train' | 'eval'>;

export function sequenceFineTuningTask(setup: SequenceTaskParts): FineTuningTask {
  const padId = setup.tokenizer.vocab.special.pad;
  const { task, numLabels, positiveClass } = setup;
  const train = setup.train;
  const evalSet = setup.eval;
  return {
    type: task,
    trainSize: train?.features.length ?? 0,
    evalSize: evalSet?.features.length ?? 0,
    truncatedExamples: train?.truncatedExamples ?? 0,
    trainBatch(indices) {
      if (!train) throw new Error('unreachable: the trainer sets up with training data');
      const input = collate(train.features, indices, padId);
      return { input, lossAndGrad: (logits) => lossAndGrad(task, logits, input.labels, numLabels) };
    },
    async evaluate(model, batchSize) {
      if (!evalSet) return null;
      const r = await evaluate(model, evalSet.features, { task, numLabels, positiveClass, batchSize, padId });
      return { examples: evalSet.features.length, loss: r.loss, metrics: r.metrics };
    },
  };
}

export async function setupSequenceFineTuning(manifest: Manifest, backend: GemmBackend, o: SetupOptions): Promise<FineTuningSetup> {
  const setup = await setupRun(manifest, backend, o);
  return { model: setup.model, tokenizer: setup.tokenizer, task: sequenceFineTuningTask(setup), id2label: setup.id2label, notes: setup.notes };
}
