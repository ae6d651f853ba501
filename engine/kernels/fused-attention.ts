// A backend that runs BERT's attention core in its own graphs (attention-graphs.ts).
import type { GemmBackend } from './backend';

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
