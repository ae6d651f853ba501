// A backend that runs BERT's attention core in its own graphs (attention-graphs.ts).
import type { GemmBackend } from './backend';
import type { FusedBackwardResult, FusedSaved } from './fused-linear';
import type { NormBackwardInput, ResidualNormGrads } from './fused-norm';

export interface AttentionShape {
  batch: number;
  seq: number;
  heads: number;
  hidden: number;
}

export interface AttentionSaved {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  probs: Float32Array;
  /** [batch*heads*seq*seq], 1 = kept; all ones without dropout. */
  keep: Uint8Array;
  keepScale: number;
  /** [batch*seq], 0 or -10000 per key. */
  maskBias: Float32Array;
}

export interface AttentionBackend extends GemmBackend {
  attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, maskBias: Float32Array, keep: Uint8Array, keepScale: number, s: AttentionShape): Promise<{ ctx: Float32Array; probs: Float32Array }>;
  attentionBackward(dctx: Float32Array, saved: AttentionSaved, s: AttentionShape): Promise<{ dq: Float32Array; dk: Float32Array; dv: Float32Array }>;
}

export function isAttentionBackend(b: GemmBackend): b is AttentionBackend {
  return typeof (b as Partial<AttentionBackend>).attentionForward === 'function';
}

/** One linear layer's part in a block backward: what its fused forward kept and this step's noise. */
export interface BlockLinear {
  saved: FusedSaved;
  noise: Float32Array | null;
}

/**
 * Where the attention block's backward starts: dY of the output projection and the residual
 * branch's gradient, or the LayerNorm after the block (its backward gives both, inside the graph).
 */
export type BlockSource = { dy: Float32Array; dxAdd: Float32Array } | { norm: NormBackwardInput };

/**
 * The attention block's backward in one run: (the LayerNorm's,) the output projection's, the
 * attention core's and query/key/value's (summed dX plus the residual branch), so dContext and
 * dQ, dK, dV (and the LayerNorm's gradients) stay inside onnxruntime. Each part equals its own
 * call's results.
 */
export interface AttentionBlockBackend extends AttentionBackend {
  attentionBlockBackward(
    source: BlockSource, outProj: BlockLinear, attention: AttentionSaved, shape: AttentionShape, qkv: readonly BlockLinear[],
  ): Promise<{ dx: Float32Array; outProj: Omit<FusedBackwardResult, 'dx'>; qkv: Array<Omit<FusedBackwardResult, 'dx'>>; norm: ResidualNormGrads | null }>;
}

export function isAttentionBlockBackend(b: GemmBackend): b is AttentionBlockBackend {
  return typeof (b as Partial<AttentionBlockBackend>).attentionBlockBackward === 'function';
}
