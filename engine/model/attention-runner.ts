// BERT's attention core for the encoder layer: onnxruntime graphs when the backend has them,
// the plain-JS ops otherwise. Both draw the same dropout keep-mask from the same generator
// (dropoutMask over batch*heads*seq*seq elements in index order), so a run is the same on either.
import type { GemmBackend } from '../kernels/backend';
import { AttentionSaved, isAttentionBackend, isAttentionBlockBackend } from '../kernels/fused-attention';
import { Linear } from '../nn/linear';
import type { NormSource } from '../kernels/fused-norm';
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
  /**
   * The whole block's backward from the LayerNorm after it: that LayerNorm (its dA is the output
   * projection's dY, its dSum the residual branch's gradient), the output projection, this core,
   * and query/key/value (their dX summed with the residual branch), accumulating every gradient;
   * one backend run where the backend and the layers' forwards allow it.
   */
  blockBackward(norm: NormSource, outProj: Linear, qkv: readonly Linear[], saved: unknown, s: AttentionDims): Promise<Float32Array>;
}

/** The block's backward one part after the other. */
async function blockBackwardInSteps(runner: AttentionRunner, norm: NormSource, outProj: Linear, qkv: readonly Linear[], saved: unknown, s: AttentionDims): Promise<Float32Array> {
  const { dSum: dxAdd, dA: dy } = await norm.run();
  const dctx = await outProj.backward(dy);
  const { dq, dk, dv } = await runner.backward(dctx, saved, s);
  return Linear.backwardSharedInput(qkv, [dq, dk, dv], dxAdd);
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
      async blockBackward(norm, outProj, qkv, saved, s) {
        const o = outProj.pendingFusedBackward();
        const shared = qkv.map((l) => l.pendingFusedBackward());
        // Query, key and value must come from one shared forward (the same codes of x).
        const oneGraph = isAttentionBlockBackend(backend) && o !== null && qkv.length === 3 && shared.every((p) => p !== null && p.xq === shared[0]!.xq);
        if (!oneGraph || !norm.graph) return blockBackwardInSteps(this, norm, outProj, qkv, saved, s);
        outProj.checkNormAfter(norm.graph);
        const outPart = outProj.takeFusedBackward();
        const parts = qkv.map((l) => l.takeFusedBackward());
        const r = await backend.attentionBlockBackward({ norm: norm.graph }, outPart, saved as AttentionSaved, s, parts);
        norm.accept(r.norm!);
        outProj.accumulate(r.outProj.dw, r.outProj.db);
        qkv.forEach((l, i) => l.accumulate(r.qkv[i].dw, r.qkv[i].db));
        return r.dx;
      },
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
    blockBackward(norm, outProj, qkv, saved, s) {
      return blockBackwardInSteps(this, norm, outProj, qkv, saved, s);
    },
  };
}
