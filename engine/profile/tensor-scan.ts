// One pass (plus one for the mean) over an activation tensor of one batch: the statistics the
// profile reports, and the rows the SQNR sampler must keep so its quantization scales equal the
// whole tensor's (sqnr.ts). Kept free of allocation per element: it runs on every tensor.
import { emptyMoments, type Moments } from './moments';

/** Which rows of a [rows x cols] activation are real tokens, and which token each row is. */
export interface RowInfo {
  /** 1 for a real row; null when every row is real. */
  real: Uint8Array | null;
  /** Token id of each row; null when rows are not tokens. */
  tokenIds: Int32Array | null;
}

export interface TensorScan {
  rows: number;
  cols: number;
  /** Statistics over real rows. */
  moments: Moments;
  realRows: number;
  maxAbs: number;
  outlierCount: number;
  /** Per column: outlier elements and max |x| (real rows). */
  colCounts: Float64Array;
  colMax: Float32Array;
  /** Outlier elements per token id (real rows). */
  tokenCounts: Map<number, number>;
  /** Over all rows, padding included (what quantization sees). */
  all: {
    maxAbs: number;
    argmaxRow: number;
    /** Largest |x| not above the threshold, and its row (-1 when there is none). */
    inlierMaxAbs: number;
    argmaxInlierRow: number;
    outlierCount: number;
  };
}

/**
 * Scans x [rows x cols] against an absolute threshold. The statistics cover real rows; the
 * `all` part covers every row, because padding rows take part in quantization during training.
 *
 * Speed matters (every activation of every batch): one tight pass per row for max, outlier count
 * and the power sums, and a second pass only over rows that hold outliers. The power sums are
 * taken about the first real row's mean, which keeps the conversion to central moments exact
 * enough in float64 (activations' means are small against their spread, and similar from row
 * to row, so the shift leaves little to cancel).
 */
export function scanTensor(x: Float32Array, rows: number, cols: number, rowInfo: RowInfo, threshold: number): TensorScan {
  const { real, tokenIds } = rowInfo;
  const shift = firstRealRowMean(x, rows, cols, real);
  const colCounts = new Float64Array(cols);
  const colMax = new Float32Array(cols);
  const tokenCounts = new Map<number, number>();
  // Power sums of (x - shift), and the outlier count of the current row: filled by the row kernels.
  const sums = new Float64Array(4);
  const rowOut = new Float64Array(1);
  let realRows = 0;
  let maxAbs = 0;
  let outlierCount = 0;
  let allMax = 0;
  let argmaxRow = 0;
  let inlierMax = -1;
  let argmaxInlierRow = -1;
  let allOutliers = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const end = base + cols;
    const isReal = real === null || real[r] === 1;
    const rowMax = isReal ? scanRealRow(x, base, end, threshold, shift, sums, rowOut) : scanPaddingRow(x, base, end, threshold, rowOut);
    const rowOutliers = rowOut[0];
    // Without outliers the row's largest inlier is its largest element.
    const rowInlierMax = rowOutliers > 0 ? scanOutlierRow(x, base, cols, threshold, isReal, colCounts, colMax) : rowMax;
    if (rowMax > allMax) {
      allMax = rowMax;
      argmaxRow = r;
    }
    if (rowInlierMax > inlierMax) {
      inlierMax = rowInlierMax;
      argmaxInlierRow = r;
    }
    allOutliers += rowOutliers;
    if (isReal) {
      realRows++;
      if (rowMax > maxAbs) maxAbs = rowMax;
      outlierCount += rowOutliers;
      if (rowOutliers > 0 && tokenIds) tokenCounts.set(tokenIds[r], (tokenCounts.get(tokenIds[r]) ?? 0) + rowOutliers);
    }
  }
  return {
    rows, cols, realRows, maxAbs, outlierCount, colCounts, colMax, tokenCounts,
    moments: centralMoments(realRows * cols, shift, sums[0], sums[1], sums[2], sums[3]),
    all: { maxAbs: allMax, argmaxRow, inlierMaxAbs: inlierMax, argmaxInlierRow, outlierCount: allOutliers },
  };
}

/**
 * One real row: returns its max |x|, adds its power sums into `sums` and puts its outlier count in
 * out[0]. A function of its own so V8 optimizes it after a few rows, not after a few tensors.
 */
function scanRealRow(x: Float32Array, base: number, end: number, threshold: number, shift: number, sums: Float64Array, out: Float64Array): number {
  let rowMax = 0;
  let outliers = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = base; i < end; i++) {
    const v = x[i];
    const a = Math.abs(v);
    if (a > rowMax) rowMax = a;
    if (a > threshold) outliers++;
    const d = v - shift;
    const d2 = d * d;
    s1 += d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  sums[0] += s1;
  sums[1] += s2;
  sums[2] += s3;
  sums[3] += s4;
  out[0] = outliers;
  return rowMax;
}

/** A row with outliers: counts them per column (real rows only); returns its largest inlier (-1 if none). */
function scanOutlierRow(x: Float32Array, base: number, cols: number, threshold: number, isReal: boolean, colCounts: Float64Array, colMax: Float32Array): number {
  let inlierMax = -1;
  for (let c = 0; c < cols; c++) {
    const a = Math.abs(x[base + c]);
    if (a > threshold) {
      if (isReal) {
        colCounts[c]++;
        if (a > colMax[c]) colMax[c] = a;
      }
    } else if (a > inlierMax) {
      inlierMax = a;
    }
  }
  return inlierMax;
}

/** A padding row: only what quantization sees (max |x| and the outlier count). */
function scanPaddingRow(x: Float32Array, base: number, end: number, threshold: number, out: Float64Array): number {
  let rowMax = 0;
  let outliers = 0;
  for (let i = base; i < end; i++) {
    const a = Math.abs(x[i]);
    if (a > rowMax) rowMax = a;
    if (a > threshold) outliers++;
  }
  out[0] = outliers;
  return rowMax;
}

function firstRealRowMean(x: Float32Array, rows: number, cols: number, real: Uint8Array | null): number {
  for (let r = 0; r < rows; r++) {
    if (real !== null && real[r] !== 1) continue;
    let s = 0;
    for (let i = r * cols, end = i + cols; i < end; i++) s += x[i];
    return cols > 0 ? s / cols : 0;
  }
  return 0;
}

/** Central moment sums from power sums S_k of (x - shift). */
export function centralMoments(n: number, shift: number, s1: number, s2: number, s3: number, s4: number): Moments {
  if (n === 0) return emptyMoments();
  const d = s1 / n;
  const d2 = d * d;
  return {
    n,
    mean: shift + d,
    m2: Math.max(0, s2 - n * d2),
    m3: s3 - 3 * d * s2 + 2 * n * d2 * d,
    m4: Math.max(0, s4 - 4 * d * s3 + 6 * d2 * s2 - 3 * n * d2 * d2),
  };
}
