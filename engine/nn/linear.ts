// A linear layer Y = X W^T + b whose forward and backward products are int8 GEMMs on dynamic
// fixed-point operands (or fp32, for the baseline). Master weights, gradients and the optimizer
// stay float32. See ../shared/notes/method.md, sections 2-4.
import { isOctetError, OctetError } from '../errors';
import type { GemmBackend } from '../kernels/backend';
import { FUSED_MAX_ROWS, FusedForwardResult, FusedSaved, isFusedBackend } from '../kernels/fused-linear';
import type { NormBackwardInput, NormSource, ResidualNormGrads } from '../kernels/fused-norm';
import { DfpMatrix, quantizeDfp } from '../quant/dfp';
import { QuantizedActivation, splitOutliers } from '../quant/outliers';
import { geluBackward } from './ops/gelu';
import { Rng } from './ops/rng';
import { DEFAULT_PRECISION, LinearPrecision } from './precision';
import { timeSync } from '../perf/step-timer';

/** What the last forward pass saw, for the profiler and the dashboard. */
export interface LinearStats {
  rows: number;
  maxAbs: number;
  /** The absolute threshold applied (gamma, or gamma times the standard deviation). */
  threshold: number;
  outlierCount: number;
  outlierColumns: Int32Array;
  inputExponent: number;
  outlierExponent: number | null;
  weightExponent: number;
}

interface SavedForInt8 {
  kind: 'int8';
  rows: number;
  /** X as the weight gradient will see it (one exponent). */
  x: QuantizedActivation;
  /** W with one exponent, for dX = dY W. */
  w: DfpMatrix;
}

interface SavedFused {
  kind: 'fused';
  rows: number;
  saved: FusedSaved;
}

interface SavedForFp32 {
  kind: 'fp32';
  rows: number;
  /** null: the input was gelu(pre) made inside the forward graph; the backward remakes it from pre. */
  x: Float32Array | null;
}

export class Linear {
  readonly weight: Float32Array;
  readonly bias: Float32Array | null;
  readonly gradWeight: Float32Array;
  readonly gradBias: Float32Array | null;
  precision: LinearPrecision;
  lastStats: LinearStats | null = null;
  private saved: SavedForInt8 | SavedFused | SavedForFp32 | null = null;
  private readonly rng: Rng;
  /**
   * The backward's rounding noise, kept from step to step: a fresh array of rows x out floats
   * per call cost more in page faults and zeroing than drawing the numbers (bench train).
   * onnxruntime is done with it when fusedLinearBackward resolves.
   */
  private noise: Float32Array | null = null;

  constructor(
    readonly name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    private readonly backend: GemmBackend,
    options: { precision?: Partial<LinearPrecision>; bias?: boolean; seed?: number } = {},
  ) {
    this.precision = { ...DEFAULT_PRECISION, ...options.precision };
    this.weight = new Float32Array(outFeatures * inFeatures);
    this.gradWeight = new Float32Array(outFeatures * inFeatures);
    const withBias = options.bias ?? true;
    this.bias = withBias ? new Float32Array(outFeatures) : null;
    this.gradBias = withBias ? new Float32Array(outFeatures) : null;
    this.rng = new Rng(options.seed ?? 0);
  }

  /** Y [rows x out] from X [rows x in]; keeps what backward needs. */
  async forward(x: Float32Array, rows: number): Promise<Float32Array> {
    this.checkInput(x, rows);
    const p = this.precision;
    const dims = { m: rows, k: this.inFeatures, n: this.outFeatures };
    if (p.mode === 'fp32') {
      this.saved = { kind: 'fp32', rows, x };
      this.lastStats = null;
      return this.backend.f32Matmul(x, this.weight, dims, 'NT', this.bias);
    }
    if (this.canFuse(rows)) return this.forwardFused(x, rows);
    const rounding = p.forwardRounding;
    const rng = this.rng;
    const quantizeX = (granularity: typeof p.granularity, split: boolean): QuantizedActivation =>
      timeSync('quantize', () => split
        ? splitOutliers(x, rows, this.inFeatures, { threshold: p.threshold, units: p.thresholdUnits, rounding, rng, granularity, outlierExponent: p.outlierExponent })
        : plainActivation(quantizeDfp(x, rows, this.inFeatures, { bits: 8, rounding, rng, granularity })));
    const split = p.mode === 'int8-outlier';
    const xa = quantizeX(p.granularity, split);
    const w = timeSync('quantize', () => quantizeDfp(this.weight, this.outFeatures, this.inFeatures, { bits: 8, granularity: p.granularity }));
    const y = await this.backend.linearForward({ x: xa, w, bias: this.bias });
    // The backward contractions need one exponent per operand (method.md section 2).
    const perTensor = p.granularity === 'tensor';
    const reuse = split && p.weightGradReusesSplit;
    const xForGrad = perTensor && (reuse || !split) ? xa : quantizeX('tensor', reuse);
    const wForGrad = perTensor ? w : timeSync('quantize', () => quantizeDfp(this.weight, this.outFeatures, this.inFeatures, { bits: 8 }));
    this.saved = { kind: 'int8', rows, x: xForGrad, w: wForGrad };
    this.lastStats = statsOf(xa, w, rows);
    return y;
  }

  /**
   * Whether the backend can quantize inside its graphs for this layer: the common settings
   * (one exponent per tensor, nearest forward rounding, the weight gradient reusing the split).
   * Other settings take the general path below, with quantization in JS.
   */
  private canFuse(rows: number): boolean {
    const p = this.precision;
    return isFusedBackend(this.backend) && p.granularity === 'tensor' && p.forwardRounding === 'nearest' &&
      (p.mode !== 'int8-outlier' || p.weightGradReusesSplit) && rows <= FUSED_MAX_ROWS;
  }

  /**
   * Y from X = gelu(pre) (the feed-forward block's output layer), as forward(await gelu(pre))
   * would give it. A fused backend applies GELU inside the layer's graph, so the activation never
   * comes out as [rows x in] floats; otherwise, and for a layer whose forward is watched
   * (profile/capture.ts replaces it), `gelu` runs first.
   */
  async forwardThroughGelu(pre: Float32Array, rows: number, gelu: (x: Float32Array, rows: number) => Promise<Float32Array>): Promise<Float32Array> {
    const fp32 = this.precision.mode === 'fp32';
    if (this.isWatched() || !isFusedBackend(this.backend) || (!fp32 && !this.canFuse(rows))) return this.forward(await gelu(pre, rows), rows);
    this.checkInput(pre, rows);
    if (!fp32) return this.forwardFused(pre, rows, true);
    const [y] = await this.backend.f32LinearForward(pre, rows, [{ w: this.weight, outFeatures: this.outFeatures, bias: this.bias }], { geluInput: true });
    this.saved = { kind: 'fp32', rows, x: null };
    this.lastStats = null;
    return y;
  }

  private async forwardFused(x: Float32Array, rows: number, geluInput = false): Promise<Float32Array> {
    const p = this.precision;
    if (!isFusedBackend(this.backend)) throw new Error('unreachable: canFuse checked the backend');
    const r = await this.backend
      .fusedLinearForward(x, rows, this.weight, this.outFeatures, this.bias, {
        outliers: p.mode === 'int8-outlier', threshold: p.threshold, stdUnits: p.thresholdUnits === 'std', outlierExponent: p.outlierExponent, geluInput,
      })
      .catch((e: unknown) => {
        throw isOctetError(e) ? new OctetError(e.code, `${this.name}: ${e.message}`, e.location) : e;
      });
    return this.acceptFused(r, rows);
  }

  /** Keeps a fused forward's result as this layer's own forward would. */
  private acceptFused(r: FusedForwardResult, rows: number): Float32Array {
    this.saved = { kind: 'fused', rows, saved: r.saved };
    const o = r.saved.outlier;
    this.lastStats = {
      rows, maxAbs: r.maxAbs, threshold: r.threshold,
      outlierCount: o?.count ?? 0, outlierColumns: o?.columns ?? new Int32Array(0),
      inputExponent: Math.round(Math.log2(r.saved.xScale)),
      outlierExponent: o ? Math.round(Math.log2(o.scale)) : null,
      weightExponent: Math.round(Math.log2(r.saved.wScale)),
    };
    return r.y;
  }

  /**
   * The forward of layers that read the same x (attention's query, key and value): one backend
   * call when they can share it (a fused backend, the same precision settings), in which x is
   * quantized and split once. Each layer is left as its own forward would leave it, with the same
   * results. Otherwise one forward after the other.
   */
  static async forwardSharedInput(layers: readonly Linear[], x: Float32Array, rows: number): Promise<Float32Array[]> {
    const first = layers[0];
    const backend = first.backend;
    // A watched layer goes through its own forward: sharing would bypass the watch.
    const wrapped = layers.some((l) => l.isWatched());
    if (layers.length > 1 && !wrapped && isFusedBackend(backend) && layers.every((l) => l.canShareInputWith(first, rows))) {
      first.checkInput(x, rows);
      const p = first.precision;
      const results = await backend
        .fusedSharedInputForward(x, rows, layers.map((l) => ({ w: l.weight, outFeatures: l.outFeatures, bias: l.bias })), {
          outliers: p.mode === 'int8-outlier', threshold: p.threshold, stdUnits: p.thresholdUnits === 'std', outlierExponent: p.outlierExponent,
        })
        .catch((e: unknown) => {
          throw isOctetError(e) ? new OctetError(e.code, `${layers.map((l) => l.name).join(', ')}: ${e.message}`, e.location) : e;
        });
      return results.map((r, i) => layers[i].acceptFused(r, rows));
    }
    if (layers.length > 1 && !wrapped && isFusedBackend(backend) && layers.every((l) => l.canShareFp32With(first))) {
      first.checkInput(x, rows);
      const ys = await backend.f32LinearForward(x, rows, layers.map((l) => ({ w: l.weight, outFeatures: l.outFeatures, bias: l.bias })));
      for (const l of layers) {
        l.saved = { kind: 'fp32', rows, x };
        l.lastStats = null;
      }
      return ys;
    }
    const ys: Float32Array[] = [];
    for (const l of layers) ys.push(await l.forward(x, rows));
    return ys;
  }

  /** Whether this layer can run in one fused graph with `first` (same backend, input and settings). */
  private canShareInputWith(first: Linear, rows: number): boolean {
    const a = this.precision;
    const b = first.precision;
    const keys = Object.keys(a) as (keyof LinearPrecision)[];
    return a.mode !== 'fp32' && this.backend === first.backend && this.inFeatures === first.inFeatures && this.canFuse(rows) &&
      keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
  }

  /** Whether this fp32 layer can run in one fp32 graph with `first` (f32-linear-graphs.ts). */
  private canShareFp32With(first: Linear): boolean {
    return this.precision.mode === 'fp32' && first.precision.mode === 'fp32' && this.backend === first.backend &&
      this.inFeatures === first.inFeatures && (this.bias === null) === (first.bias === null);
  }

  /**
   * The backward of layers run by forwardSharedInput: accumulates each layer's dW and db from its
   * dY and returns the sum of their dX plus `dxAdd` (the residual branch), summed inside the
   * graph when the forward was shared.
   */
  static async backwardSharedInput(layers: readonly Linear[], dys: readonly Float32Array[], dxAdd: Float32Array | null): Promise<Float32Array> {
    const saved = layers.map((l) => l.saved);
    const first = saved[0];
    const backend = layers[0].backend;
    if (layers.length > 1 && isFusedBackend(backend) && first?.kind === 'fused' && saved.every((s) => s?.kind === 'fused' && s.saved.xq === first.saved.xq)) {
      layers.forEach((l, i) => l.checkOutputGradient(dys[i], first.rows));
      const parts = layers.map((l) => l.takeFusedBackward());
      const r = await backend.fusedSharedInputBackward(dys, parts.map((p) => p.saved), parts.map((p) => p.noise), dxAdd ? { dxAdd } : {});
      layers.forEach((l, i) => l.accumulate(r.layers[i].dw, r.layers[i].db));
      return r.dx;
    }
    if (layers.length > 1 && isFusedBackend(backend) && first?.kind === 'fp32' && first.x !== null && saved.every((s) => s?.kind === 'fp32' && s.x === first.x)) {
      layers.forEach((l, i) => {
        l.checkOutputGradient(dys[i], first.rows);
        l.saved = null;
      });
      const r = await backend.f32LinearBackward(dys, layers.map((l) => l.weight), first.x, first.rows, { dxAdd: dxAdd ?? undefined, bias: layers[0].bias !== null });
      layers.forEach((l, i) => l.accumulate(r.layers[i].dw, r.layers[i].db));
      return r.dx;
    }
    const dx = await layers[0].backward(dys[0]);
    for (let j = 1; j < layers.length; j++) addInto(dx, await layers[j].backward(dys[j]));
    if (dxAdd) addInto(dx, dxAdd);
    return dx;
  }

  /**
   * `output.backwardThroughGelu(dy, pre)` and then `input.backward` of its result (the
   * feed-forward block: intermediate -> GELU -> output), in one backend call when both forwards
   * were fused, so d(pre) stays inside onnxruntime. Same results either way (tested).
   */
  static async backwardThroughGeluInto(output: Linear, input: Linear, dy: Float32Array, pre: Float32Array): Promise<Float32Array> {
    if (!Linear.canChain(output, input)) return input.backward(await output.backwardThroughGelu(dy, pre));
    output.checkOutputGradient(dy, output.pendingFusedBackward()!.rows);
    return (await Linear.chainBackward(output, input, pre, dy, undefined)).dx;
  }

  /**
   * The feed-forward block's backward from the LayerNorm after it: that LayerNorm (its dA is the
   * output layer's dY), then backwardThroughGeluInto. One backend call when the LayerNorm runs in
   * graphs and both forwards were fused; returns dX and the LayerNorm's dSum (the residual's).
   */
  static async backwardFromNormThroughGeluInto(norm: NormSource, output: Linear, input: Linear, pre: Float32Array): Promise<{ dx: Float32Array; dSum: Float32Array }> {
    if (!norm.graph || !Linear.canChain(output, input)) {
      const { dSum, dA } = await norm.run();
      return { dx: await Linear.backwardThroughGeluInto(output, input, dA, pre), dSum };
    }
    output.checkNormAfter(norm.graph);
    const r = await Linear.chainBackward(output, input, pre, null, norm.graph);
    norm.accept(r.norm!);
    return { dx: r.dx, dSum: r.norm!.dSum };
  }

  /** Whether output's and input's backward can run as one chained graph (both forwards fused). */
  private static canChain(output: Linear, input: Linear): boolean {
    return output.pendingFusedBackward() !== null && input.pendingFusedBackward() !== null && input.backend === output.backend && isFusedBackend(output.backend);
  }

  /** The chained backward (canChain checked): each layer's operands and noise, then its gradients. */
  private static async chainBackward(output: Linear, input: Linear, pre: Float32Array, dy: Float32Array | null, norm: NormBackwardInput | undefined): Promise<{ dx: Float32Array; norm: ResidualNormGrads | null }> {
    const backend = output.backend;
    if (!isFusedBackend(backend)) throw new Error('unreachable: canChain checked the backend');
    // Each layer draws its noise from its own generator, as its own backward would.
    const first = output.takeFusedBackward();
    const second = input.takeFusedBackward();
    const r = await backend.fusedChainBackward({ dy, ...first, geluInput: pre }, second, norm);
    output.accumulate(r.layers[0].dw, r.layers[0].db);
    input.accumulate(r.layers[1].dw, r.layers[1].db);
    return r;
  }

  /** Accumulates dW and db from dY [rows x out]; returns dX [rows x in]. */
  backward(dy: Float32Array): Promise<Float32Array> {
    return this.backwardWith(dy, null);
  }

  /**
   * For a layer whose input was gelu(pre) (the feed-forward output layer): accumulates dW and db
   * and returns d(pre) = dX * gelu'(pre). The fused graphs apply the derivative on onnxruntime's
   * threads; the other paths use gelu.ts's geluBackward on dX.
   */
  backwardThroughGelu(dy: Float32Array, pre: Float32Array): Promise<Float32Array> {
    return this.backwardWith(dy, pre);
  }

  private async backwardWith(dy: Float32Array, geluPre: Float32Array | null): Promise<Float32Array> {
    const saved = this.saved;
    if (!saved) throw new OctetError('invalid-argument', `${this.name}: backward called without a forward pass`);
    const rows = saved.rows;
    this.checkOutputGradient(dy, rows);
    this.saved = null;
    if (saved.kind === 'fused') return this.backwardFused(dy, saved.saved, geluPre);
    if (saved.kind === 'fp32' && isFusedBackend(this.backend)) {
      // One graph: dX (through GELU's derivative), dW and db; x remade from pre when GELU ran in the forward's graph.
      if (saved.x === null && !geluPre) throw new OctetError('invalid-argument', `${this.name}: the forward read gelu(pre); its backward needs pre (backwardThroughGelu)`);
      const r = await this.backend.f32LinearBackward([dy], [this.weight], saved.x, rows, { geluInput: geluPre ?? undefined, bias: this.bias !== null });
      this.accumulate(r.layers[0].dw, r.layers[0].db);
      return r.dx;
    }
    if (saved.x === null) throw new Error('unreachable: only a fused backend takes GELU into the forward graph');
    if (this.gradBias) accumulateColumnSums(this.gradBias, dy, rows, this.outFeatures);
    let dx: Float32Array;
    let dw: Float32Array;
    // One after the other: each call already uses every onnxruntime thread, and overlapping
    // them would only make the step timings (bench train) count both calls twice.
    if (saved.kind === 'fp32') {
      dx = await this.backend.f32Matmul(dy, this.weight, { m: rows, k: this.outFeatures, n: this.inFeatures }, 'NN');
      dw = await this.backend.f32Matmul(dy, saved.x, { m: this.outFeatures, k: rows, n: this.inFeatures }, 'TN');
    } else {
      const dyq = timeSync('quantize', () => quantizeDfp(dy, rows, this.outFeatures, { bits: 8, rounding: this.precision.backwardRounding, rng: this.rng }));
      dx = await this.backend.linearGradInput(dyq, saved.w);
      dw = await this.backend.linearGradWeight(dyq, saved.x);
    }
    addInto(this.gradWeight, dw);
    // In place: dx is this call's own array, and a fresh one would cost page faults.
    if (geluPre) geluBackward(dx, dx, geluPre, dx.length);
    return dx;
  }

  /** What a fused forward kept for the backward, or null (not fused, or no forward pending). */
  pendingFusedBackward(): FusedSaved | null {
    return this.saved?.kind === 'fused' ? this.saved.saved : null;
  }

  /**
   * For a backend call that runs this layer's backward inside a larger graph (an attention
   * block): the fused forward's operands and this step's rounding noise, drawn as backward would.
   * The layer is then done with that forward; the caller hands the gradients to `accumulate`.
   */
  takeFusedBackward(): { saved: FusedSaved; noise: Float32Array | null } {
    const saved = this.pendingFusedBackward();
    if (!saved) throw new OctetError('invalid-argument', `${this.name}: no fused forward pending`);
    this.saved = null;
    return { saved, noise: this.roundingNoise(saved.rows * this.outFeatures) };
  }

  private checkOutputGradient(dy: Float32Array, rows: number): void {
    if (dy.length !== rows * this.outFeatures) {
      throw new OctetError('shape-mismatch', `${this.name}: output gradient has ${dy.length} elements, expected ${rows} x ${this.outFeatures}`);
    }
  }

  /** That the LayerNorm whose backward a chained graph starts from reads this (fused) layer's output. */
  checkNormAfter(norm: NormBackwardInput): void {
    const rows = this.pendingFusedBackward()?.rows;
    if (norm.rows !== rows || norm.dim !== this.outFeatures) {
      throw new OctetError('shape-mismatch', `${this.name}: its output is ${rows} x ${this.outFeatures}, the LayerNorm after it ${norm.rows} x ${norm.dim}`);
    }
  }

  private checkInput(x: Float32Array, rows: number): void {
    if (x.length !== rows * this.inFeatures) {
      throw new OctetError('shape-mismatch', `${this.name}: input has ${x.length} elements, expected ${rows} x ${this.inFeatures}`);
    }
  }

  /** A layer whose own forward was replaced: profile/capture.ts watches inputs and outputs that way. */
  private isWatched(): boolean {
    return Object.prototype.hasOwnProperty.call(this, 'forward');
  }

  /** Adds a backward's dW and db (computed here or in a larger graph). */
  accumulate(dw: Float32Array, db: Float32Array | null): void {
    addInto(this.gradWeight, dw);
    if (this.gradBias && db) addInto(this.gradBias, db);
  }

  private async backwardFused(dy: Float32Array, saved: FusedSaved, geluPre: Float32Array | null): Promise<Float32Array> {
    if (!isFusedBackend(this.backend)) throw new Error('unreachable: forward was fused');
    const noise = this.roundingNoise(dy.length);
    const r = await this.backend.fusedLinearBackward(dy, saved, noise, geluPre ? { geluInput: geluPre } : {});
    this.accumulate(r.dw, r.db);
    return r.dx;
  }

  /** This step's stochastic-rounding noise for a dY of n elements, or null for nearest rounding. */
  private roundingNoise(n: number): Float32Array | null {
    if (this.precision.backwardRounding !== 'stochastic') return null;
    if (this.noise?.length !== n) this.noise = new Float32Array(n);
    const noise = this.noise;
    // Centred on zero: the backward graph rounds dY + noise * step to nearest (fused-graphs.ts).
    timeSync('quantize', () => this.rng.fillUniform16(noise, -0.5));
    return noise;
  }

  zeroGrad(): void {
    this.gradWeight.fill(0);
    this.gradBias?.fill(0);
  }

  /** Rounding state, saved in checkpoints so a resumed run draws the same numbers. */
  getRngState(): number[] {
    return Array.from(this.rng.getState());
  }

  setRngState(state: readonly number[]): void {
    this.rng.setState(Uint32Array.from(state));
  }
}

function addInto(target: Float32Array, src: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i] += src[i];
}

function accumulateColumnSums(target: Float32Array, m: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) target[c] += m[base + c];
  }
}

function plainActivation(inlier: DfpMatrix): QuantizedActivation {
  return { inlier, outlier: null, threshold: Infinity, maxAbs: inlier.maxAbs };
}

function maxOf(a: Int32Array): number {
  let m = -Infinity;
  for (const v of a) m = Math.max(m, v);
  return m;
}

function statsOf(x: QuantizedActivation, w: DfpMatrix, rows: number): LinearStats {
  const o = x.outlier;
  return {
    rows,
    maxAbs: x.maxAbs,
    threshold: x.threshold,
    outlierCount: o?.count ?? 0,
    outlierColumns: o?.columns ?? new Int32Array(0),
    inputExponent: maxOf(x.inlier.exponents),
    outlierExponent: o?.exponent ?? null,
    weightExponent: maxOf(w.exponents),
  };
}
