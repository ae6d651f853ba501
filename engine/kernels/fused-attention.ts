// A backend that runs BERT's attention core in its own graphs (attention-graphs.ts).
import type { GemmBackend } from './backend';
import type { FusedBackwardResult, FusedSaved } from './fused-linear';

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
 * The attention block's backward in one run: the output projection's (from dY), the attention
 * core's and query/key/value's (summed dX plus the residual branch `dxAdd`), so dContext and
 * dQ, dK, dV stay inside onnxruntime. Each part equals its own call's results.
 */
export interface AttentionBlockBackend extends AttentionBackend {
  attentionBlockBackward(
    dy: Float32Array, outProj: BlockLinear, attention: AttentionSaved, shape: AttentionShape, qkv: readonly BlockLinear[], dxAdd: Float32Array,
  ): Promise<{ dx: Float32Array; outProj: Omit<FusedBackwardResult, 'dx'>; qkv: Array<Omit<FusedBackwardResult, 'dx'>> }>;
}

export function isAttentionBlockBackend(b: GemmBackend): b is AttentionBlockBackend {
  return typeof (b as Partial<AttentionBlockBackend>).attentionBlockBackward === 'function';
}
