// LayerNorm over the last dimension of a [rows x dim] row-major matrix (torch.nn.LayerNorm
// semantics: biased variance, eps inside the square root; BERT uses eps = 1e-12).
//
// Forward saves per-row mean and rstd = 1/sqrt(var + eps) as float32 so backward need not redo
// the reductions; backward recomputes xhat = (x - mean) * rstd from x, which costs one multiply
// and saves keeping a [rows x dim] buffer alive per layer.

import { OctetError } from '../../errors';
import { requireDims, requireLen } from './check';

const OP = 'layernorm';

/**
 * out = (x - mean) * rstd * gamma + beta, row by row. Writes mean[r], rstd[r] for backward.
 * `out` may alias `x` only if backward is not needed (backward reads x).
 */
export function layerNormForward(
  out: Float32Array,
  mean: Float32Array,
  rstd: Float32Array,
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  rows: number,
  dim: number,
  eps: number,
): void {
  requireDims(OP, { rows, dim });
  if (!(eps >= 0)) throw new OctetError('invalid-argument', `layernorm: eps must be >= 0, got ${eps}`);
  const n = rows * dim;
  requireLen(OP, 'out', out, n);
  requireLen(OP, 'x', x, n);
  requireLen(OP, 'mean', mean, rows);
  requireLen(OP, 'rstd', rstd, rows);
  requireLen(OP, 'gamma', gamma, dim);
  requireLen(OP, 'beta', beta, dim);
  const invDim = 1 / dim;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    // Two passes (mean, then squared deviations) instead of E[x^2] - E[x]^2: the one-pass form
    // cancels catastrophically when |mean| >> std, which residual streams do produce.
    let s = 0;
    for (let i = 0; i < dim; i++) s += x[o + i];
    const m = s * invDim;
    let v = 0;
    for (let i = 0; i < dim; i++) {
      const d = x[o + i] - m;
      v += d * d;
    }
    const rs = 1 / Math.sqrt(v * invDim + eps);
    // Store the float32-rounded statistics and normalise with exactly those values, so forward
    // and backward see the same xhat.
    mean[r] = m;
    rstd[r] = rs;
    const mf = mean[r];
    const rsf = rstd[r];
    for (let i = 0; i < dim; i++) out[o + i] = (x[o + i] - mf) * rsf * gamma[i] + beta[i];
  }
}

// Per-call float64 accumulators for dgamma/dbeta, grown on demand and reused: summing thousands
// of rows straight into float32 loses low bits, and allocating per call is avoidable garbage.
// Safe to share because layerNormBackward is synchronous.
let accGamma = new Float64Array(0);
let accBeta = new Float64Array(0);

/**
 * dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dout * gamma   (overwrites dx),
 * dgamma += sum_rows dout * xhat,  dbeta += sum_rows dout                    (accumulates).
 * `dx` may alias `dout`: each row's dout is fully read before its dx is written.
 */
export function layerNormBackward(
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
  dout: Float32Array,
  x: Float32Array,
  mean: Float32Array,
  rstd: Float32Array,
  gamma: Float32Array,
  rows: number,
  dim: number,
): void {
  requireDims(OP, { rows, dim });
  const n = rows * dim;
  requireLen(OP, 'dx', dx, n);
  requireLen(OP, 'dout', dout, n);
  requireLen(OP, 'x', x, n);
  requireLen(OP, 'mean', mean, rows);
  requireLen(OP, 'rstd', rstd, rows);
  requireLen(OP, 'gamma', gamma, dim);
  requireLen(OP, 'dgamma', dgamma, dim);
  requireLen(OP, 'dbeta', dbeta, dim);
  if (accGamma.length < dim) {
    accGamma = new Float64Array(dim);
    accBeta = new Float64Array(dim);
  } else {
    accGamma.fill(0, 0, dim);
    accBeta.fill(0, 0, dim);
  }
  const ag = accGamma;
  const ab = accBeta;
  const invDim = 1 / dim;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    const m = mean[r];
    const rs = rstd[r];
    // First pass: the two row reductions the dx formula needs, plus the parameter gradients.
    let sumG = 0;
    let sumGX = 0;
    for (let i = 0; i < dim; i++) {
      const xhat = (x[o + i] - m) * rs;
      const d = dout[o + i];
      const g = d * gamma[i];
      sumG += g;
      sumGX += g * xhat;
      ag[i] += d * xhat;
      ab[i] += d;
    }
    const meanG = sumG * invDim;
    const meanGX = sumGX * invDim;
    for (let i = 0; i < dim; i++) {
      const xhat = (x[o + i] - m) * rs;
      dx[o + i] = (dout[o + i] * gamma[i] - meanG - xhat * meanGX) * rs;
    }
  }
  for (let i = 0; i < dim; i++) {
    dgamma[i] += ag[i];
    dbeta[i] += ab[i];
  }
}
