// Plain-loop implementations of every backend operation: exact integer arithmetic (JS numbers
// hold int8 products summed over K < 2^37 exactly) and float64 accumulation. Slow (a few GOPS);
// the yardstick the fast backends are tested against, never the training path.
import { OctetError } from '../errors';
import type { DfpMatrix } from '../quant/dfp';
import { INT12_LOW_RADIX, type QuantizedActivation } from '../quant/outliers';
import type { GemmBackend, GemmDims, LinearForwardInput, LinearForwardParts, LlmInt8Input, MatmulLayout } from './backend';
import { MAX_EXACT_K } from './backend';
import { checkLinearForward, checkMatmul, requirePerTensor } from './checks';

/** Element accessors for the three layouts, so one loop serves them all. */
function indexers(dims: GemmDims, layout: MatmulLayout): [(i: number, p: number) => number, (p: number, j: number) => number] {
  const { m, k, n } = dims;
  const a = layout === 'TN' ? (i: number, p: number) => p * m + i : (i: number, p: number) => i * k + p;
  const b = layout === 'NT' ? (p: number, j: number) => j * k + p : (p: number, j: number) => p * n + j;
  return [a, b];
}

export function referenceMatmul(a: ArrayLike<number>, b: ArrayLike<number>, dims: GemmDims, layout: MatmulLayout): Float64Array {
  const { m, k, n } = dims;
  const [ai, bi] = indexers(dims, layout);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai(i, p)] * b[bi(p, j)];
      out[i * n + j] = s;
    }
  }
  return out;
}

function scaleOf(m: DfpMatrix, row: number): number {
  return 2 ** m.exponents[m.exponents.length === 1 ? 0 : row];
}

/** Integer accumulators of the tiled product, exact. */
export function referenceForwardParts({ x, w }: LinearForwardInput): LinearForwardParts {
  const { rows: m, cols: k } = x.inlier;
  const n = w.rows;
  const inlier = Int32Array.from(referenceMatmul(x.inlier.q, w.q, { m, k, n }, 'NT'));
  const o = x.outlier;
  if (!o) return { inlier, outlier: null };
  const c = o.columns.length;
  const outlier = new Int32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < c; t++) {
        const code = INT12_LOW_RADIX * o.hi[i * c + t] + o.lo[i * c + t];
        s += code * w.q[j * k + o.columns[t]];
      }
      outlier[i * n + j] = s;
    }
  }
  return { inlier, outlier };
}

export function referenceLinearForward(input: LinearForwardInput): Float32Array {
  checkLinearForward(input);
  const { x, w, bias } = input;
  const { inlier, outlier } = referenceForwardParts(input);
  const m = x.inlier.rows;
  const n = w.rows;
  const out = new Float32Array(m * n);
  const sOut = x.outlier ? 2 ** x.outlier.exponent : 0;
  for (let i = 0; i < m; i++) {
    const sx = scaleOf(x.inlier, i);
    for (let j = 0; j < n; j++) {
      const sw = scaleOf(w, j);
      let y = sx * sw * inlier[i * n + j] + (bias ? bias[j] : 0);
      if (outlier) y += sOut * sw * outlier[i * n + j];
      out[i * n + j] = y;
    }
  }
  return out;
}

export function referenceGradInput(dy: DfpMatrix, w: DfpMatrix): Float32Array {
  requirePerTensor(w, 'weight for the input gradient');
  const m = dy.rows;
  const n = dy.cols;
  const k = w.cols;
  checkMatmul(dy.q.length, w.q.length, { m, k: n, n: k }, 'NN');
  const acc = referenceMatmul(dy.q, w.q, { m, k: n, n: k }, 'NN');
  const out = new Float32Array(m * k);
  const sw = scaleOf(w, 0);
  for (let i = 0; i < m; i++) {
    const s = scaleOf(dy, i) * sw;
    for (let j = 0; j < k; j++) out[i * k + j] = s * acc[i * k + j];
  }
  return out;
}

export function referenceGradWeight(dy: DfpMatrix, x: QuantizedActivation): Float32Array {
  requirePerTensor(dy, 'output gradient for the weight gradient');
  requirePerTensor(x.inlier, 'activation for the weight gradient');
  const m = dy.rows;
  const n = dy.cols;
  const k = x.inlier.cols;
  if (x.inlier.rows !== m) throw new OctetError('shape-mismatch', `output gradient has ${m} rows, activation has ${x.inlier.rows}`);
  const acc = referenceMatmul(dy.q, x.inlier.q, { m: n, k: m, n: k }, 'TN');
  const sIn = scaleOf(dy, 0) * scaleOf(x.inlier, 0);
  const out = new Float64Array(n * k);
  for (let i = 0; i < out.length; i++) out[i] = sIn * acc[i];
  const o = x.outlier;
  if (o) {
    const c = o.columns.length;
    const sOut = scaleOf(dy, 0) * 2 ** o.exponent;
    for (let j = 0; j < n; j++) {
      for (let t = 0; t < c; t++) {
        let s = 0;
        for (let r = 0; r < m; r++) s += dy.q[r * n + j] * (INT12_LOW_RADIX * o.hi[r * c + t] + o.lo[r * c + t]);
        out[j * k + o.columns[t]] += sOut * s;
      }
    }
  }
  return Float32Array.from(out);
}

export function referenceLlmInt8(input: LlmInt8Input): Float32Array {
  const { m, k, n } = input.dims;
  const c = input.columns.length;
  const acc = referenceMatmul(input.xq, input.wq, { m, k, n }, 'NT');
  const fp = c > 0 ? referenceMatmul(input.xOutlier, input.wOutlier, { m, k: c, n }, 'NT') : null;
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      out[i * n + j] = acc[i * n + j] * input.xScale[i] * input.wScale[j] + (fp ? fp[i * n + j] : 0) + (input.bias ? input.bias[j] : 0);
    }
  }
  return out;
}

export class ReferenceBackend implements GemmBackend {
  readonly name = 'reference';

  async int8Matmul(a: Int8Array, b: Int8Array, dims: GemmDims, layout: MatmulLayout): Promise<Int32Array> {
    checkMatmul(a.length, b.length, dims, layout);
    if (dims.k > MAX_EXACT_K) throw new OctetError('k-too-large', `K = ${dims.k} exceeds ${MAX_EXACT_K}: an int32 result could overflow`);
    return Int32Array.from(referenceMatmul(a, b, dims, layout));
  }

  async linearForwardParts(input: LinearForwardInput): Promise<LinearForwardParts> {
    checkLinearForward(input);
    return referenceForwardParts(input);
  }

  async linearForward(input: LinearForwardInput): Promise<Float32Array> {
    return referenceLinearForward(input);
  }

  async linearGradInput(dy: DfpMatrix, w: DfpMatrix): Promise<Float32Array> {
    return referenceGradInput(dy, w);
  }

  async linearGradWeight(dy: DfpMatrix, x: QuantizedActivation): Promise<Float32Array> {
    return referenceGradWeight(dy, x);
  }

  async f32Matmul(a: Float32Array, b: Float32Array, dims: GemmDims, layout: MatmulLayout, bias?: Float32Array | null): Promise<Float32Array> {
    checkMatmul(a.length, b.length, dims, layout);
    const acc = referenceMatmul(a, b, dims, layout);
    const out = new Float32Array(acc.length);
    for (let i = 0; i < dims.m; i++) for (let j = 0; j < dims.n; j++) out[i * dims.n + j] = acc[i * dims.n + j] + (bias ? bias[j] : 0);
    return out;
  }

  async f32BatchedMatmul(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number, transB: boolean): Promise<Float32Array> {
    checkMatmul(a.length / batch, b.length / batch, { m, k, n }, transB ? 'NT' : 'NN');
    const out = new Float32Array(batch * m * n);
    for (let t = 0; t < batch; t++) {
      const c = referenceMatmul(a.subarray(t * m * k, (t + 1) * m * k), b.subarray(t * k * n, (t + 1) * k * n), { m, k, n }, transB ? 'NT' : 'NN');
      out.set(c, t * m * n);
    }
    return out;
  }

  async llmInt8Forward(input: LlmInt8Input): Promise<Float32Array> {
    return referenceLlmInt8(input);
  }

  async dispose(): Promise<void> {}
}
