// One BERT encoder layer, forward and backward (post-LayerNorm, as in BERT):
//   h1  = LN1(dropout(O(attention(Q x, K x, V x))) + x)
//   out = LN2(dropout(Out(gelu(I h1))) + h1)
// The six linear layers are integer (or fp32) `Linear`s; softmax, GELU and LayerNorm stay float.
import { Linear } from '../nn/linear';
import type { AttentionRunner } from './attention-runner';
import { dropoutBackward, dropoutForward } from '../nn/ops/dropout';
import { geluBackward, geluForward } from '../nn/ops/gelu';
import { layerNormBackward, layerNormForward } from '../nn/ops/layernorm';
import type { Rng } from '../nn/ops/rng';
import type { Param } from './params';

export interface EncoderLayerParts {
  query: Linear;
  key: Linear;
  value: Linear;
  attentionOut: Linear;
  intermediate: Linear;
  output: Linear;
  ln1Gamma: Param;
  ln1Beta: Param;
  ln2Gamma: Param;
  ln2Beta: Param;
}

export interface LayerShape {
  batch: number;
  seq: number;
  hidden: number;
  heads: number;
  intermediate: number;
  eps: number;
}

export interface LayerDropout {
  hidden: number;
  attention: number;
  rng: Rng;
}

interface LayerCache {
  x: Float32Array;
  attention: unknown;
  mask1: Uint8Array;
  res1: Float32Array;
  mean1: Float32Array;
  rstd1: Float32Array;
  h1: Float32Array;
  inter: Float32Array;
  mask2: Uint8Array;
  res2: Float32Array;
  mean2: Float32Array;
  rstd2: Float32Array;
}

export class EncoderLayer {
  private cache: LayerCache | null = null;

  constructor(readonly parts: EncoderLayerParts) {}

  async forward(x: Float32Array, attnMask: Uint8Array, s: LayerShape, drop: LayerDropout, attentionCore: AttentionRunner): Promise<Float32Array> {
    const p = this.parts;
    const rows = s.batch * s.seq;
    const n = rows * s.hidden;
    const q = await p.query.forward(x, rows);
    const k = await p.key.forward(x, rows);
    const v = await p.value.forward(x, rows);
    const { ctx, saved: attention } = await attentionCore.forward(q, k, v, attnMask, s, drop.attention, drop.rng);
    const ao = await p.attentionOut.forward(ctx, rows);
    const mask1 = new Uint8Array(n);
    dropoutForward(ao, mask1, ao, n, drop.hidden, drop.rng);
    const res1 = ao;
    for (let i = 0; i < n; i++) res1[i] += x[i];
    const h1 = new Float32Array(n);
    const mean1 = new Float32Array(rows);
    const rstd1 = new Float32Array(rows);
    layerNormForward(h1, mean1, rstd1, res1, p.ln1Gamma.data, p.ln1Beta.data, rows, s.hidden, s.eps);
    const inter = await p.intermediate.forward(h1, rows);
    const act = new Float32Array(inter.length);
    geluForward(act, inter, inter.length);
    const o = await p.output.forward(act, rows);
    const mask2 = new Uint8Array(n);
    dropoutForward(o, mask2, o, n, drop.hidden, drop.rng);
    const res2 = o;
    for (let i = 0; i < n; i++) res2[i] += h1[i];
    const out = new Float32Array(n);
    const mean2 = new Float32Array(rows);
    const rstd2 = new Float32Array(rows);
    layerNormForward(out, mean2, rstd2, res2, p.ln2Gamma.data, p.ln2Beta.data, rows, s.hidden, s.eps);
    this.cache = { x, attention, mask1, res1, mean1, rstd1, h1, inter, mask2, res2, mean2, rstd2 };
    return out;
  }

  /** From dOut [rows x hidden] accumulates every parameter gradient; returns dX. */
  async backward(dOut: Float32Array, s: LayerShape, drop: LayerDropout, attentionCore: AttentionRunner): Promise<Float32Array> {
    const c = this.cache!;
    this.cache = null;
    const p = this.parts;
    const rows = s.batch * s.seq;
    const n = rows * s.hidden;
    const dRes2 = new Float32Array(n);
    layerNormBackward(dRes2, p.ln2Gamma.grad, p.ln2Beta.grad, dOut, c.res2, c.mean2, c.rstd2, p.ln2Gamma.data, rows, s.hidden);
    const dO = new Float32Array(n);
    dropoutBackward(dO, dRes2, c.mask2, n, drop.hidden);
    const dAct = await p.output.backward(dO);
    const dInter = new Float32Array(dAct.length);
    geluBackward(dInter, dAct, c.inter, dAct.length);
    const dH1 = await p.intermediate.backward(dInter);
    for (let i = 0; i < n; i++) dH1[i] += dRes2[i];
    const dRes1 = new Float32Array(n);
    layerNormBackward(dRes1, p.ln1Gamma.grad, p.ln1Beta.grad, dH1, c.res1, c.mean1, c.rstd1, p.ln1Gamma.data, rows, s.hidden);
    const dAo = new Float32Array(n);
    dropoutBackward(dAo, dRes1, c.mask1, n, drop.hidden);
    const dCtx = await p.attentionOut.backward(dAo);
    const { dq, dk, dv } = await attentionCore.backward(dCtx, c.attention, s);
    const dx = await p.query.backward(dq);
    const dxk = await p.key.backward(dk);
    const dxv = await p.value.backward(dv);
    for (let i = 0; i < n; i++) dx[i] += dxk[i] + dxv[i] + dRes1[i];
    return dx;
  }
}
