// Messages between the extension host and the training dashboard webview. Shared by both sides:
// the host imports these types, the webview bundle implements them. No DOM or vscode types here.
//
// Flow (the host owns all history; the webview holds nothing it cannot be sent again):
//   webview -> host  {type:'ready'}             once its script has loaded and listens
//   host -> webview  {type:'reset', runs}        the run history; clears everything sent before
//                                                 (events, profile, comparison)
//   host -> webview  {type:'events', runId, events}   for each run, the full event history so
//                                                 far, then new events in batches as they come
//   host -> webview  {type:'profile', layers}    per-layer outlier profile (when there is one)
//   host -> webview  {type:'comparison', rows}   mode comparison (when there is one)
//   host -> webview  {type:'theme'}              the color theme changed (redraw canvases)
//   webview -> host  {type:'openRun', runId}     the user picked a run in the history list;
//                                                 the host answers with its 'events' if not sent
//   webview -> host  {type:'cancel', runId}      the user pressed Cancel on a running run
// When the panel is shown again after its webview was discarded, it posts 'ready' again and the
// host replays the same sequence: reset, every run's events, profile, comparison.

import type { RunEvent, RunState } from '../engine/train/events';

export type { RunEvent, RunState } from '../engine/train/events';

/** One run in the history list. */
export interface RunSummary {
  runId: string;
  /** Display name (e.g. the run folder's name). Defaults to runId. */
  label?: string;
  /** Precision mode: 'fp32' | 'int8' | 'int8-outlier' (any string is drawn). */
  mode: string;
  task: string;
  state: RunState;
  /** Wall-clock ms since the Unix epoch. */
  startedAt: number;
  endedAt?: number;
  /** Seed, for runs that are part of a multi-seed comparison. */
  seed?: number;
  /** Final (or best) eval metrics, when known. */
  metrics?: Record<string, number>;
}

/** Activation outlier statistics of one linear layer's input, from `octet profile`. */
export interface LayerProfile {
  /** Layer name, e.g. 'bert.encoder.layer.3.output.dense'. */
  name: string;
  maxAbs: number;
  std: number;
  kurtosis: number;
  /** Share (0..1) of activation entries beyond the outlier threshold. */
  outlierFraction: number;
  /** Input columns holding outliers and how many outlier entries each held. */
  outlierColumns: { column: number; count: number }[];
  /** Columns in the layer's input (hidden width). Optional: the heatmap strip is scaled by it. */
  inputColumns?: number;
  /** Signal-to-quantization-noise ratio of plain int8 quantization, in dB. */
  sqnrInt8Db: number;
  /** SQNR with outliers tiled into 12-bit hi/lo int8 parts, in dB. */
  sqnrTiledDb: number;
  verdict: 'ok' | 'outlier-heavy';
  recommendedMode: string;
}

/** One (mode, metric) cell of a multi-seed comparison. */
export interface ComparisonRow {
  mode: string;
  /** Metric key as in eval events' `metrics` (f1, accuracy, pearson, exactMatch, ...). */
  metric: string;
  mean: number;
  std: number;
  /** The seeds the mean and std are over. */
  seeds: number[];
  /** mean - fp32 mean (0 for fp32 itself); null when there is no fp32 row for this metric. */
  gapToFp32: number | null;
  /**
   * Share of the int8 -> fp32 gap this mode closes: (mean - int8) / (fp32 - int8); 1 for fp32,
   * 0 for int8; null when undefined (no int8 or fp32 row, or no gap).
   */
  gapClosed: number | null;
  /** Runs the row is computed from; their curves are overlaid in the comparison view. */
  runIds?: string[];
}

export interface ResetMessage {
  type: 'reset';
  runs: RunSummary[];
}

export interface EventsMessage {
  type: 'events';
  runId: string;
  events: RunEvent[];
}

export interface ProfileMessage {
  type: 'profile';
  layers: LayerProfile[];
}

export interface ComparisonMessage {
  type: 'comparison';
  rows: ComparisonRow[];
}

export interface ThemeMessage {
  type: 'theme';
}

export type HostToWebviewMessage = ResetMessage | EventsMessage | ProfileMessage | ComparisonMessage | ThemeMessage;

export interface ReadyMessage {
  type: 'ready';
}

export interface OpenRunMessage {
  type: 'openRun';
  runId: string;
}

export interface CancelMessage {
  type: 'cancel';
  runId: string;
}

export type WebviewToHostMessage = ReadyMessage | OpenRunMessage | CancelMessage;

const HOST_TYPES: ReadonlySet<string> = new Set(['reset', 'events', 'profile', 'comparison', 'theme']);

/** Whether a value received by the webview is one of the host's messages (others are ignored). */
export function isHostToWebviewMessage(value: unknown): value is HostToWebviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !HOST_TYPES.has(type)) return false;
  const v = value as Record<string, unknown>;
  switch (type) {
    case 'reset':
      return Array.isArray(v.runs);
    case 'events':
      return typeof v.runId === 'string' && Array.isArray(v.events);
    case 'profile':
      return Array.isArray(v.layers);
    case 'comparison':
      return Array.isArray(v.rows);
    default:
      return true;
  }
}

const WEBVIEW_TYPES: ReadonlySet<string> = new Set(['ready', 'openRun', 'cancel']);

/** Whether a value received by the host is one of the webview's messages. */
export function isWebviewToHostMessage(value: unknown): value is WebviewToHostMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.type !== 'string' || !WEBVIEW_TYPES.has(v.type)) return false;
  return v.type === 'ready' || typeof v.runId === 'string';
}
