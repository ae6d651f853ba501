// Shapes RunEvents into chart series. Pure (no DOM): the webview draws what these functions
// return, and the unit tests check them in node.

import type { LayerProfile } from './protocol';
import type {
  CheckpointEvent,
  EvalEvent,
  OutlierStatsEvent,
  RunEndEvent,
  RunEvent,
  RunStartEvent,
  RunState,
  TrainStepEvent,
} from '../engine/train/events';
import { metricLabel } from './format';

// ---- colors -------------------------------------------------------------------------------

/** The chart palette: each key is a VS Code theme color `--vscode-charts-<key>`. */
export type ColorKey = 'blue' | 'orange' | 'green' | 'purple' | 'red' | 'yellow' | 'foreground' | 'lines';

const MODE_COLORS: Record<string, ColorKey> = {
  fp32: 'blue',
  int8: 'orange',
  'int8-outlier': 'green',
};

/** Colors for modes and metrics beyond the known ones, chosen by a hash of the name. */
const SPARE_COLORS: readonly ColorKey[] = ['purple', 'yellow', 'red'];

function stableHash(text: string): number {
  let h = 2166136261; // FNV-1a
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** The color of a precision mode: fp32 blue, int8 orange, int8-outlier green, others stable by name. */
export function modeColor(mode: string): ColorKey {
  return MODE_COLORS[mode] ?? SPARE_COLORS[stableHash(mode) % SPARE_COLORS.length]!;
}

const METRIC_COLORS: Record<string, ColorKey> = {
  f1: 'blue',
  accuracy: 'green',
  exactmatch: 'orange',
  exact_match: 'orange',
  mcc: 'purple',
  pearson: 'blue',
  spearman: 'purple',
  mse: 'red',
};

/** The color of an eval metric's line, the same in every run. */
export function metricColor(key: string): ColorKey {
  return METRIC_COLORS[key.toLowerCase()] ?? SPARE_COLORS[stableHash(key) % SPARE_COLORS.length]!;
}

// ---- the per-run accumulator --------------------------------------------------------------

export interface TrainColumns {
  step: number[];
  epoch: number[];
  time: number[];
  loss: number[];
  learningRate: number[];
  gradNorm: number[];
  tokensPerSecond: number[];
}

/** Everything the dashboard keeps about one run, built incrementally from its events. */
export interface RunTrack {
  runId: string;
  start: RunStartEvent | null;
  /** The first start event's time (a resumed run keeps its original start). */
  startedAt: number | null;
  end: RunEndEvent | null;
  /** The latest train event. */
  lastTrain: TrainStepEvent | null;
  /** The latest event of any kind. */
  lastEvent: RunEvent | null;
  train: TrainColumns;
  evals: EvalEvent[];
  /** Metric keys in the order first seen. */
  metricKeys: string[];
  outliers: OutlierStatsEvent | null;
  checkpoints: CheckpointEvent[];
  /** Number of events applied (for change detection). */
  version: number;
}

function emptyColumns(): TrainColumns {
  return { step: [], epoch: [], time: [], loss: [], learningRate: [], gradNorm: [], tokensPerSecond: [] };
}

export function createRunTrack(runId: string): RunTrack {
  return {
    runId,
    start: null,
    startedAt: null,
    end: null,
    lastTrain: null,
    lastEvent: null,
    train: emptyColumns(),
    evals: [],
    metricKeys: [],
    outliers: null,
    checkpoints: [],
    version: 0,
  };
}

/** Drops train points with step >= `fromStep` (steps are increasing within a track). */
function truncateTrain(c: TrainColumns, fromStep: number): void {
  let n = c.step.length;
  while (n > 0 && c.step[n - 1]! >= fromStep) n--;
  if (n === c.step.length) return;
  for (const key of Object.keys(c) as (keyof TrainColumns)[]) c[key].length = n;
}

function truncateEvals(evals: EvalEvent[], fromStep: number): void {
  let n = evals.length;
  while (n > 0 && evals[n - 1]!.step >= fromStep) n--;
  evals.length = n;
}

/**
 * Applies events to a track, in order. Idempotent under replay: a fresh 'start' clears the
 * track, a resumed 'start' drops what came after its checkpoint step, and a train or eval event
 * at a step already recorded replaces the points from that step on.
 */
export function appendEvents(track: RunTrack, events: readonly RunEvent[]): RunTrack {
  for (const e of events) {
    switch (e.type) {
      case 'start': {
        if (e.resumedFrom === null) {
          const startedAt = e.time;
          Object.assign(track, createRunTrack(track.runId), { version: track.version });
          track.startedAt = startedAt;
        } else {
          truncateTrain(track.train, e.resumedFrom + 1);
          truncateEvals(track.evals, e.resumedFrom + 1);
          track.checkpoints = track.checkpoints.filter((c) => c.step <= e.resumedFrom!);
          track.startedAt ??= e.time;
          track.lastTrain = null;
        }
        track.start = e;
        track.end = null;
        break;
      }
      case 'train': {
        const c = track.train;
        if (c.step.length > 0 && c.step[c.step.length - 1]! >= e.step) truncateTrain(c, e.step);
        c.step.push(e.step);
        c.epoch.push(e.epoch);
        c.time.push(e.time);
        c.loss.push(e.loss);
        c.learningRate.push(e.learningRate);
        c.gradNorm.push(e.gradNorm);
        c.tokensPerSecond.push(e.tokensPerSecond);
        track.lastTrain = e;
        break;
      }
      case 'eval': {
        if (track.evals.length > 0 && track.evals[track.evals.length - 1]!.step >= e.step) {
          truncateEvals(track.evals, e.step);
        }
        track.evals.push(e);
        for (const key of Object.keys(e.metrics)) {
          if (!track.metricKeys.includes(key)) track.metricKeys.push(key);
        }
        break;
      }
      case 'outliers':
        track.outliers = e;
        break;
      case 'checkpoint':
        track.checkpoints.push(e);
        break;
      case 'end':
        track.end = e;
        break;
    }
    track.lastEvent = e;
    track.version++;
  }
  return track;
}

// ---- run status (the header) --------------------------------------------------------------

/** Preferred metric for "best" and for comparisons, first present wins. */
const PRIMARY_METRICS = ['f1', 'accuracy', 'mcc', 'pearson', 'exactMatch', 'exact_match', 'spearman'];

/** The metric a run is judged by: the first of f1, accuracy, mcc, pearson, exactMatch present. */
export function primaryMetric(keys: readonly string[]): string | null {
  for (const k of PRIMARY_METRICS) if (keys.includes(k)) return k;
  return keys[0] ?? null;
}

export interface RunStatus {
  state: RunState;
  step: number;
  totalSteps: number | null;
  /** 0..1, null when the total is unknown. */
  progress: number | null;
  epoch: number;
  /** Estimated whole number of epochs in the run, from the steps-per-epoch seen so far. */
  totalEpochs: number | null;
  etaMs: number | null;
  /** Mean tokens/s over the last few steps. */
  tokensPerSecond: number | null;
  elapsedMs: number | null;
  mode: string | null;
  task: string | null;
  /** The best eval so far (marked best by the trainer, else the latest), its primary metric. */
  best: { step: number; metric: string; value: number } | null;
  latestEval: EvalEvent | null;
  message: string | null;
}

/** The header's numbers. `fallbackState` is the history's state when no events arrived yet. */
export function runStatus(track: RunTrack, fallbackState: RunState = 'queued'): RunStatus {
  const last = track.lastTrain;
  const start = track.start;
  const state: RunState = track.end ? track.end.state : start ? 'running' : fallbackState;
  const step = Math.max(last?.step ?? 0, track.lastEvent?.step ?? 0, start?.resumedFrom ?? 0);
  const epoch = Math.max(last?.epoch ?? 0, track.lastEvent?.epoch ?? 0);
  const totalSteps = start?.totalSteps ?? null;
  const progress =
    totalSteps && totalSteps > 0 ? Math.min(1, (state === 'completed' ? totalSteps : step) / totalSteps) : null;
  let totalEpochs: number | null = null;
  if (totalSteps && step > 0 && epoch > 0) totalEpochs = Math.max(1, Math.round((totalSteps * epoch) / step));
  const tps = track.train.tokensPerSecond;
  let tokensPerSecond: number | null = null;
  if (tps.length > 0) {
    const window = tps.slice(-10).filter((v) => Number.isFinite(v));
    if (window.length > 0) tokensPerSecond = window.reduce((a, b) => a + b, 0) / window.length;
  }
  const running = state === 'running';
  const etaMs = running && last && Number.isFinite(last.etaMs) ? Math.max(0, last.etaMs) : running ? null : 0;
  const endTime = track.end?.time ?? track.lastEvent?.time ?? null;
  const elapsedMs = track.startedAt !== null && endTime !== null ? Math.max(0, endTime - track.startedAt) : null;
  const metric = primaryMetric(track.metricKeys);
  let best: RunStatus['best'] = null;
  if (metric) {
    const marked = [...track.evals].reverse().find((e) => e.best && Number.isFinite(e.metrics[metric]));
    const chosen = marked ?? [...track.evals].reverse().find((e) => Number.isFinite(e.metrics[metric]));
    if (chosen) best = { step: chosen.step, metric, value: chosen.metrics[metric]! };
  }
  return {
    state,
    step,
    totalSteps,
    progress,
    epoch,
    totalEpochs,
    etaMs: state === 'running' ? etaMs : null,
    tokensPerSecond,
    elapsedMs,
    mode: start?.mode ?? null,
    task: start?.task ?? null,
    best,
    latestEval: track.evals[track.evals.length - 1] ?? null,
    message: track.end?.message ?? null,
  };
}

// ---- smoothing and downsampling -----------------------------------------------------------

/**
 * TensorBoard's smoothing: an exponential moving average with debiasing, so early points are
 * not pulled toward 0. `weight` in [0, 1): 0 is no smoothing. Non-finite values pass through
 * and do not enter the average. A constant series is returned unchanged (no float drift).
 */
export function smoothEma(values: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  const n = values.length;
  let first = Number.NaN;
  let constant = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) {
      constant = false;
      break;
    }
  }
  if (w === 0 || constant) return values.slice();
  const out: number[] = [];
  let last = 0;
  let wPow = 1; // w^count, kept by multiplication (Math.pow per point is slow on long runs)
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out.push(v);
      continue;
    }
    last = last * w + (1 - w) * v;
    wPow = wPow > 1e-30 ? wPow * w : 0; // past 1e-30 the debias factor is 1; avoid subnormals
    out.push(wPow === 0 ? last : last / (1 - wPow));
  }
  return out;
}

/**
 * Indices to keep so at most `maxPoints` remain: the first and last points, and in each of
 * (maxPoints - 2) / 2 equal buckets the minimum and the maximum (in index order), so spikes
 * survive however long the run. All indices when the series is short enough.
 */
export function downsampleIndices(y: readonly number[], maxPoints: number): number[] {
  const n = y.length;
  const limit = Math.max(4, Math.floor(maxPoints));
  if (n <= limit) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.floor((limit - 2) / 2);
  const inner = n - 2;
  const out: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * inner) / buckets);
    const hi = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (hi <= lo) continue;
    let iMin = -1;
    let iMax = -1;
    for (let i = lo; i < hi; i++) {
      const v = y[i]!;
      if (!Number.isFinite(v)) continue;
      if (iMin < 0 || v < y[iMin]!) iMin = i;
      if (iMax < 0 || v > y[iMax]!) iMax = i;
    }
    if (iMin < 0) {
      out.push(lo); // nothing finite: keep one point so the gap shows
    } else if (iMin === iMax) {
      out.push(iMin);
    } else {
      out.push(Math.min(iMin, iMax), Math.max(iMin, iMax));
    }
  }
  out.push(n - 1);
  return out;
}

function pick<T>(values: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => values[i]!);
}

/** Non-finite values become null, which uPlot draws as a gap. */
function gaps(values: readonly number[]): (number | null)[] {
  return values.map((v) => (Number.isFinite(v) ? v : null));
}

/**
 * Joins series with different x values on the sorted union of their x values; a series has
 * null where it has no point. Duplicate x within a series: the last value wins.
 */
export function joinSeries(
  series: readonly { x: readonly number[]; y: readonly (number | null)[] }[],
): [number[], ...(number | null)[][]] {
  const xs = new Set<number>();
  for (const s of series) for (const x of s.x) xs.add(x);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map<number, number>();
  x.forEach((v, i) => index.set(v, i));
  const ys = series.map((s) => {
    const col: (number | null)[] = new Array<number | null>(x.length).fill(null);
    s.x.forEach((xv, i) => {
      col[index.get(xv)!] = s.y[i] ?? null;
    });
    return col;
  });
  return [x, ...ys];
}

// ---- chart specs --------------------------------------------------------------------------

/** How a chart's y values are printed (axis ticks and legend). */
export type ValueFormat = 'loss' | 'metric' | 'learningRate' | 'throughput' | 'number';

export interface SeriesSpec {
  label: string;
  color: ColorKey;
  /** Line width in CSS pixels. */
  width: number;
  /** 0..1; faint raw series under a smoothed one use ~0.3. */
  alpha: number;
  dash?: number[];
  /** Draw point markers (sparse series such as evals). */
  points: boolean;
  /** Metric key, when this series is an eval metric (legend values are formatted by it). */
  metric?: string;
  /** Hidden from the legend (the faint raw twin of a smoothed line). */
  legend: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  xLabel: string;
  format: ValueFormat;
  series: SeriesSpec[];
  /** uPlot's aligned data: [x, y1, y2, ...]. */
  data: [number[], ...(number | null)[][]];
}

export interface ChartOptions {
  /** Smoothing weight for loss and throughput, 0..0.999. */
  smoothing: number;
  /** Points per series before downsampling kicks in. */
  maxPoints: number;
}

export const DEFAULT_CHART_OPTIONS: ChartOptions = { smoothing: 0.6, maxPoints: 2000 };

function line(label: string, color: ColorKey, extra: Partial<SeriesSpec> = {}): SeriesSpec {
  return { label, color, width: 2, alpha: 1, points: false, legend: true, ...extra };
}

/** Raw (faint) and smoothed columns of a train quantity, downsampled on the raw spikes. */
function rawAndSmoothed(
  steps: readonly number[],
  values: readonly number[],
  options: ChartOptions,
): { x: number[]; raw: (number | null)[]; smooth: (number | null)[] } {
  const smooth = smoothEma(values, options.smoothing);
  const idx = downsampleIndices(values, options.maxPoints);
  return { x: pick(steps, idx), raw: gaps(pick(values, idx)), smooth: gaps(pick(smooth, idx)) };
}

/** Training loss (raw, faint) + smoothed + eval loss (points), against the step. */
export function lossChart(track: RunTrack, options: ChartOptions = DEFAULT_CHART_OPTIONS): ChartSpec {
  const t = rawAndSmoothed(track.train.step, track.train.loss, options);
  const evalX = track.evals.map((e) => e.step);
  const evalY = gaps(track.evals.map((e) => e.loss));
  const data = joinSeries([
    { x: t.x, y: t.raw },
    { x: t.x, y: t.smooth },
    { x: evalX, y: evalY },
  ]);
  return {
    id: 'loss',
    title: 'Loss',
    xLabel: 'step',
    format: 'loss',
    series: [
      line('train (raw)', 'blue', { width: 1, alpha: 0.28, legend: false }),
      line(options.smoothing > 0 ? 'train (smoothed)' : 'train', 'blue'),
      line('eval', 'orange', { points: true, width: 1.5 }),
    ],
    data,
  };
}

/** Whether every value of a metric lies within [-1, 1] (so it shares the metrics chart). */
function isUnitMetric(track: RunTrack, key: string): boolean {
  return track.evals.every((e) => {
    const v = e.metrics[key];
    return v === undefined || !Number.isFinite(v) || Math.abs(v) <= 1;
  });
}

/**
 * Eval metrics against the step: one chart with every metric in [-1, 1] (accuracy, F1, MCC,
 * correlations), and one chart of its own for each other metric (MSE...).
 */
export function metricCharts(track: RunTrack): ChartSpec[] {
  const x = track.evals.map((e) => e.step);
  const column = (key: string) => gaps(track.evals.map((e) => e.metrics[key] ?? Number.NaN));
  const unit = track.metricKeys.filter((k) => isUnitMetric(track, k));
  const other = track.metricKeys.filter((k) => !unit.includes(k));
  const charts: ChartSpec[] = [];
  if (unit.length > 0 || other.length === 0) {
    charts.push({
      id: 'metrics',
      title: 'Eval metrics',
      xLabel: 'step',
      format: 'metric',
      series: unit.map((k) => line(metricLabel(k), metricColor(k), { points: true, metric: k })),
      data: [x, ...unit.map(column)],
    });
  }
  for (const k of other) {
    charts.push({
      id: `metric-${k}`,
      title: `Eval ${metricLabel(k)}`,
      xLabel: 'step',
      format: 'metric',
      series: [line(metricLabel(k), metricColor(k), { points: true, metric: k })],
      data: [x, column(k)],
    });
  }
  return charts;
}

export function learningRateChart(track: RunTrack, options: ChartOptions = DEFAULT_CHART_OPTIONS): ChartSpec {
  const idx = downsampleIndices(track.train.learningRate, options.maxPoints);
  return {
    id: 'lr',
    title: 'Learning rate',
    xLabel: 'step',
    format: 'learningRate',
    series: [line('learning rate', 'purple', { width: 1.5 })],
    data: [pick(track.train.step, idx), gaps(pick(track.train.learningRate, idx))],
  };
}

export function throughputChart(track: RunTrack, options: ChartOptions = DEFAULT_CHART_OPTIONS): ChartSpec {
  const t = rawAndSmoothed(track.train.step, track.train.tokensPerSecond, options);
  return {
    id: 'throughput',
    title: 'Throughput',
    xLabel: 'step',
    format: 'throughput',
    series: [
      line('tokens/s (raw)', 'green', { width: 1, alpha: 0.2, legend: false }),
      line('tokens/s', 'green', { width: 1.5 }),
    ],
    data: [t.x, t.raw, t.smooth],
  };
}

/** Smoothing of the loss curves in an overlay, at least (the user's setting when higher). */
export const OVERLAY_MIN_SMOOTHING = 0.9;

/** One run in an overlay: its track, its mode (for the color) and a legend label. */
export interface OverlayRun {
  track: RunTrack;
  mode: string;
  label: string;
}

export type OverlayQuantity = { kind: 'loss' } | { kind: 'metric'; metric: string };

/**
 * Several runs on one chart (fp32 / int8 / int8-outlier): smoothed training loss or an eval
 * metric. Each mode keeps its color; further runs of the same mode (other seeds) are dashed.
 */
export function overlayChart(
  runs: readonly OverlayRun[],
  quantity: OverlayQuantity,
  options: ChartOptions = DEFAULT_CHART_OPTIONS,
): ChartSpec {
  // Several noisy curves on one chart need more smoothing than one to be told apart.
  const overlaySmoothing = { ...options, smoothing: Math.max(options.smoothing, OVERLAY_MIN_SMOOTHING) };
  const seen = new Map<string, number>();
  const series: SeriesSpec[] = [];
  const columns: { x: number[]; y: (number | null)[] }[] = [];
  for (const run of runs) {
    const nth = seen.get(run.mode) ?? 0;
    seen.set(run.mode, nth + 1);
    const dash = nth === 0 ? undefined : nth === 1 ? [6, 4] : [2, 3];
    if (quantity.kind === 'loss') {
      const t = rawAndSmoothed(run.track.train.step, run.track.train.loss, overlaySmoothing);
      columns.push({ x: t.x, y: t.smooth });
      series.push(line(run.label, modeColor(run.mode), { width: 1.75, dash }));
    } else {
      const evals = run.track.evals.filter((e) => quantity.metric in e.metrics);
      columns.push({ x: evals.map((e) => e.step), y: gaps(evals.map((e) => e.metrics[quantity.metric]!)) });
      series.push(line(run.label, modeColor(run.mode), { width: 1.75, dash, points: true, metric: quantity.metric }));
    }
  }
  const title =
    quantity.kind === 'loss'
      ? `Training loss (smoothing ${overlaySmoothing.smoothing.toFixed(2)})`
      : `Eval ${metricLabel(quantity.metric)}`;
  return {
    id: quantity.kind === 'loss' ? 'overlay-loss' : `overlay-${quantity.metric}`,
    title,
    xLabel: 'step',
    format: quantity.kind === 'loss' ? 'loss' : 'metric',
    series,
    data: joinSeries(columns),
  };
}

/**
 * Heat strip of a layer's outlier columns: the input width cut into `cells` equal bins (fewer
 * when the layer is narrower), each holding the number of outlier entries in its columns.
 * The view scales all layers by the busiest bin of the profile, so light layers look light.
 */
export function outlierStrip(
  columns: readonly { column: number; count: number }[],
  width: number | undefined,
  cells: number,
): number[] {
  const maxColumn = columns.reduce((m, c) => Math.max(m, c.column), -1);
  const total = Math.max(width ?? 0, maxColumn + 1, 1);
  const n = Math.max(1, Math.min(cells, total));
  const bins = new Array<number>(n).fill(0);
  for (const c of columns) {
    if (c.column < 0 || !Number.isFinite(c.count)) continue;
    bins[Math.min(n - 1, Math.floor((c.column * n) / total))]! += Math.max(0, c.count);
  }
  return bins;
}

// ---- outlier profile ----------------------------------------------------------------------

export type OutlierSortKey = 'index' | 'sqnrGap' | 'outlierFraction' | 'maxAbs' | 'kurtosis';

export interface OutlierSort {
  key: OutlierSortKey;
  descending: boolean;
}

/** SQNR gained by tiling the outliers: tiled minus plain int8, in dB. */
export function sqnrGain(layer: LayerProfile): number {
  return layer.sqnrTiledDb - layer.sqnrInt8Db;
}

/** Layers in display order; ties (and non-finite values, last) keep the profile's order. */
export function sortLayers(layers: readonly LayerProfile[], sort: OutlierSort): LayerProfile[] {
  const value: Record<OutlierSortKey, (l: LayerProfile, i: number) => number> = {
    index: (_l, i) => i,
    sqnrGap: sqnrGain,
    outlierFraction: (l) => l.outlierFraction,
    maxAbs: (l) => l.maxAbs,
    kurtosis: (l) => l.kurtosis,
  };
  const f = value[sort.key];
  const dir = sort.descending ? -1 : 1;
  return layers
    .map((l, i) => ({ l, i, v: f(l, i) }))
    .sort((a, b) => {
      const af = Number.isFinite(a.v);
      const bf = Number.isFinite(b.v);
      if (!af || !bf) return af === bf ? a.i - b.i : af ? -1 : 1;
      return a.v === b.v ? a.i - b.i : (a.v - b.v) * dir;
    })
    .map((x) => x.l);
}
