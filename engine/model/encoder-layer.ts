// One BERT encoder layer, forward and backward (post-LayerNorm, as in BERT):
//   h1  = LN1(dropout(O(attention(Q x, K x, V x))) + x)
//   out = LN2(dropout(Out(gelu(I h1))) + h1)
// The six linear layers are integer (or fp32) `Linear`s; softmax, GELU and LayerNorm stay float.
import { Linear } from '../nn/linear';
import type { AttentionRunner } from './attention-runner';
import type { NormRunner } from './norm-runner';
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
  attention: unknown;
  norm1: unknown;
  inter: Float32Array;
  norm2: unknown;
}

export class EncoderLayer {
  private cache: LayerCache | null = null;

  /** norm: the dropout + residual + LayerNorm and GELU parts, graphs or plain JS (norm-runner.ts). */
  constructor(readonly parts: EncoderLayerParts, private readonly norm: NormRunner) {}

  async forward(x: Float32Array, attnMask: Uint8Array, s: LayerShape, drop: LayerDropout, attentionCore: AttentionRunner): Promise<Float32Array> {
    const p = this.parts;
    const rows = s.batch * s.seq;
    const dims = { rows, dim: s.hidden, eps: s.eps };
    // One graph for the three when they share settings: x is quantized and split once.
    const [q, k, v] = await Linear.forwardSharedInput([p.query, p.key, p.value], x, rows);
    const { ctx, saved: attention } = await attentionCore.forward(q, k, v, attnMask, s, drop.attention, drop.rng);
    const ao = await p.attentionOut.forward(ctx, rows);
    const { y: h1, saved: norm1 } = await this.norm.residualForward(ao, x, p.ln1Gamma, p.ln1Beta, dims, drop.hidden, drop.rng);
    const inter = await p.intermediate.forward(h1, rows);
    // GELU runs inside the output layer's graph where it can (its input never leaves it).
    const o = await p.output.forwardThroughGelu(inter, rows, (pre, r) => this.norm.gelu(pre, r));
    const { y: out, saved: norm2 } = await this.norm.residualForward(o, h1, p.ln2Gamma, p.ln2Beta, dims, drop.hidden, drop.rng);
    this.cache = { attention, norm1, inter, norm2 };
    return out;
  }

  /** From dOut [rows x hidden] accumulates every parameter gradient; returns dX. */
  async backward(dOut: Float32Array, s: LayerShape, drop: LayerDropout, attentionCore: AttentionRunner): Promise<Float32Array> {
    const c = this.cache!;
    this.cache = null;
    const p = this.parts;
    const rows = s.batch * s.seq;
    const dims = { rows, dim: s.hidden, eps: s.eps };
    // LayerNorm 2, the output layer, GELU and the intermediate layer: one graph when the forwards
    // were fused. dRes2 is LayerNorm 2's gradient at its residual sum.
    const norm2 = this.norm.backwardSource(dOut, null, c.norm2, p.ln2Gamma, p.ln2Beta, dims);
    const { dx: dH1, dSum: dRes2 } = await Linear.backwardFromNormThroughGeluInto(norm2, p.output, p.intermediate, c.inter);
    // The residual fork: h1 feeds both the feed-forward block and the second residual sum. Then
    // LayerNorm 1, output projection, attention core and query/key/value (their dX plus the
    // residual branch): one graph when the forwards were fused, so none of the [rows x hidden]
    // gradients between them leaves it.
    const norm1 = this.norm.backwardSource(dH1, dRes2, c.norm1, p.ln1Gamma, p.ln1Beta, dims);
    return attentionCore.blockBackward(norm1, p.attentionOut, [p.query, p.key, p.value], c.attention, s);
  }
}
