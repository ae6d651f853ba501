// Adds up one tensor's per-batch scans over the calibration batches and turns the totals into
// the profile's TensorStats (types.ts).
import { emptyMoments, kurtosisOf, mergeMoments, type Moments, stdOf } from './moments';
import type { TensorScan } from './tensor-scan';
import type { OutlierColumn, OutlierToken, TensorStats } from './types';

export interface StatsLimits {
  /** Outlier columns listed (the count of all of them is reported too). */
  topColumns: number;
  topTokens: number;
}

export const DEFAULT_STATS_LIMITS: StatsLimits = { topColumns: 16, topTokens: 8 };

export class TensorStatsAccumulator {
  private moments: Moments = emptyMoments();
  private rows = 0;
  private maxAbs = 0;
  private outlierCount = 0;
  private thresholdSum = 0;
  private batches = 0;
  private readonly colCounts: Float64Array;
  private readonly colMax: Float32Array;
  /** Outlier elements by token id, dense (ids are small integers): merging maps was slower. */
  private tokenCounts = new Float64Array(0);

  constructor(readonly cols: number) {
    this.colCounts = new Float64Array(cols);
    this.colMax = new Float32Array(cols);
  }

  add(scan: TensorScan, threshold: number): void {
    this.moments = mergeMoments(this.moments, scan.moments);
    this.rows += scan.realRows;
    this.maxAbs = Math.max(this.maxAbs, scan.maxAbs);
    this.outlierCount += scan.outlierCount;
    this.thresholdSum += threshold;
    this.batches++;
    for (let c = 0; c < this.cols; c++) {
      this.colCounts[c] += scan.colCounts[c];
      if (scan.colMax[c] > this.colMax[c]) this.colMax[c] = scan.colMax[c];
    }
    for (const [id, n] of scan.tokenCounts) {
      if (id >= this.tokenCounts.length) {
        const grown = new Float64Array(Math.max(id + 1, 2 * this.tokenCounts.length));
        grown.set(this.tokenCounts);
        this.tokenCounts = grown;
      }
      this.tokenCounts[id] += n;
    }
  }

  /**
   * @param vocab token spellings by id
   * @param occurrences rows per token id over the calibration data (for the rows this tensor has)
   */
  finish(vocab: readonly string[], occurrences: ReadonlyMap<number, number>, limits: StatsLimits = DEFAULT_STATS_LIMITS): TensorStats {
    const columns: OutlierColumn[] = [];
    for (let c = 0; c < this.cols; c++) {
      if (this.colCounts[c] > 0) {
        columns.push({ dim: c, count: this.colCounts[c], rowFraction: this.rows > 0 ? this.colCounts[c] / this.rows : 0, maxAbs: this.colMax[c] });
      }
    }
    columns.sort((a, b) => b.count - a.count || a.dim - b.dim);
    const tokens: OutlierToken[] = topIndices(this.tokenCounts, limits.topTokens)
      .map((id) => ({ id, token: vocab[id] ?? `#${id}`, count: this.tokenCounts[id], occurrences: occurrences.get(id) ?? 0 }));
    const elements = this.rows * this.cols;
    return {
      rows: this.rows,
      cols: this.cols,
      maxAbs: this.maxAbs,
      mean: this.moments.mean,
      std: stdOf(this.moments),
      kurtosis: kurtosisOf(this.moments),
      threshold: this.batches > 0 ? this.thresholdSum / this.batches : 0,
      outlierCount: this.outlierCount,
      outlierFraction: elements > 0 ? this.outlierCount / elements : 0,
      outlierColumnCount: columns.length,
      outlierColumns: columns.slice(0, limits.topColumns),
      topTokens: tokens,
    };
  }
}

/** Indices of the k largest positive values, largest first (ties: lower index first); O(n k). */
export function topIndices(values: Float64Array, k: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v <= 0 || (top.length === k && v <= values[top[k - 1]])) continue;
    let at = top.length;
    while (at > 0 && values[top[at - 1]] < v) at--;
    top.splice(at, 0, i);
    if (top.length > k) top.pop();
  }
  return top;
}
