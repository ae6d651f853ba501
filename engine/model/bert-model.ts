// BERT with a task head, forward and backward over one padded batch. Every linear layer is an
// integer (or fp32) `Linear` in the mode the manifest gives its name; embeddings, LayerNorm,
// softmax, GELU, tanh and the loss stay float32 (method.md section 2).
import type { BertConfig } from '../checkpoint/bert-config';
import { bertParameterShapes, type BertHead } from '../checkpoint/bert-heads';
import { OctetError } from '../errors';
import type { GemmBackend } from '../kernels/backend';
import { Linear } from '../nn/linear';
import type { LinearPrecision } from '../nn/precision';
import { dropoutBackward, dropoutForward } from '../nn/ops/dropout';
import { embeddingBackward, embeddingForward } from '../nn/ops/embedding';
import { layerNormBackward, layerNormForward } from '../nn/ops/layernorm';
import { Rng } from '../nn/ops/rng';
import type { TokenBatch } from './batch';
import { EncoderLayer, LayerDropout, LayerShape } from './encoder-layer';
import { attentionRunner, type AttentionRunner } from './attention-runner';
import { normRunner } from './norm-runner';
import { MaskedLmHead } from './mlm-head';
import { newParam, Param } from './params';

/** Heads the model computes: sequence classification (and regression with one label), extractive QA and masked LM. */
export type SupportedHead = Extract<BertHead, 'sequence-classification' | 'question-answering' | 'masked-lm'>;

export interface BertModelOptions {
  /** Precision of each linear layer, by layer name (e.g. `encoder.layer.3.output.dense`). */
  precisionFor?: (layerName: string) => Partial<LinearPrecision>;
  /** Seeds weight initialisation, dropout and stochastic rounding. */
  seed?: number;
}

interface EmbeddingCache {
  sum: Float32Array;
  mean: Float32Array;
  rstd: Float32Array;
  mask: Uint8Array;
}

interface HeadCache {
  pooledPre: Float32Array;
  pooled: Float32Array;
  mask: Uint8Array;
}

export class BertModel {
  readonly params = new Map<string, Param>();
  readonly linears = new Map<string, Linear>();
  readonly layers: EncoderLayer[] = [];
  readonly dropoutRng: Rng;
  private embCache: EmbeddingCache | null = null;
  private headCache: HeadCache | null = null;
  private lastBatch: TokenBatch | null = null;
  private readonly attention: AttentionRunner;
  /** Absent for question answering and masked LM, which (like transformers' classes) have no pooler. */
  private readonly pooler: Linear | null;
  /** The head's output layer: `classifier`, or `qa_outputs` for question answering; null for masked LM. */
  private readonly classifier: Linear | null;
  /** The masked-LM head (engine/model/mlm-head.ts); null for the other heads. */
  private readonly mlmHead: MaskedLmHead | null;

  constructor(
    readonly config: BertConfig,
    readonly head: SupportedHead,
    readonly backend: GemmBackend,
    opts: BertModelOptions = {},
  ) {
    const seed = opts.seed ?? 0;
    this.dropoutRng = new Rng(seed + 1);
    this.attention = attentionRunner(backend);
    let linearSeed = seed * 1000 + 17;
    const shapes = bertParameterShapes(config, head);
    for (const [name, shape] of shapes) {
      if (name.endsWith('.weight') && shape.length === 2 && !name.startsWith('embeddings.')) {
        const layerName = name.slice(0, -'.weight'.length);
        const linear = new Linear(layerName, shape[1], shape[0], backend, {
          precision: opts.precisionFor?.(layerName),
          seed: linearSeed++,
        });
        this.linears.set(layerName, linear);
        this.params.set(name, { name, shape, data: linear.weight, grad: linear.gradWeight });
        this.params.set(`${layerName}.bias`, { name: `${layerName}.bias`, shape: [shape[0]], data: linear.bias!, grad: linear.gradBias! });
      } else if (!this.params.has(name)) {
        this.params.set(name, newParam(name, shape));
      }
    }
    const norm = normRunner(backend);
    for (let i = 0; i < config.numHiddenLayers; i++) {
      const pre = `encoder.layer.${i}`;
      this.layers.push(
        new EncoderLayer({
          query: this.linear(`${pre}.attention.self.query`),
          key: this.linear(`${pre}.attention.self.key`),
          value: this.linear(`${pre}.attention.self.value`),
          attentionOut: this.linear(`${pre}.attention.output.dense`),
          intermediate: this.linear(`${pre}.intermediate.dense`),
          output: this.linear(`${pre}.output.dense`),
          ln1Gamma: this.param(`${pre}.attention.output.LayerNorm.weight`),
          ln1Beta: this.param(`${pre}.attention.output.LayerNorm.bias`),
          ln2Gamma: this.param(`${pre}.output.LayerNorm.weight`),
          ln2Beta: this.param(`${pre}.output.LayerNorm.bias`),
        }, norm),
      );
    }
    const qa = head === 'question-answering';
    const mlm = head === 'masked-lm';
    this.pooler = qa || mlm ? null : this.linear('pooler.dense');
    this.classifier = mlm ? null : this.linear(qa ? 'qa_outputs' : 'classifier');
    this.mlmHead = mlm
      ? new MaskedLmHead({
          transform: this.linear('cls.predictions.transform.dense'),
          lnGamma: this.param('cls.predictions.transform.LayerNorm.weight'),
          lnBeta: this.param('cls.predictions.transform.LayerNorm.bias'),
          wordEmbeddings: this.param('embeddings.word_embeddings.weight'),
          bias: this.param('cls.predictions.bias'),
        }, backend, config.hiddenSize, config.layerNormEps)
      : null;
    this.initWeights(new Rng(seed));
  }

  /** Hugging Face's initialisation: N(0, initializer_range) weights, zero biases, unit LayerNorm. */
  initWeights(rng: Rng): void {
    const std = this.config.initializerRange;
    for (const p of this.params.values()) {
      if (p.name.includes('LayerNorm.weight')) p.data.fill(1);
      else if (p.name.endsWith('.bias')) p.data.fill(0);
      else rng.fillNormal(p.data, 0, std);
    }
    const pad = this.config.padTokenId;
    if (pad !== null) this.param('embeddings.word_embeddings.weight').data.fill(0, pad * this.config.hiddenSize, (pad + 1) * this.config.hiddenSize);
  }

  param(name: string): Param {
    const p = this.params.get(name);
    if (!p) throw new OctetError('invalid-argument', `no parameter named ${name}`);
    return p;
  }

  linear(name: string): Linear {
    const l = this.linears.get(name);
    if (!l) throw new OctetError('invalid-argument', `no linear layer named ${name}`);
    return l;
  }

  /** Copies tensors (Octet names) into the parameters; shapes must match. */
  loadTensors(tensors: ReadonlyMap<string, { data: Float32Array; shape: number[] }>): void {
    for (const [name, t] of tensors) {
      const p = this.params.get(name);
      if (!p) continue;
      if (t.data.length !== p.data.length) {
        throw new OctetError('shape-mismatch', `${name}: checkpoint has shape [${t.shape}], model expects [${p.shape}]`, { field: name });
      }
      p.data.set(t.data);
    }
  }

  zeroGrad(): void {
    for (const p of this.params.values()) p.grad.fill(0);
  }

  private layerShape(b: TokenBatch): LayerShape {
    const c = this.config;
    return { batch: b.batch, seq: b.seq, hidden: c.hiddenSize, heads: c.numAttentionHeads, intermediate: c.intermediateSize, eps: c.layerNormEps };
  }

  private dropout(training: boolean): LayerDropout {
    const c = this.config;
    return { hidden: training ? c.hiddenDropoutProb : 0, attention: training ? c.attentionProbsDropoutProb : 0, rng: this.dropoutRng };
  }

  /**
   * Logits [batch x numLabels] (regression: [batch x 1]; question answering: [batch*seq x 2], the
   * start and end logits of every token, padding included; masked LM: [positions x vocab] for the
   * batch's maskedPositions, or every token when it has none).
   */
  async forward(b: TokenBatch, training: boolean): Promise<Float32Array> {
    const c = this.config;
    if (b.seq > c.maxPositionEmbeddings) {
      throw new OctetError('invalid-argument', `sequence length ${b.seq} exceeds the model's ${c.maxPositionEmbeddings} positions`);
    }
    const h = c.hiddenSize;
    const rows = b.batch * b.seq;
    const drop = this.dropout(training);
    const sum = new Float32Array(rows * h);
    embeddingForward(
      sum, b.inputIds, b.tokenTypeIds, null,
      this.param('embeddings.word_embeddings.weight').data,
      this.param('embeddings.position_embeddings.weight').data,
      this.param('embeddings.token_type_embeddings.weight').data,
      b.batch, b.seq, h,
    );
    let x: Float32Array = new Float32Array(rows * h);
    const mean = new Float32Array(rows);
    const rstd = new Float32Array(rows);
    layerNormForward(x, mean, rstd, sum, this.param('embeddings.LayerNorm.weight').data, this.param('embeddings.LayerNorm.bias').data, rows, h, c.layerNormEps);
    const mask = new Uint8Array(rows * h);
    dropoutForward(x, mask, x, rows * h, drop.hidden, drop.rng);
    this.embCache = { sum, mean, rstd, mask };
    const shape = this.layerShape(b);
    for (const layer of this.layers) x = await layer.forward(x, b.attentionMask, shape, drop, this.attention);
    this.lastBatch = b;
    return this.headForward(x, b, drop);
  }

  /** Pooler (tanh of a dense layer on [CLS]) and the classifier, as BertForSequenceClassification. */
  private async headForward(x: Float32Array, b: TokenBatch, drop: LayerDropout): Promise<Float32Array> {
    if (this.mlmHead) return this.mlmHead.forward(x, b.batch * b.seq, b.maskedPositions ?? null);
    const classifier = this.classifier!;
    // Question answering: qa_outputs on every token's hidden state, no pooler and no dropout (as HF).
    if (!this.pooler) return classifier.forward(x, b.batch * b.seq);
    const h = this.config.hiddenSize;
    const cls = new Float32Array(b.batch * h);
    for (let i = 0; i < b.batch; i++) cls.set(x.subarray(i * b.seq * h, i * b.seq * h + h), i * h);
    const pooledPre = await this.pooler.forward(cls, b.batch);
    const pooled = new Float32Array(pooledPre.length);
    for (let i = 0; i < pooled.length; i++) pooled[i] = Math.tanh(pooledPre[i]);
    const p = drop.hidden > 0 ? (this.config.classifierDropout ?? this.config.hiddenDropoutProb) : 0;
    const mask = new Uint8Array(pooled.length);
    const dropped = new Float32Array(pooled.length);
    dropoutForward(dropped, mask, pooled, pooled.length, p, drop.rng);
    this.headCache = { pooledPre, pooled, mask };
    return classifier.forward(dropped, b.batch);
  }

  /** Backward from dLogits; accumulates every parameter's gradient. */
  async backward(dLogits: Float32Array, training = true): Promise<void> {
    const b = this.lastBatch;
    const ec = this.embCache;
    if (!b || !ec) throw new OctetError('invalid-argument', 'backward called without a forward pass');
    const c = this.config;
    const h = c.hiddenSize;
    const rows = b.batch * b.seq;
    const drop = this.dropout(training);
    let dx = await this.headBackward(dLogits, b, drop);
    const shape = this.layerShape(b);
    for (let l = this.layers.length - 1; l >= 0; l--) dx = await this.layers[l].backward(dx, shape, drop, this.attention);
    dropoutBackward(dx, dx, ec.mask, rows * h, drop.hidden);
    const dSum = new Float32Array(rows * h);
    layerNormBackward(
      dSum, this.param('embeddings.LayerNorm.weight').grad, this.param('embeddings.LayerNorm.bias').grad,
      dx, ec.sum, ec.mean, ec.rstd, this.param('embeddings.LayerNorm.weight').data, rows, h,
    );
    embeddingBackward(
      this.param('embeddings.word_embeddings.weight').grad,
      this.param('embeddings.position_embeddings.weight').grad,
      this.param('embeddings.token_type_embeddings.weight').grad,
      dSum, b.inputIds, b.tokenTypeIds, null, b.batch, b.seq, h,
    );
    this.embCache = null;
    this.headCache = null;
    this.lastBatch = null;
  }

  /** The gradient of the encoder's output [batch*seq x hidden] from dLogits, through the head. */
  private async headBackward(dLogits: Float32Array, b: TokenBatch, drop: LayerDropout): Promise<Float32Array> {
    if (this.mlmHead) return this.mlmHead.backward(dLogits);
    const classifier = this.classifier!;
    if (!this.pooler) return classifier.backward(dLogits);
    const hc = this.headCache;
    if (!hc) throw new OctetError('invalid-argument', 'backward called without a forward pass');
    const c = this.config;
    const h = c.hiddenSize;
    const dDropped = await classifier.backward(dLogits);
    const p = drop.hidden > 0 ? (c.classifierDropout ?? c.hiddenDropoutProb) : 0;
    const dPooled = new Float32Array(dDropped.length);
    dropoutBackward(dPooled, dDropped, hc.mask, dDropped.length, p);
    for (let i = 0; i < dPooled.length; i++) dPooled[i] *= 1 - hc.pooled[i] * hc.pooled[i];
    const dCls = await this.pooler.backward(dPooled);
    const dx = new Float32Array(b.batch * b.seq * h);
    for (let i = 0; i < b.batch; i++) dx.set(dCls.subarray(i * h, (i + 1) * h), i * b.seq * h);
    return dx;
  }
}
