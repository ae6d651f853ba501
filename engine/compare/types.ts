// The comparison's result: what `octet compare --json` prints and <output>/compare/summary.json
// holds (the dashboard reads it to overlay the runs). Add fields freely; bump
// COMPARE_FORMAT_VERSION when one changes meaning or goes away. Numbers are finite or null.
import type { PrecisionMode } from '../nn/precision';
import type { SyntheticOutlierNote } from '../profile/types';

export const COMPARE_FORMAT_VERSION = 1;

export interface CompareRun {
  mode: PrecisionMode;
  seed: number;
  /** Absolute path of the run folder (<output>/compare/<mode>-s<seed>). */
  runDir: string;
  /** 'reused': the folder already held this finished run (same manifest), so it was not trained again. */
  origin: 'trained' | 'resumed' | 'reused';
  steps: number;
  /** Eval metrics (and the eval loss) of the best evaluation: the weights in the run's model/ folder. */
  metrics: Record<string, number>;
  bestStep: number;
  /** Eval metrics of the last evaluation. */
  finalMetrics: Record<string, number>;
  /** Training time: of this invocation, or for a reused run the time its events span. */
  elapsedMs: number;
}

export interface MetricSummary {
  mean: number;
  /** Sample standard deviation over seeds (n - 1); null with one seed. */
  std: number | null;
  values: number[];
}

export interface ModeSummary {
  mode: PrecisionMode;
  runs: number;
  metrics: Record<string, MetricSummary>;
  /** Primary metric: mean(mode) - mean(fp32); null without an fp32 row. */
  gapToFp32: number | null;
  /** |gapToFp32| over the larger of the two modes' standard deviations; null when undefined. */
  gapInStd: number | null;
}

export interface CompareSummary {
  format: 'octet-compare';
  version: typeof COMPARE_FORMAT_VERSION;
  manifestPath: string;
  modelDir: string;
  synthetic: SyntheticOutlierNote | null;
  task: string;
  /** The manifest's metric for the best model: the one the gaps are computed on. */
  primaryMetric: string;
  greaterIsBetter: boolean;
  modes: PrecisionMode[];
  seeds: number[];
  runs: CompareRun[];
  byMode: ModeSummary[];
  /**
   * Share of the int8 gap the outlier treatment closes, on the primary metric:
   * (int8-outlier - int8) / (fp32 - int8). null when a mode is missing or int8 is not worse than
   * fp32 (no gap to close).
   */
  gapClosed: number | null;
  startedAt: string;
  finishedAt: string;
}
