// The dashboard's views of job results: a profile (`octet profile --json`) as the outlier table's
// rows, a comparison (`octet compare --json`) as the comparison table's rows.
import type { CompareSummary } from '../engine/compare/types';
import type { ActivationProfile } from '../engine/profile/types';
import type { ComparisonRow, LayerProfile } from '../webview/protocol';

export function isActivationProfile(value: unknown): value is ActivationProfile {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === 'octet-activation-profile' && Array.isArray((value as { layers?: unknown }).layers);
}

export function isCompareSummary(value: unknown): value is CompareSummary {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === 'octet-compare' && Array.isArray((value as { byMode?: unknown }).byMode);
}

export function layerProfiles(profile: ActivationProfile): LayerProfile[] {
  return profile.layers.map((l) => ({
    name: l.name,
    maxAbs: l.input.maxAbs,
    std: l.input.std,
    kurtosis: l.input.kurtosis ?? 0,
    outlierFraction: l.input.outlierFraction,
    outlierColumns: l.input.outlierColumns.map((c) => ({ column: c.dim, count: c.count })),
    inputColumns: l.input.cols,
    sqnrInt8Db: l.sqnrDb.int8 ?? Number.POSITIVE_INFINITY,
    sqnrTiledDb: l.sqnrDb.int8Outlier ?? Number.POSITIVE_INFINITY,
    verdict: l.verdict === 'outlier-heavy' ? 'outlier-heavy' : 'ok',
    recommendedMode: l.verdict === 'outlier-heavy' ? 'int8-outlier' : l.configuredMode,
  }));
}

export function comparisonRows(summary: CompareSummary): ComparisonRow[] {
  const byMode = new Map(summary.byMode.map((m) => [m.mode as string, m]));
  const rows: ComparisonRow[] = [];
  for (const mode of summary.byMode) {
    for (const [metric, s] of Object.entries(mode.metrics)) {
      const fp32 = byMode.get('fp32')?.metrics[metric]?.mean;
      const int8 = byMode.get('int8')?.metrics[metric]?.mean;
      const gapClosed = fp32 !== undefined && int8 !== undefined && fp32 !== int8 ? (s.mean - int8) / (fp32 - int8) : null;
      rows.push({
        mode: mode.mode,
        metric,
        mean: s.mean,
        std: s.std ?? 0,
        seeds: summary.seeds,
        gapToFp32: fp32 !== undefined ? s.mean - fp32 : null,
        gapClosed,
        runIds: summary.runs.filter((r) => r.mode === mode.mode).map((r) => r.runDir),
      });
    }
  }
  return rows;
}
