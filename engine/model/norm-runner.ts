// The encoder layer's element-wise parts, dropout + residual + LayerNorm and GELU: onnxruntime
// graphs when the backend has them (norm-graphs.ts), the plain-JS ops otherwise. Both draw the
// same dropout keep-mask from the same generator (dropoutMask over rows*dim elements when p > 0,
// none when p = 0), so a run draws the same numbers on either.
import type { GemmBackend } from '../kernels/backend';
import { Dropped, isNormBackend, NormSource, ResidualNormForward } from '../kernels/fused-norm';
import { dropoutBackward, dropoutForward, dropoutMask } from '../nn/ops/dropout';
import { geluForward } from '../nn/ops/gelu';
import { layerNormBackward, layerNormForward } from '../nn/ops/layernorm';
import type { Rng } from '../nn/ops/rng';
import type { Param } from './params';

export type { NormSource } from '../kernels/fused-norm';

export interface NormDims {
  rows: number;
  dim: number;
  eps: number;
}

export interface NormRunner {
  /** y = LayerNorm(dropout(a) + residual). May overwrite `a`. */
  residualForward(a: Float32Array, residual: Float32Array, gamma: Param, beta: Param, d: NormDims, p: number, rng: Rng): Promise<{ y: Float32Array; saved: unknown }>;
  /**
   * From the gradient at y (plus dOut2, a second one arriving there, when not null) accumulates
   * gamma's and beta's gradients; returns the gradient at the sum (the residual's) and at `a`.
   * May overwrite `dOut`.
   */
  residualBackward(dOut: Float32Array, dOut2: Float32Array | null, saved: unknown, gamma: Param, beta: Param, d: NormDims): Promise<{ dSum: Float32Array; dA: Float32Array }>;
  /** GELU (exact, erf). Its backward is gelu.ts's geluBackward from the same x in both cases. */
  gelu(x: Float32Array, rows: number): Promise<Float32Array>;
  /** residualBackward's work, handed to whoever can run it inside a larger graph (see NormSource). */
  backwardSource(dOut: Float32Array, dOut2: Float32Array | null, saved: unknown, gamma: Param, beta: Param, d: NormDims): NormSource;
}

interface JsSaved {
  sum: Float32Array;
  mean: Float32Array;
  rstd: Float32Array;
  mask: Uint8Array;
  p: number;
}

interface GraphSaved {
  forward: ResidualNormForward;
  drop: Dropped;
}

export function normRunner(backend: GemmBackend): NormRunner {
  if (isNormBackend(backend)) {
    return {
      async residualForward(a, residual, gamma, beta, d, p, rng) {
        let keep: Uint8Array | null = null;
        if (p > 0) {
          keep = new Uint8Array(d.rows * d.dim);
          dropoutMask(keep, keep.length, p, rng);
        }
        const drop: Dropped = { keep, keepScale: 1 / (1 - p) };
        const forward = await backend.residualNormForward(a, residual, drop, gamma.data, beta.data, d.rows, d.dim, d.eps);
        const saved: GraphSaved = { forward, drop };
        return { y: forward.y, saved };
      },
      async residualBackward(dOut, dOut2, saved, gamma, beta, d) {
        const s = saved as GraphSaved;
        const g = await backend.residualNormBackward(dOut, dOut2, s.forward, s.drop, gamma.data, d.rows, d.dim);
        accumulateNorm(gamma, beta, g);
        return { dSum: g.dSum, dA: g.dA };
      },
      gelu: (x, rows) => backend.geluForward(x, rows),
      backwardSource(dOut, dOut2, saved, gamma, beta, d) {
        const s = saved as GraphSaved;
        return {
          graph: { dOut, dOut2, saved: s.forward, drop: s.drop, gamma: gamma.data, rows: d.rows, dim: d.dim },
          accept: (g) => accumulateNorm(gamma, beta, g),
          run: () => this.residualBackward(dOut, dOut2, saved, gamma, beta, d),
        };
      },
    };
  }
  return {
    async residualForward(a, residual, gamma, beta, d, p, rng) {
      const n = d.rows * d.dim;
      const mask = new Uint8Array(n);
      dropoutForward(a, mask, a, n, p, rng);
      for (let i = 0; i < n; i++) a[i] += residual[i];
      const y = new Float32Array(n);
      const mean = new Float32Array(d.rows);
      const rstd = new Float32Array(d.rows);
      layerNormForward(y, mean, rstd, a, gamma.data, beta.data, d.rows, d.dim, d.eps);
      const saved: JsSaved = { sum: a, mean, rstd, mask, p };
      return { y, saved };
    },
    async residualBackward(dOut, dOut2, saved, gamma, beta, d) {
      const s = saved as JsSaved;
      const n = d.rows * d.dim;
      if (dOut2) for (let i = 0; i < n; i++) dOut[i] += dOut2[i];
      const dSum = new Float32Array(n);
      layerNormBackward(dSum, gamma.grad, beta.grad, dOut, s.sum, s.mean, s.rstd, gamma.data, d.rows, d.dim);
      const dA = new Float32Array(n);
      dropoutBackward(dA, dSum, s.mask, n, s.p);
      return { dSum, dA };
    },
    async gelu(x) {
      const y = new Float32Array(x.length);
      geluForward(y, x, x.length);
      return y;
    },
    backwardSource(dOut, dOut2, saved, gamma, beta, d) {
      return {
        graph: null,
        accept() {
          throw new Error('unreachable: the plain-JS LayerNorm has no graph to run inside');
        },
        run: () => this.residualBackward(dOut, dOut2, saved, gamma, beta, d),
      };
    },
  };
}

function accumulateNorm(gamma: Param, beta: Param, g: { dGamma: Float32Array; dBeta: Float32Array }): void {
  addInto(gamma.grad, g.dGamma);
  addInto(beta.grad, g.dBeta);
}

function addInto(target: Float32Array, src: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i] += src[i];
}
