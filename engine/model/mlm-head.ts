// BertForMaskedLM's head (transformers' BertLMPredictionHead): a transform (dense, GELU,
// LayerNorm) and a decoder whose weight is the word-embedding table, plus an output bias.
// Only the positions the loss looks at are computed: the encoder's rows at those positions are
// gathered first, so the [positions x vocab] decoder product (the costliest GEMM of pretraining
// with a real vocabulary) and the transform run on about 15% of the tokens. The transform is
// per token, so gathering first gives the same values as Hugging Face's full-sequence head in
// fp32; in the int8 modes the transform's DFP exponent comes from the gathered rows only.
import { OctetError } from '../errors';
import type { GemmBackend } from '../kernels/backend';
import type { Linear } from '../nn/linear';
import { geluBackward, geluForward } from '../nn/ops/gelu';
import { layerNormBackward, layerNormForward } from '../nn/ops/layernorm';
import type { Param } from './params';

export interface MaskedLmParams {
  /** cls.predictions.transform.dense: an integer Linear in the int8 modes, like every other. */
  transform: Linear;
  lnGamma: Param;
  lnBeta: Param;
  /** embeddings.word_embeddings.weight [vocab x hidden], the tied decoder weight. */
  wordEmbeddings: Param;
  /** cls.predictions.bias [vocab]. */
  bias: Param;
}

interface HeadCache {
  rows: number;
  positions: Int32Array;
  pre: Float32Array;
  act: Float32Array;
  mean: Float32Array;
  rstd: Float32Array;
  normed: Float32Array;
}

export class MaskedLmHead {
  private cache: HeadCache | null = null;

  constructor(
    private readonly p: MaskedLmParams,
    private readonly backend: GemmBackend,
    private readonly hidden: number,
    private readonly eps: number,
  ) {}

  /** Logits [positions x vocab] for the rows `positions` of x [rows x hidden] (every row when null). */
  async forward(x: Float32Array, rows: number, positions: Int32Array | null): Promise<Float32Array> {
    const h = this.hidden;
    const pos = positions ?? Int32Array.from({ length: rows }, (_, i) => i);
    const n = pos.length;
    const gathered = new Float32Array(n * h);
    for (let i = 0; i < n; i++) {
      const r = pos[i]!;
      if (!(r >= 0 && r < rows)) throw new OctetError('invalid-argument', `masked position ${r} is outside the batch's ${rows} tokens`);
      gathered.set(x.subarray(r * h, (r + 1) * h), i * h);
    }
    const empty = new Float32Array(0);
    // A batch without a masked token (possible at 15% on very short texts) predicts nothing.
    if (n === 0) {
      this.cache = { rows, positions: pos, pre: empty, act: empty, mean: empty, rstd: empty, normed: empty };
      return empty;
    }
    const pre = await this.p.transform.forward(gathered, n);
    const act = new Float32Array(n * h);
    geluForward(act, pre, n * h);
    const normed = new Float32Array(n * h);
    const mean = new Float32Array(n);
    const rstd = new Float32Array(n);
    layerNormForward(normed, mean, rstd, act, this.p.lnGamma.data, this.p.lnBeta.data, n, h, this.eps);
    this.cache = { rows, positions: pos, pre, act, mean, rstd, normed };
    // The decoder is tied to the word embeddings, a float32 table the embedding lookup shares
    // (embeddings stay float, method.md section 2), so it is not a Linear with its own int8
    // weight: its product runs as one float32 GEMM through the backend.
    const vocab = this.p.bias.data.length;
    return this.backend.f32Matmul(normed, this.p.wordEmbeddings.data, { m: n, k: h, n: vocab }, 'NT', this.p.bias.data);
  }

  /**
   * From dLogits [positions x vocab]: accumulates the head's gradients, the decoder's into the
   * word embeddings' gradient (tied weights), and returns the encoder output's gradient
   * [rows x hidden] (zero at the positions not predicted).
   */
  async backward(dLogits: Float32Array): Promise<Float32Array> {
    const c = this.cache;
    if (!c) throw new OctetError('invalid-argument', 'masked LM head: backward called without a forward pass');
    this.cache = null;
    const h = this.hidden;
    const n = c.positions.length;
    const vocab = this.p.bias.data.length;
    if (dLogits.length !== n * vocab) {
      throw new OctetError('shape-mismatch', `masked LM logits gradient has ${dLogits.length} values, expected ${n} x ${vocab}`);
    }
    const dx = new Float32Array(c.rows * h);
    if (n === 0) return dx;
    const biasGrad = this.p.bias.grad;
    for (let i = 0; i < n; i++) for (let v = 0; v < vocab; v++) biasGrad[v] += dLogits[i * vocab + v]!;
    const [dNormed, dEmbeddings] = await Promise.all([
      this.backend.f32Matmul(dLogits, this.p.wordEmbeddings.data, { m: n, k: vocab, n: h }, 'NN'),
      this.backend.f32Matmul(dLogits, c.normed, { m: vocab, k: n, n: h }, 'TN'),
    ]);
    const embGrad = this.p.wordEmbeddings.grad;
    for (let i = 0; i < embGrad.length; i++) embGrad[i] += dEmbeddings[i]!;
    const dAct = new Float32Array(n * h);
    layerNormBackward(dAct, this.p.lnGamma.grad, this.p.lnBeta.grad, dNormed, c.act, c.mean, c.rstd, this.p.lnGamma.data, n, h);
    geluBackward(dAct, dAct, c.pre, n * h);
    const dGathered = await this.p.transform.backward(dAct);
    for (let i = 0; i < n; i++) {
      const r = c.positions[i]!;
      for (let j = 0; j < h; j++) dx[r * h + j] += dGathered[i * h + j]!;
    }
    return dx;
  }
}
