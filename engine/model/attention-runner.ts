// BERT's attention core for the encoder layer: onnxruntime graphs when the backend has them,
// the plain-JS ops otherwise. Both draw the same dropout keep-mask from the same generator
// (dropoutMask over batch*heads*seq*seq elements in index order), so a run is the same on either.
import type { GemmBackend } from '../kernels/backend';
import { AttentionSaved, isAttentionBackend } from '../kernels/fused-attention';
import { ATTENTION_MASK_BIAS, AttentionCache, attentionBackward, attentionForward, BatchedMatmul } from '../nn/ops/attention';
import { dropoutMask } from '../nn/ops/dropout';
import type { Rng } from '../nn/ops/rng';

export interface AttentionDims {
  batch: number;
  seq: number;
  heads: number;
  hidden: number;
}

export interface AttentionRunner {
  forward(q: Float32Array, k: Float32Array, v: Float32Array, attnMask: Uint8Array, s: AttentionDims, dropout: number, rng: Rng): Promise<{ ctx: Float32Array; saved: unknown }>;
  backward(dctx: Float32Array, saved: unknown, s: AttentionDims): Promise<{ dq: Float32Array; dk: Float32Array; dv: Float32Array }>;
}

export function attentionRunner(backend: GemmBackend): AttentionRunner {
  if (isAttentionBackend(backend)) {
    return {
      async forward(q, k, v, attnMask, s, p, rng) {
        const maskBias = new Float32Array(s.batch * s.seq);
        for (let i = 0; i < maskBias.length; i++) maskBias[i] = attnMask[i] ? 0 : ATTENTION_MASK_BIAS;
        const keep = new Uint8Array(s.batch * s.heads * s.seq * s.seq);
        if (p > 0) dropoutMask(keep, keep.length, p, rng);
        else keep.fill(1);
        const keepScale = 1 / (1 - p);
        const { ctx, probs } = await backend.attentionForward(q, k, v, maskBias, keep, keepScale, s);
        const saved: AttentionSaved = { q, k, v, probs, keep, keepScale, maskBias };
        return { ctx, saved };
      },
      backward: (dctx, saved, s) => backend.attentionBackward(dctx, saved as AttentionSaved, s),
    };
  }
  const matmul: BatchedMatmul = (a, b, batch, m, k, n, transB) => backend.f32BatchedMatmul(a, b, batch, m, k, n, transB);
  return {
    async forward(q, k, v, attnMask, s, p, rng) {
      const ctx = new Float32Array(q.length);
      const saved = await attentionForward(ctx, q, k, v, attnMask, s.batch, s.seq, s.heads, s.hidden, { matmul, dropoutP: p, rng });
      return { ctx, saved };
    },
    async backward(dctx, saved) {
      const c = saved as AttentionCache;
      const dq = new Float32Array(dctx.length);
      const dk = new Float32Array(dctx.length);
      const dv = new Float32Array(dctx.length);
      await attentionBackward(dq, dk, dv, dctx, c, matmul);
      return { dq, dk, dv };
    },
  };
}
