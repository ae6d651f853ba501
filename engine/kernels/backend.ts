// The operations a linear layer needs, declared once and implemented per backend (a plain
// reference for tests, onnxruntime for speed), in Hugging Face orientation: X [M x K],
// W [N x K], Y = X W^T + b. Integer parts are exact; tests pit backends against each other.
import type { DfpMatrix } from '../quant/dfp';
import type { QuantizedActivation } from '../quant/outliers';

/**
 * Which operands are transposed in C[m x n] = op(A) op(B):
 * 'NT': A [m x k], B [n x k]  (forward: X W^T)
 * 'NN': A [m x k], B [k x n]  (input gradient: dY W)
 * 'TN': A [k x m], B [k x n]  (weight gradient: dY^T X)
 */
export type MatmulLayout = 'NT' | 'NN' | 'TN';

export interface GemmDims {
  m: number;
  k: number;
  n: number;
}

export interface LinearForwardInput {
  x: QuantizedActivation;
  /** int8 DFP weight [N x K], per tensor or per output feature. */
  w: DfpMatrix;
  bias: Float32Array | null;
}

/** The exact integer accumulators of a tiled forward product, before any scaling. */
export interface LinearForwardParts {
  /** Q_in * Q_W^T, [M x N]. */
  inlier: Int32Array;
  /** 64 * (H_C Q_W[:,C]^T) + L_C Q_W[:,C]^T, [M x N]; null without outliers. */
  outlier: Int32Array | null;
}

/** Inputs of the LLM.int8()-style baseline: int8 with vector-wise scales, outlier columns in fp32. */
export interface LlmInt8Input {
  /** X with the outlier columns zeroed, int8 per row: X_in[m, k] ~ xq[m, k] * xScale[m]. */
  xq: Int8Array;
  xScale: Float32Array;
  /** W int8 per output feature: W[n, k] ~ wq[n, k] * wScale[n]. */
  wq: Int8Array;
  wScale: Float32Array;
  /** X[:, C] and W[:, C] in float, [M x C] and [N x C]. */
  xOutlier: Float32Array;
  wOutlier: Float32Array;
  columns: Int32Array;
  bias: Float32Array | null;
  dims: GemmDims;
}

export interface GemmBackend {
  readonly name: string;
  /** Exact int32 product of int8 matrices. */
  int8Matmul(a: Int8Array, b: Int8Array, dims: GemmDims, layout: MatmulLayout): Promise<Int32Array>;
  /** Exact integer parts of the tiled forward product (verification and analysis). */
  linearForwardParts(input: LinearForwardInput): Promise<LinearForwardParts>;
  /** Y = s_x s_w (Q_in Q_W^T) + s_out s_w (64 H W_C^T + L W_C^T) + b, as float32 [M x N]. */
  linearForward(input: LinearForwardInput): Promise<Float32Array>;
  /** dX = s_dy s_w (Q_dY Q_W), float32 [M x K]. dY is [M x N]; w must have one exponent. */
  linearGradInput(dy: DfpMatrix, w: DfpMatrix): Promise<Float32Array>;
  /**
   * dW = s_dy s_x (Q_dY^T Q_in) plus, in the outlier columns, s_dy s_out Q_dY^T (64 H + L);
   * float32 [N x K]. Both operands need one exponent each (the contraction runs over tokens).
   */
  linearGradWeight(dy: DfpMatrix, x: QuantizedActivation): Promise<Float32Array>;
  /** Float product with optional bias [n], for fp32 layers and attention. */
  f32Matmul(a: Float32Array, b: Float32Array, dims: GemmDims, layout: MatmulLayout, bias?: Float32Array | null): Promise<Float32Array>;
  /** C[t] = A[t] op(B[t]) for t < batch: A [batch x m x k], B [batch x k x n] or [batch x n x k] (transB). */
  f32BatchedMatmul(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number, transB: boolean): Promise<Float32Array>;
  /** LLM.int8()-style baseline: int8 GEMM with vector-wise scales plus an fp32 GEMM over C. */
  llmInt8Forward(input: LlmInt8Input): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/**
 * The most K for which an int32 accumulator of int8 x int8 products cannot overflow:
 * 127 * 128 * K < 2^31. Backends chunk longer contractions (the weight gradient contracts over
 * all tokens of a batch) and add the chunks in float.
 */
export const MAX_EXACT_K = Math.floor((2 ** 31 - 1) / (127 * 128));

/** The most outlier columns for which 64*hi + lo products still fit int32: 2047*127*C < 2^31. */
export const MAX_OUTLIER_COLUMNS = Math.floor((2 ** 31 - 1) / (4095 * 127));
