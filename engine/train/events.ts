// The events a training run emits. They are written to the run folder's metrics.jsonl (one JSON
// object a line), printed by `octet train --json`, streamed by the language server and drawn by
// the dashboard: one format everywhere.

export type RunState = 'queued' | 'running' | 'completed' | 'cancelled' | 'failed';

interface EventBase {
  /** Optimizer steps taken so far (after this event's step, for 'train'). */
  step: number;
  /** Fractional epoch, e.g. 1.5 halfway through the second epoch. */
  epoch: number;
  /** Wall-clock milliseconds since the Unix epoch. Not reproducible; everything else is. */
  time: number;
}

/** Start of a run (or of a resumed part of it). */
export interface RunStartEvent extends EventBase {
  type: 'start';
  totalSteps: number;
  mode: string;
  task: string;
  resumedFrom: number | null;
  trainExamples: number;
  evalExamples: number;
  truncated: number;
}

/** One optimizer step. */
export interface TrainStepEvent extends EventBase {
  type: 'train';
  loss: number;
  learningRate: number;
  gradNorm: number;
  tokensPerSecond: number;
  /** Estimated milliseconds to the end of the run. */
  etaMs: number;
}

/** An evaluation on the eval set. `metrics` holds the task's metrics (accuracy, f1, pearson...). */
export interface EvalEvent extends EventBase {
  type: 'eval';
  loss: number;
  metrics: Record<string, number>;
  /** Whether this evaluation is the best so far by the run's metric for the best model. */
  best: boolean;
}

/** Per-layer outlier statistics seen during training (sampled), for the dashboard's table. */
export interface OutlierStatsEvent extends EventBase {
  type: 'outliers';
  layers: { name: string; maxAbs: number; outlierCount: number; outlierColumns: number[]; rows: number }[];
}

export interface CheckpointEvent extends EventBase {
  type: 'checkpoint';
  path: string;
}

export interface RunEndEvent extends EventBase {
  type: 'end';
  state: Exclude<RunState, 'queued' | 'running'>;
  message?: string;
  /** Final eval metrics, when there was an eval set. */
  metrics?: Record<string, number>;
}

export type RunEvent = RunStartEvent | TrainStepEvent | EvalEvent | OutlierStatsEvent | CheckpointEvent | RunEndEvent;
