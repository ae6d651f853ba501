// `octet bench gemm`: every kernel a linear layer can use, timed from quantized operands to the
// float output with bias (what a layer needs), on the shapes of BERT-base layers.
import { availableParallelism } from 'node:os';
import type { GemmBackend, LlmInt8Input } from '../kernels/backend';
import { detectCpuFeatures } from '../kernels/cpu-features';
import { ForwardPath, OrtBackend } from '../kernels/ort-backend';
import { quantizeDfp } from '../quant/dfp';
import { findOutlierColumns, splitOutliers } from '../quant/outliers';
import { Rng } from '../nn/ops/rng';
import { TimedCase, timeInterleaved, TimingSummary } from './timing';

export interface GemmBenchRow {
  shape: [number, number, number];
  /** 'forward' (Y = X W^T + b) or 'weight-grad' (dW = dY^T X, M x K x N = out x tokens x in). */
  pass: 'forward' | 'weight-grad';
  /**
   * 'int8-outlier' is what a layer runs (the fold where it pays, else the tiled graph: see
   * `path`); 'int8-outlier-tiled' forces the three-GEMM tiled graph for comparison.
   */
  kernel: 'fp32' | 'int8' | 'int8-outlier' | 'int8-outlier-tiled' | 'llm-int8';
  /** For the int8-outlier kernels: which graph ran. */
  path?: ForwardPath;
  outlierFraction: number;
  outlierColumns: number;
  ms: number;
  p10Ms: number;
  p90Ms: number;
  gops: number;
  /** fp32 time / this time: above 1 is faster than fp32. */
  speedupVsFp32: number;
  /** this time / plain int8 time: the cost of the outlier treatment. */
  timeVsInt8: number;
}

export interface GemmBenchReport {
  benchmark: 'gemm';
  date: string;
  threads: number;
  intPath: string;
  cpu: ReturnType<typeof detectCpuFeatures>;
  rounds: number;
  rows: GemmBenchRow[];
}

export interface GemmBenchOptions {
  rounds?: number;
  threads?: number;
  shapes?: [number, number, number][];
  fractions?: number[];
  log?: (line: string) => void;
}

export const FORWARD_SHAPES: [number, number, number][] = [
  [4096, 128, 512],
  [4096, 768, 768],
  [4096, 768, 3072],
];
export const WEIGHT_GRAD_SHAPE: [number, number, number] = [768, 4096, 768];
export const OUTLIER_FRACTIONS = [0.001, 0.01, 0.05];
/** Outliers planted well above gamma = 5 on every row of their columns: the tiled GEMM's worst case. */
const OUTLIER_MAGNITUDE = 40;

function gaussian(rng: Rng, n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  rng.fillNormal(out, 0, scale);
  return out;
}

function clampBelowGamma(x: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = Math.max(-4.9, Math.min(4.9, x[i]));
  return x;
}

function evenlySpacedColumns(k: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.floor(((i + 0.5) * k) / count));
}

/** Vector-wise int8 quantization as LLM.int8() does it: absmax per row, outlier columns kept in fp32. */
function llmInt8Operands(x: Float32Array, w: Float32Array, bias: Float32Array, m: number, k: number, n: number): LlmInt8Input {
  const columns = findOutlierColumns(x, m, k, 6);
  const isOut = new Uint8Array(k);
  for (const c of columns) isOut[c] = 1;
  const rowQuant = (src: Float32Array, rows: number, skip: Uint8Array | null): { q: Int8Array; scale: Float32Array } => {
    const q = new Int8Array(rows * k);
    const scale = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let mx = 0;
      for (let c = 0; c < k; c++) if (!skip?.[c]) mx = Math.max(mx, Math.abs(src[r * k + c]));
      const s = mx > 0 ? mx / 127 : 1;
      scale[r] = s;
      for (let c = 0; c < k; c++) q[r * k + c] = skip?.[c] ? 0 : Math.round(src[r * k + c] / s);
    }
    return { q, scale };
  };
  const xs = rowQuant(x, m, isOut);
  const ws = rowQuant(w, n, null);
  const gather = (src: Float32Array, rows: number): Float32Array => {
    const out = new Float32Array(rows * columns.length);
    for (let r = 0; r < rows; r++) for (let j = 0; j < columns.length; j++) out[r * columns.length + j] = src[r * k + columns[j]];
    return out;
  };
  return {
    xq: xs.q, xScale: xs.scale, wq: ws.q, wScale: ws.scale,
    xOutlier: gather(x, m), wOutlier: gather(w, n), columns, bias, dims: { m, k, n },
  };
}

function forwardCases(backend: OrtBackend, tiledBackend: OrtBackend, shape: [number, number, number], fractions: number[]): { cases: TimedCase[]; meta: Map<string, Omit<GemmBenchRow, 'ms' | 'p10Ms' | 'p90Ms' | 'gops' | 'speedupVsFp32' | 'timeVsInt8'>> } {
  const [m, k, n] = shape;
  const rng = new Rng(m * 31 + k * 7 + n);
  // Ordinary activations stay below gamma, so the planted columns are the only outliers.
  const x = clampBelowGamma(gaussian(rng, m * k, 1));
  const w = gaussian(rng, n * k, 1 / Math.sqrt(k));
  const bias = gaussian(rng, n, 0.1);
  const wq = quantizeDfp(w, n, k, { bits: 8 });
  const cases: TimedCase[] = [];
  const meta = new Map();
  const add = (id: string, kernel: GemmBenchRow['kernel'], outlierFraction: number, outlierColumns: number, run: () => Promise<unknown>, path?: ForwardPath): void => {
    cases.push({ id, run });
    meta.set(id, { shape, pass: 'forward', kernel, outlierFraction, outlierColumns, ...(path ? { path } : {}) });
  };
  add(`${shape}-fp32`, 'fp32', 0, 0, () => backend.f32Matmul(x, w, { m, k, n }, 'NT', bias));
  const plain = splitOutliers(x, m, k, { threshold: 5 });
  add(`${shape}-int8`, 'int8', 0, 0, () => backend.linearForward({ x: plain, w: wq, bias }));
  for (const f of fractions) {
    const count = Math.max(1, Math.round(f * k));
    const xo = Float32Array.from(x);
    for (const c of evenlySpacedColumns(k, count)) for (let r = 0; r < m; r++) xo[r * k + c] = (r & 1 ? 1 : -1) * OUTLIER_MAGNITUDE * (1 + rng.nextFloat());
    const tiled = splitOutliers(xo, m, k, { threshold: 5 });
    const columns = tiled.outlier?.columns.length ?? 0;
    const input = { x: tiled, w: wq, bias };
    add(`${shape}-outlier-${f}`, 'int8-outlier', f, columns, () => backend.linearForward(input), backend.forwardPath(input));
    add(`${shape}-tiled-${f}`, 'int8-outlier-tiled', f, columns, () => tiledBackend.linearForward(input), tiledBackend.forwardPath(input));
    const llm = llmInt8Operands(xo, w, bias, m, k, n);
    add(`${shape}-llm-${f}`, 'llm-int8', f, llm.columns.length, () => backend.llmInt8Forward(llm));
  }
  return { cases, meta };
}

function weightGradCases(backend: GemmBackend, shape: [number, number, number]): { cases: TimedCase[]; meta: Map<string, Omit<GemmBenchRow, 'ms' | 'p10Ms' | 'p90Ms' | 'gops' | 'speedupVsFp32' | 'timeVsInt8'>> } {
  const [nOut, tokens, kIn] = shape;
  const rng = new Rng(99);
  const dy = gaussian(rng, tokens * nOut, 1e-3);
  const x = gaussian(rng, tokens * kIn, 1);
  const dyq = quantizeDfp(dy, tokens, nOut, { bits: 8, rounding: 'stochastic', rng });
  const xq = splitOutliers(clampBelowGamma(x), tokens, kIn, { threshold: 5 });
  const meta = new Map();
  const base = { shape, pass: 'weight-grad', outlierFraction: 0, outlierColumns: 0 };
  meta.set(`${shape}-wg-fp32`, { ...base, kernel: 'fp32' });
  meta.set(`${shape}-wg-int8`, { ...base, kernel: 'int8' });
  return {
    cases: [
      { id: `${shape}-wg-fp32`, run: () => backend.f32Matmul(dy, x, { m: nOut, k: tokens, n: kIn }, 'TN') },
      { id: `${shape}-wg-int8`, run: () => backend.linearGradWeight(dyq, xq) },
    ],
    meta,
  };
}

export async function runGemmBench(opts: GemmBenchOptions = {}): Promise<GemmBenchReport> {
  const rounds = opts.rounds ?? 15;
  const threads = opts.threads ?? availableParallelism();
  const log = opts.log ?? (() => {});
  const backend = await OrtBackend.create({ threads });
  const tiledBackend = await OrtBackend.create({ threads, outlierFold: 'never' });
  const rows: GemmBenchRow[] = [];
  try {
    const groups = [
      ...(opts.shapes ?? FORWARD_SHAPES).map((s) => forwardCases(backend, tiledBackend, s, opts.fractions ?? OUTLIER_FRACTIONS)),
      weightGradCases(backend, WEIGHT_GRAD_SHAPE),
    ];
    for (const { cases, meta } of groups) {
      log(`timing ${[...meta.values()][0].shape.join('x')} (${cases.length} kernels, ${rounds} rounds)`);
      const times = await timeInterleaved(cases, rounds);
      const byKernel = (kernel: string): TimingSummary | undefined =>
        [...meta.entries()].filter(([, v]) => v.kernel === kernel && v.outlierFraction === 0).map(([id]) => times.get(id))[0];
      const fp32 = byKernel('fp32')!;
      const int8 = byKernel('int8')!;
      for (const [id, info] of meta) {
        const t = times.get(id)!;
        const [m, k, n] = info.shape;
        rows.push({
          ...info,
          ms: round(t.medianMs),
          p10Ms: round(t.p10Ms),
          p90Ms: round(t.p90Ms),
          gops: round((2 * m * k * n) / (t.medianMs * 1e6)),
          speedupVsFp32: round(fp32.medianMs / t.medianMs),
          timeVsInt8: round(t.medianMs / int8.medianMs),
        });
      }
    }
  } finally {
    await backend.dispose();
    await tiledBackend.dispose();
  }
  return { benchmark: 'gemm', date: new Date().toISOString(), threads, intPath: backend.intPath, cpu: detectCpuFeatures(), rounds, rows };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
