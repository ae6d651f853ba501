// What the training loop needs from a task, so classification, regression, squad and mlm share one
// loop (trainer.ts) without special cases in it: batches of model inputs that know their own
// loss, and an evaluation that reports the task's metrics.
import type { TaskType } from '../manifest/types';
import type { BertModel } from '../model/bert-model';
import type { InferenceModel } from '../model/inference-model';
import type { TokenBatch } from '../model/batch';
import type { BertTokenizer } from '../text/bert-tokenizer';
import type { LossAndGrad } from './task-head';

/** One batch of training inputs with its targets. */
export interface TrainingBatch {
  input: TokenBatch;
  /** The mean loss of the model's output for this batch, and its gradient. */
  lossAndGrad(logits: Float32Array): LossAndGrad;
}

export interface TaskEvaluation {
  /** Examples scored: rows, questions for squad, sequences for mlm. */
  examples: number;
  /** Mean loss over the eval inputs. */
  loss: number;
  /** The task's metrics under the names the manifest uses (accuracy, f1, exactMatch...). */
  metrics: Record<string, number>;
  /**
   * Per-example predictions in the task's own published format (squad: {id: answer}), written to
   * the run folder as predictions.json when the evaluation is the best so far; absent when the
   * task has none beyond the metrics.
   */
  predictionsJson?: unknown;
}

export interface FineTuningTask {
  readonly type: TaskType;
  /** Training inputs: rows, windows of a context for squad, packed sequences for mlm. Epochs shuffle these. */
  readonly trainSize: number;
  /** Eval inputs (0 without eval data). */
  readonly evalSize: number;
  /** Training examples that lost tokens to maxSeqLength (squad windows lose none). */
  readonly truncatedExamples: number;
  /**
   * The training inputs at `indices`, padded to the longest. `epoch` lets a task vary its inputs
   * per epoch reproducibly (mlm draws new masks each epoch from the seed, the epoch and the index).
   */
  trainBatch(indices: readonly number[], epoch: number): TrainingBatch;
  /** Loss and metrics on the eval data; null when the manifest has none. */
  evaluate(model: InferenceModel, batchSize: number): Promise<TaskEvaluation | null>;
}

/** A run ready to train: the model, its tokenizer and the task over the manifest's data. */
export interface FineTuningSetup {
  model: BertModel;
  tokenizer: BertTokenizer;
  task: FineTuningTask;
  /** Label names by class id (classification); [] for other tasks. For run.json. */
  id2label: string[];
  /** Things the user should know, e.g. a freshly initialised head. */
  notes: string[];
}
