// A backend that quantizes inside its graphs (fused-graphs.ts): the linear layer hands it float
// tensors and gets float results, plus what the backward pass needs.
import type { GemmBackend } from './backend';
import type { NormBackwardInput, ResidualNormGrads } from './fused-norm';
import type { OutlierExponentRule } from '../quant/outliers';

export interface FusedForwardOptions {
  outliers: boolean;
  /** gamma, absolute or (stdUnits) in standard deviations of the input. */
  threshold: number;
  stdUnits: boolean;
  /** Default 'own' (engine/quant/outliers.ts). */
  outlierExponent?: OutlierExponentRule;
  /** x is a pre-activation and the layers read gelu(x) (fused-graphs.ts `geluInput`). */
  geluInput?: boolean;
}

/** What the forward pass keeps for the backward: every operand already quantized. */
export interface FusedSaved {
  rows: number;
  inFeatures: number;
  outFeatures: number;
  /** Inliers (all of X without outliers), int8 [M x K]. */
  xq: Int8Array;
  xScale: number;
  wq: Int8Array;
  wScale: number;
  /** hi and lo are [M x (C + 1)]: a zero column pads them (fused-graphs.ts PADDED_OUTLIER_COLUMN). */
  outlier: { columns: Int32Array; hi: Int8Array; lo: Int8Array; scale: number; count: number } | null;
}

export interface FusedForwardResult {
  y: Float32Array;
  saved: FusedSaved;
  maxAbs: number;
  threshold: number;
}


export interface FusedBackwardResult {
  dx: Float32Array;
  /** Weight gradient with the outlier columns' 12-bit part already added. */
  dw: Float32Array;
  db: Float32Array;
  /** dY's codes, only when asked for (verification). */
  dyq: Int8Array | null;
  dyScale: number;
}

export interface FusedBackwardExtras {
  /** Also return dY's codes (verification). */
  withCodes?: boolean;
  /**
   * The layer's input was gelu(geluInput) [rows x in]: return the gradient of geluInput,
   * dX * gelu'(geluInput), instead of dX (the feed-forward block's output layer).
   */
  geluInput?: Float32Array;
}

/** One of several linear layers that read the same input (attention's query, key and value). */
export interface SharedInputLayer {
  w: Float32Array;
  outFeatures: number;
  bias: Float32Array | null;
}

export interface SharedInputBackwardResult {
  /** The sum of the layers' dX (plus dxAdd), through GELU's derivative when asked. */
  dx: Float32Array;
  layers: Array<Omit<FusedBackwardResult, 'dx'>>;
}

export interface FusedLinearBackend extends GemmBackend {
  fusedLinearForward(x: Float32Array, rows: number, w: Float32Array, outFeatures: number, bias: Float32Array | null, o: FusedForwardOptions): Promise<FusedForwardResult>;
  /** noise: uniform in [-1/2, 1/2) per element of dY for stochastic rounding, or null for nearest. */
  fusedLinearBackward(dy: Float32Array, saved: FusedSaved, noise: Float32Array | null, opts?: FusedBackwardExtras): Promise<FusedBackwardResult>;
  /**
   * fusedLinearForward for layers that read the same x, in one graph: x is quantized and split
   * once (the same codes each layer would get alone), each layer keeps its own weight scale.
   */
  fusedSharedInputForward(x: Float32Array, rows: number, layers: readonly SharedInputLayer[], o: FusedForwardOptions): Promise<FusedForwardResult[]>;
  /** Their backward in one graph: each dY quantized as alone; dX summed, with dxAdd, in the graph. */
  fusedSharedInputBackward(
    dys: readonly Float32Array[], saved: readonly FusedSaved[], noises: readonly (Float32Array | null)[], extras?: FusedBackwardExtras & { dxAdd?: Float32Array },
  ): Promise<SharedInputBackwardResult>;
  /**
   * The feed-forward block's two layers' backward in one run: the output layer's through GELU,
   * whose d(pre) is the intermediate layer's dY and never leaves the graph.
   */
  fusedChainBackward(
    first: { dy: Float32Array | null; saved: FusedSaved; noise: Float32Array | null; geluInput: Float32Array },
    second: { saved: FusedSaved; noise: Float32Array | null },
    /** Start from the LayerNorm after the block instead of dY (first.dy null): its dA is dY. */
    norm?: NormBackwardInput,
  ): Promise<{ dx: Float32Array; layers: [Omit<FusedBackwardResult, 'dx'>, Omit<FusedBackwardResult, 'dx'>]; norm: ResidualNormGrads | null }>;
  /**
   * fp32 layers reading the same x (or gelu(x) with geluInput), in one graph
   * (f32-linear-graphs.ts): y per layer, the numbers f32Matmul gives for each alone.
   */
  f32LinearForward(x: Float32Array, rows: number, layers: readonly SharedInputLayer[], o?: { geluInput?: boolean }): Promise<Float32Array[]>;
  /**
   * Their backward in one graph. x is the forward's input (after GELU), or null when the forward
   * took GELU into its graph: then the graph remakes x as gelu(geluInput), the same op's numbers.
   */
  f32LinearBackward(
    dys: readonly Float32Array[], weights: readonly Float32Array[], x: Float32Array | null, rows: number, extras?: { geluInput?: Float32Array; dxAdd?: Float32Array; bias?: boolean },
  ): Promise<F32LinearBackwardResult>;
}

/** fp32 layers' backward from f32LinearBackward: dX (summed, through GELU as asked), and per layer dW and db. */
export interface F32LinearBackwardResult {
  dx: Float32Array;
  layers: Array<{ dw: Float32Array; db: Float32Array | null }>;
}

export function isFusedBackend(b: GemmBackend): b is FusedLinearBackend {
  return typeof (b as Partial<FusedLinearBackend>).fusedLinearForward === 'function';
}

/** Rows beyond which the weight gradient's int32 contraction over tokens could wrap (255 * 127 * M). */
export const FUSED_MAX_ROWS = 65536;
