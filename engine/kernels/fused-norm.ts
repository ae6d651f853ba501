// A backend that runs the encoder layer's element-wise parts in its own graphs (norm-graphs.ts).
import type { GemmBackend } from './backend';

export interface ResidualNormForward {
  y: Float32Array;
  /** dropout(a) + residual, [rows x dim]. */
  sum: Float32Array;
  mean: Float32Array;
  rstd: Float32Array;
}

export interface ResidualNormGrads {
  /** The gradient at the residual sum. */
  dSum: Float32Array;
  /** dSum through the dropout: the gradient for `a`; dSum itself without dropout. */
  dA: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
}

/** keep: [rows x dim], 1 = kept, with keepScale = 1 / (1 - p); null without dropout. */
export interface Dropped {
  keep: Uint8Array | null;
  keepScale: number;
}

/** A residual LayerNorm's backward, for a backend call that runs it inside a larger graph. */
export interface NormBackwardInput {
  dOut: Float32Array;
  dOut2: Float32Array | null;
  saved: ResidualNormForward;
  drop: Dropped;
  gamma: Float32Array;
  rows: number;
  dim: number;
}

/** A residual LayerNorm's pending backward: run on its own, or inside a larger graph. */
export interface NormSource {
  /** Its inputs for a backend graph; null for the plain-JS runner. */
  graph: NormBackwardInput | null;
  /** Adds gamma's and beta's gradients when a larger graph ran this backward. */
  accept(g: ResidualNormGrads): void;
  /** The backward on its own (residualBackward). */
  run(): Promise<{ dSum: Float32Array; dA: Float32Array }>;
}

export interface NormBackend extends GemmBackend {
  residualNormForward(a: Float32Array, residual: Float32Array, drop: Dropped, gamma: Float32Array, beta: Float32Array, rows: number, dim: number, eps: number): Promise<ResidualNormForward>;
  residualNormBackward(dOut: Float32Array, dOut2: Float32Array | null, saved: ResidualNormForward, drop: Dropped, gamma: Float32Array, rows: number, dim: number): Promise<ResidualNormGrads>;
  geluForward(x: Float32Array, rows: number): Promise<Float32Array>;
}

export function isNormBackend(b: GemmBackend): b is NormBackend {
  return typeof (b as Partial<NormBackend>).residualNormForward === 'function';
}
