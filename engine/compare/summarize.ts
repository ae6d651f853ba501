// Mean and spread per mode over seeds, the gap to fp32, and the share of the int8 gap the outlier
// treatment closes: the numbers of the paper's comparison (method.md section 6).
import type { PrecisionMode } from '../nn/precision';
import type { CompareRun, MetricSummary, ModeSummary } from './types';

export function metricSummary(values: readonly number[]): MetricSummary {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, std, values: [...values] };
}

/**
 * @param greaterIsBetter the primary metric's direction: the share of the gap closed is only
 *   defined when int8 is worse than fp32 (otherwise there is no gap, and the ratio would mislead)
 */
export function summarizeModes(runs: readonly CompareRun[], modes: readonly PrecisionMode[], primary: string, greaterIsBetter: boolean): { byMode: ModeSummary[]; gapClosed: number | null } {
  const partial = modes.map((mode) => {
    const own = runs.filter((r) => r.mode === mode);
    const names = [...new Set(own.flatMap((r) => Object.keys(r.metrics)))];
    const metrics: Record<string, MetricSummary> = {};
    for (const name of names) {
      const values = own.map((r) => r.metrics[name]).filter((v): v is number => typeof v === 'number');
      if (values.length > 0) metrics[name] = metricSummary(values);
    }
    return { mode, runs: own.length, metrics };
  });
  const find = (m: PrecisionMode): MetricSummary | undefined => partial.find((p) => p.mode === m)?.metrics[primary];
  const fp32 = find('fp32');
  const byMode: ModeSummary[] = partial.map((p) => {
    const own = p.metrics[primary];
    const gap = fp32 && own ? own.mean - fp32.mean : null;
    const spread = fp32 && own ? Math.max(fp32.std ?? 0, own.std ?? 0) : 0;
    return { ...p, gapToFp32: gap, gapInStd: gap !== null && spread > 0 ? Math.abs(gap) / spread : null };
  });
  const int8 = find('int8');
  const tiled = find('int8-outlier');
  const int8Worse = fp32 && int8 && (greaterIsBetter ? int8.mean < fp32.mean : int8.mean > fp32.mean);
  const gapClosed = fp32 && int8 && tiled && int8Worse ? (tiled.mean - int8.mean) / (fp32.mean - int8.mean) : null;
  return { byMode, gapClosed };
}
