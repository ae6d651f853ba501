// Output SQNR of one linear layer under plain DFP-8 and under DFP-8 with outlier tiling
// (method.md section 5), computed with the engine's own quantizers and GEMM backend.
//
// Speed: the products run on a strided sample of rows, but the sample always includes the rows
// holding the tensor's largest |x| and its largest inlier. With nearest rounding and an absolute
// threshold that makes every scale (per-tensor exponent, inlier exponent, outlier exponent) the
// one the whole tensor gets, so each sampled output row is exactly the row training computes;
// only which rows enter the sums is sampled. In 'std' units the threshold is taken from the
// whole tensor and applied as an absolute one, which is what splitOutliers does internally.
import type { GemmBackend } from '../kernels/backend';
import { type DfpMatrix, type Granularity, quantizeDfp, type Rounding } from '../quant/dfp';
import { type OutlierExponentRule, type QuantizedActivation, splitOutliers } from '../quant/outliers';
import { Rng } from '../nn/ops/rng';
import type { RowInfo, TensorScan } from './tensor-scan';
import type { SqnrFigures } from './types';

export interface SqnrQuantization {
  granularity: Granularity;
  rounding: Rounding;
  /** Used only for stochastic forward rounding. */
  seed: number;
  /** The layer's rule for the outliers' exponent; default 'own'. */
  outlierExponent?: OutlierExponentRule;
}

/** Real rows to sum over (strided, at most `limit`; 0 = all), then the extra rows the scales need. */
export function sampleRows(rows: number, real: Uint8Array | null, limit: number, scan: TensorScan): { rows: Int32Array; counted: number } {
  const realRows: number[] = [];
  for (let r = 0; r < rows; r++) if (!real || real[r]) realRows.push(r);
  let picked = realRows;
  if (limit > 0 && realRows.length > limit) {
    const stride = realRows.length / limit;
    picked = Array.from({ length: limit }, (_, i) => realRows[Math.floor(i * stride)]);
  }
  const chosen = new Set(picked);
  const extra = [scan.all.argmaxRow, scan.all.argmaxInlierRow].filter((r) => r >= 0 && !chosen.has(r));
  return { rows: Int32Array.from([...picked, ...new Set(extra)]), counted: picked.length };
}

function gatherRows(x: Float32Array, cols: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * cols);
  for (let i = 0; i < rows.length; i++) out.set(x.subarray(rows[i] * cols, (rows[i] + 1) * cols), i * cols);
  return out;
}

function db(signal: number, noise: number): number | null {
  if (noise === 0 || signal === 0) return null;
  return 10 * Math.log10(signal / noise);
}

/** Adds one output row's signal and both error energies into sums (a kernel V8 optimizes early). */
function accumulateRow(sums: Float64Array, y: Float32Array, yBase: number, bias: Float32Array | null, yPlain: Float32Array, yTiled: Float32Array, qBase: number, n: number): void {
  let signal = 0;
  let e1 = 0;
  let e2 = 0;
  for (let j = 0; j < n; j++) {
    const ref = y[yBase + j] - (bias !== null ? bias[j] : 0);
    const d1 = ref - yPlain[qBase + j];
    const d2 = ref - yTiled[qBase + j];
    signal += ref * ref;
    e1 += d1 * d1;
    e2 += d2 * d2;
  }
  sums[0] += signal;
  sums[1] += e1;
  sums[2] += e2;
}

export class SqnrAccumulator {
  private signal = 0;
  private errInt8 = 0;
  private errOutlier = 0;
  private rows = 0;
  private readonly rng: Rng;

  constructor(
    private readonly w: DfpMatrix,
    private readonly bias: Float32Array | null,
    private readonly q: SqnrQuantization,
  ) {
    this.rng = new Rng(q.seed);
  }

  /**
   * @param x the layer's input [rows x in], y its fp32 output [rows x out] (bias included)
   * @param threshold the absolute outlier threshold for this tensor
   */
  async add(x: Float32Array, y: Float32Array, rowInfo: RowInfo, scan: TensorScan, threshold: number, limit: number, backend: GemmBackend): Promise<void> {
    const k = this.w.cols;
    const n = this.w.rows;
    const sample = sampleRows(scan.rows, rowInfo.real, limit, scan);
    if (sample.counted === 0) return;
    const xs = gatherRows(x, k, sample.rows);
    const m = sample.rows.length;
    const common = { rounding: this.q.rounding, rng: this.rng, granularity: this.q.granularity };
    const inlier = quantizeDfp(xs, m, k, { bits: 8, ...common });
    const plain: QuantizedActivation = { inlier, outlier: null, threshold: Infinity, maxAbs: inlier.maxAbs };
    const yPlain = await backend.linearForward({ x: plain, w: this.w, bias: null });
    // Without any outlier in the whole tensor the tiled product is the plain one.
    const yTiled = scan.all.outlierCount > 0 && threshold > 0
      ? await backend.linearForward({ x: splitOutliers(xs, m, k, { threshold, units: 'absolute', outlierExponent: this.q.outlierExponent, ...common }), w: this.w, bias: null })
      : yPlain;
    const sums = Float64Array.of(this.signal, this.errInt8, this.errOutlier);
    for (let i = 0; i < sample.counted; i++) accumulateRow(sums, y, sample.rows[i] * n, this.bias, yPlain, yTiled, i * n, n);
    [this.signal, this.errInt8, this.errOutlier] = sums;
    this.rows += sample.counted;
  }

  finish(): SqnrFigures {
    const int8 = db(this.signal, this.errInt8);
    const int8Outlier = db(this.signal, this.errOutlier);
    return { int8, int8Outlier, gapDb: int8 !== null && int8Outlier !== null ? int8Outlier - int8 : null, rows: this.rows };
  }
}

/** The int8 weight the layer's forward pass uses (nearest rounding, its granularity). */
export function quantizeWeight(weight: Float32Array, outFeatures: number, inFeatures: number, granularity: Granularity): DfpMatrix {
  return quantizeDfp(weight, outFeatures, inFeatures, { bits: 8, granularity });
}
