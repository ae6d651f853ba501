// Squad as a FineTuningTask (engine/train/task.ts): the windows are the training inputs, the
// loss is qaLossAndGrad, and evaluation answers every question (answers.ts) and scores the
// answers against the gold ones with the official exact match and F1.
import type { InferenceModel } from '../model/inference-model';
import type { FineTuningTask } from '../train/task';
import { predictAnswers, type AnswerOptions, type PredictedAnswer } from './answers';
import { collateWindows } from './collate';
import type { SquadExample } from './examples';
import { inferWindows } from './infer';
import { qaLossAndGrad } from './qa-loss';
import { squadMetrics } from './scores';
import type { SquadWindow } from './windows';

/** Questions and the windows built from them. */
export interface SquadSet {
  examples: SquadExample[];
  windows: SquadWindow[];
}

export function squadFineTuningTask(train: SquadSet | null, evalSet: SquadSet | null, padId: number, o: AnswerOptions): FineTuningTask {
  return {
    type: 'squad',
    trainSize: train?.windows.length ?? 0,
    evalSize: evalSet?.windows.length ?? 0,
    truncatedExamples: 0,
    trainBatch(indices) {
      if (!train) throw new Error('unreachable: the trainer sets up with training data');
      const input = collateWindows(train.windows, indices, padId);
      return { input, lossAndGrad: (logits) => qaLossAndGrad(logits, input) };
    },
    async evaluate(model, batchSize) {
      if (!evalSet) return null;
      const r = await evaluateSquad(model, evalSet, batchSize, padId, o);
      return { examples: evalSet.examples.length, loss: r.loss, metrics: r.metrics, predictionsJson: r.predictionsJson };
    },
  };
}

export interface SquadEvaluation {
  loss: number;
  metrics: { exactMatch: number; f1: number };
  answers: PredictedAnswer[];
  /** The official predictions file: {question id: answer text}. */
  predictionsJson: Record<string, string>;
}

export async function evaluateSquad(model: InferenceModel, set: SquadSet, batchSize: number, padId: number, o: AnswerOptions): Promise<SquadEvaluation> {
  const { logits, loss } = await inferWindows(model, set.windows, batchSize, padId);
  const answers = predictAnswers(set.examples, set.windows, logits, o);
  const metrics = squadMetrics(set.examples, answers.map((a) => a.text));
  const predictionsJson = Object.fromEntries(answers.map((a) => [a.id, a.text]));
  return { loss, metrics, answers, predictionsJson };
}
