// The fast backend: every operation is one onnxruntime session run over a fused graph
// (ort-graphs.ts). Sessions are created once per shape family and reused.
import * as ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { OctetError } from '../errors';
import { checkFinite, type DfpMatrix } from '../quant/dfp';
import type { OutlierPart, QuantizedActivation } from '../quant/outliers';
import { FoldPlan, foldPieces, planFold } from './outlier-fold';
import type { GemmDims, LinearForwardInput, LinearForwardParts, LlmInt8Input, MatmulLayout } from './backend';
import type { F32LinearBackwardResult, FusedBackwardExtras, FusedBackwardResult, FusedForwardOptions, FusedForwardResult, FusedLinearBackend, FusedSaved, SharedInputBackwardResult, SharedInputLayer } from './fused-linear';
import { fusedBackwardGraph, fusedForwardGraph, PADDED_OUTLIER_COLUMN, part } from './fused-graphs';
import { attentionBackwardGraph, trainingAttentionForwardGraph, type TrainingAttentionConstants } from './attention-graphs';
import type { AttentionBlockBackend, AttentionSaved, AttentionShape, BlockLinear, BlockSource } from './fused-attention';
import type { Dropped, NormBackend, NormBackwardInput, ResidualNormForward, ResidualNormGrads } from './fused-norm';
import { geluForwardGraph, residualNormBackwardGraph, residualNormForwardGraph } from './norm-graphs';
import { f32LinearBackwardGraph, f32LinearForwardGraph } from './f32-linear-graphs';
import { chained, ChainedSpec, FIRST, resolveSpec, SECOND } from './graph-chain';
import { MAX_EXACT_K } from './backend';
import { checkLinearForward, checkMatmul, requirePerTensor } from './checks';
import { buildModel, GraphSpec } from './onnx-graph';
import {
  f32BatchedMatmulGraph,
  f32MatmulGraph,
  gradInputGraph,
  gradWeightGraph,
  int8MatmulGraph,
  IntPath,
  linearForwardGraph,
  foldedForwardGraph,
  llmInt8Graph,
} from './ort-graphs';

export interface OrtBackendOptions {
  /** Intra-op threads per session; defaults to the machine's parallelism. */
  threads?: number;
  /**
   * Idle worker threads spin by default in onnxruntime. In the daemon they would steal the
   * editor's CPU, so spinning is off unless a benchmark asks for it.
   */
  spinning?: boolean;
  /** Force a kernel path; by default a probe picks u8s8 when it is exact on this CPU. */
  intPath?: IntPath;
  /**
   * 'auto' (default) folds the outlier product into the inlier GEMM where outlier-fold.ts says it
   * pays; 'never' always runs the tiled three-GEMM graph (benchmarks compare the two).
   */
  outlierFold?: 'auto' | 'never';
}

/** Which graph linearForward runs for an input. */
export type ForwardPath = 'plain' | 'folded' | 'tiled';

/** Longest contraction per int32 GEMM call: the uint8 operand's raw products must not wrap. */
const CHUNK_K: Record<IntPath, number> = { u8s8: 65536, u8u8: 32768 };

/** x + 128 as uint8: flipping the sign bit of each int8 byte, four bytes at a time. */
export function toUint8Offset(q: Int8Array | Uint8Array): Uint8Array {
  const out = new Uint8Array(q.length);
  out.set(new Uint8Array(q.buffer, q.byteOffset, q.length));
  const words = out.length >>> 2;
  const w32 = new Uint32Array(out.buffer, 0, words);
  for (let i = 0; i < words; i++) w32[i] ^= 0x80808080;
  for (let i = words << 2; i < out.length; i++) out[i] ^= 0x80;
  return out;
}

function tensor(type: 'uint8' | 'int8' | 'float32' | 'int64', data: ort.Tensor.DataType, dims: number[]): ort.Tensor {
  return new ort.Tensor(type, data as never, dims);
}

function scalar(v: number): ort.Tensor {
  return tensor('float32', Float32Array.of(v), []);
}

export class OrtBackend implements FusedLinearBackend, AttentionBlockBackend, NormBackend {
  readonly name: string;
  readonly intPath: IntPath;
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  private readonly sessionOptions: ort.InferenceSession.SessionOptions;
  private readonly outlierFold: 'auto' | 'never';

  private constructor(intPath: IntPath, sessionOptions: ort.InferenceSession.SessionOptions, outlierFold: 'auto' | 'never') {
    this.intPath = intPath;
    this.name = `onnxruntime-${intPath}`;
    this.sessionOptions = sessionOptions;
    this.outlierFold = outlierFold;
  }

  static async create(opts: OrtBackendOptions = {}): Promise<OrtBackend> {
    const threads = opts.threads ?? availableParallelism();
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      extra: { session: { intra_op: { allow_spinning: opts.spinning ? '1' : '0' } } },
    };
    const forced = opts.intPath ?? (process.env.OCTET_INT_PATH as IntPath | undefined);
    if (forced && forced !== 'u8s8' && forced !== 'u8u8') {
      throw new OctetError('invalid-argument', `unknown int8 kernel path "${forced}" (u8s8 or u8u8)`);
    }
    const fold = opts.outlierFold ?? 'auto';
    const probe = new OrtBackend('u8s8', sessionOptions, fold);
    const path = forced ?? ((await probe.u8s8IsExact()) ? 'u8s8' : 'u8u8');
    if (path === 'u8s8') return probe;
    await probe.dispose();
    return new OrtBackend(path, sessionOptions, fold);
  }

  /**
   * Runs the u8s8 kernel on the inputs that saturate a pairwise int16 step (255 * 127 twice)
   * and compares with the exact value. VNNI (and ARM dot-product) kernels pass; AVX2-only fail.
   */
  async u8s8IsExact(): Promise<boolean> {
    const k = 64;
    const a = new Int8Array(k).fill(127); // becomes 255 after the +128 offset
    const b = new Int8Array(k).fill(127);
    const b2 = new Int8Array(k).fill(-128);
    const c = await this.int8Matmul(a, b, { m: 1, k, n: 1 }, 'NT');
    const c2 = await this.int8Matmul(a, b2, { m: 1, k, n: 1 }, 'NT');
    return c[0] === 127 * 127 * k && c2[0] === 127 * -128 * k;
  }

  private session(spec: GraphSpec | ChainedSpec): Promise<ort.InferenceSession> {
    let s = this.sessions.get(spec.name);
    if (!s) {
      s = ort.InferenceSession.create(buildModel(resolveSpec(spec)), this.sessionOptions);
      this.sessions.set(spec.name, s);
    }
    return s;
  }

  private async run(spec: GraphSpec | ChainedSpec, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
    return (await this.session(spec)).run(feeds);
  }

  /** The B operand as this path wants it: int8 as is, or uint8 with zero point 128. */
  private bTensor(q: Int8Array, dims: number[]): ort.Tensor {
    return this.intPath === 'u8u8' ? tensor('uint8', toUint8Offset(q), dims) : tensor('int8', q, dims);
  }

  async int8Matmul(a: Int8Array, b: Int8Array, dims: GemmDims, layout: MatmulLayout): Promise<Int32Array> {
    checkMatmul(a.length, b.length, dims, layout);
    const { m, k, n } = dims;
    if (k > MAX_EXACT_K) throw new OctetError('k-too-large', `K = ${k} exceeds ${MAX_EXACT_K}: an int32 result could overflow`);
    const chunk = CHUNK_K[this.intPath];
    const spec = int8MatmulGraph(layout, this.intPath);
    const aDims = (kc: number): number[] => (layout === 'TN' ? [kc, m] : [m, kc]);
    const bDims = (kc: number): number[] => (layout === 'NT' ? [n, kc] : [kc, n]);
    if (k <= chunk) {
      const out = await this.run(spec, { A: tensor('uint8', toUint8Offset(a), aDims(k)), B: this.bTensor(b, bDims(k)) });
      return out.C.data as Int32Array;
    }
    if (layout !== 'TN') {
      // Only in TN layout is a slice of the contraction a contiguous block of both operands.
      throw new OctetError('k-too-large', `K = ${k} exceeds ${chunk} in ${layout} layout; use TN for long contractions`);
    }
    const total = new Int32Array(m * n);
    for (let k0 = 0; k0 < k; k0 += chunk) {
      const kc = Math.min(chunk, k - k0);
      const out = await this.run(spec, {
        A: tensor('uint8', toUint8Offset(a.subarray(k0 * m, (k0 + kc) * m)), aDims(kc)),
        B: this.bTensor(b.subarray(k0 * n, (k0 + kc) * n), bDims(kc)),
      });
      const c = out.C.data as Int32Array;
      // Wrapping int32 adds are exact because the final sum fits int32 (k <= MAX_EXACT_K).
      for (let i = 0; i < total.length; i++) total[i] = (total[i] + c[i]) | 0;
    }
    return total;
  }

  private forwardFeeds(input: LinearForwardInput, withScales: boolean): Record<string, ort.Tensor> {
    const { x, w, bias } = input;
    const m = x.inlier.rows;
    const k = x.inlier.cols;
    const n = w.rows;
    const feeds: Record<string, ort.Tensor> = {
      x: tensor('uint8', toUint8Offset(x.inlier.q as Int8Array), [m, k]),
      w: this.bTensor(w.q as Int8Array, [n, k]),
    };
    const o = x.outlier;
    if (o) {
      const c = o.columns.length;
      feeds.hi = tensor('uint8', toUint8Offset(o.hi), [m, c]);
      feeds.lo = tensor('uint8', o.lo, [m, c]);
      feeds.cols = tensor('int64', BigInt64Array.from(o.columns, (v) => BigInt(v)), [c]);
    }
    if (withScales) {
      const sw = Float32Array.from(w.exponents, (e) => 2 ** e);
      feeds.sw = tensor('float32', sw, [sw.length]);
      feeds.sx = x.inlier.exponents.length === 1
        ? scalar(2 ** x.inlier.exponents[0])
        : tensor('float32', Float32Array.from(x.inlier.exponents, (e) => 2 ** e), [m, 1]);
      feeds.bias = tensor('float32', bias ?? new Float32Array(n), [n]);
      if (o) {
        feeds.sOutW = tensor('float32', Float32Array.from(sw, (s) => s * 2 ** o.exponent), [sw.length]);
        feeds.sOutW64 = tensor('float32', Float32Array.from(sw, (s) => 64 * s * 2 ** o.exponent), [sw.length]);
      }
    }
    return feeds;
  }

  async linearForwardParts(input: LinearForwardInput): Promise<LinearForwardParts> {
    checkLinearForward(input);
    const spec = linearForwardGraph({ path: this.intPath, perRowX: false, outliers: input.x.outlier !== null, parts: true });
    const out = await this.run(spec, this.forwardFeeds(input, false));
    return { inlier: out.inlier.data as Int32Array, outlier: out.outlier ? (out.outlier.data as Int32Array) : null };
  }

  /** The fold's plan for this input, or null where the tiled (or plain) graph runs. */
  private foldPlan(input: LinearForwardInput): FoldPlan | null {
    if (this.outlierFold === 'never') return null;
    const plan = planFold(input.x);
    return plan && plan.foldedK <= CHUNK_K[this.intPath] ? plan : null;
  }

  forwardPath(input: LinearForwardInput): ForwardPath {
    if (!input.x.outlier) return 'plain';
    return this.foldPlan(input) ? 'folded' : 'tiled';
  }

  async linearForward(input: LinearForwardInput): Promise<Float32Array> {
    checkLinearForward(input);
    const plan = this.foldPlan(input);
    if (plan) return this.linearForwardFolded(input, plan);
    const spec = linearForwardGraph({
      path: this.intPath,
      perRowX: input.x.inlier.exponents.length > 1,
      outliers: input.x.outlier !== null,
      parts: false,
    });
    const out = await this.run(spec, this.forwardFeeds(input, true));
    return out.y.data as Float32Array;
  }

  /** One int8 GEMM over [Q_in | outlier pieces] and [Q_W | repeated columns] (outlier-fold.ts). */
  private async linearForwardFolded(input: LinearForwardInput, plan: FoldPlan): Promise<Float32Array> {
    const { w, bias } = input;
    const sw = Float32Array.from(w.exponents, (e) => 2 ** e);
    const out = await this.run(foldedForwardGraph(this.intPath, false), {
      ...this.foldedFeeds(input, plan),
      sx: scalar(2 ** input.x.inlier.exponents[0]),
      sw: tensor('float32', sw, [sw.length]),
      bias: tensor('float32', bias ?? new Float32Array(w.rows), [w.rows]),
    });
    return out.y.data as Float32Array;
  }

  /**
   * The folded graph's exact int32 accumulator, Q_in Q_W^T + r (64 H W_C^T + L W_C^T), or null
   * where linearForward would not fold this input (verification).
   */
  async linearForwardFoldedAccumulator(input: LinearForwardInput): Promise<Int32Array | null> {
    checkLinearForward(input);
    const plan = this.foldPlan(input);
    if (!plan) return null;
    const out = await this.run(foldedForwardGraph(this.intPath, true), this.foldedFeeds(input, plan));
    return out.acc.data as Int32Array;
  }

  /** forwardFeeds' operands, with hi and lo as the folded graph's pieces. */
  private foldedFeeds(input: LinearForwardInput, plan: FoldPlan): Record<string, ort.Tensor> {
    const m = input.x.inlier.rows;
    const c = input.x.outlier!.columns.length;
    const pieces = foldPieces(input.x, plan);
    const repeats = (r: number): ort.Tensor => tensor('int64', BigInt64Array.of(1n, BigInt(r)), [2]);
    return {
      ...this.forwardFeeds(input, false),
      hi: tensor('uint8', pieces.hi, [m, c]),
      lo: tensor('uint8', pieces.lo, [m, c]),
      hiRepeats: repeats(plan.hiCopies),
      loRepeats: repeats(plan.loCopies),
    };
  }

  async linearGradInput(dy: DfpMatrix, w: DfpMatrix): Promise<Float32Array> {
    requirePerTensor(w, 'weight for the input gradient');
    const m = dy.rows;
    const n = dy.cols;
    const k = w.cols;
    checkMatmul(dy.q.length, w.q.length, { m, k: n, n: k }, 'NN');
    const perRow = dy.exponents.length > 1;
    const out = await this.run(gradInputGraph(this.intPath, perRow), {
      dy: tensor('uint8', toUint8Offset(dy.q as Int8Array), [m, n]),
      w: this.bTensor(w.q as Int8Array, [n, k]),
      sdy: perRow ? tensor('float32', Float32Array.from(dy.exponents, (e) => 2 ** e), [m, 1]) : scalar(2 ** dy.exponents[0]),
      sw: scalar(2 ** w.exponents[0]),
    });
    return out.dx.data as Float32Array;
  }

  async linearGradWeight(dy: DfpMatrix, x: QuantizedActivation): Promise<Float32Array> {
    requirePerTensor(dy, 'output gradient for the weight gradient');
    requirePerTensor(x.inlier, 'activation for the weight gradient');
    const m = dy.rows;
    const n = dy.cols;
    const k = x.inlier.cols;
    if (x.inlier.rows !== m) throw new OctetError('shape-mismatch', `output gradient has ${m} rows, activation has ${x.inlier.rows}`);
    const o = x.outlier;
    const spec = gradWeightGraph(this.intPath, o !== null);
    const chunk = CHUNK_K[this.intPath];
    let dw: Float32Array | null = null;
    const sDy = 2 ** dy.exponents[0];
    for (let r0 = 0; r0 < m; r0 += chunk) {
      const rows = Math.min(chunk, m - r0);
      const feeds: Record<string, ort.Tensor> = {
        dy: tensor('uint8', toUint8Offset((dy.q as Int8Array).subarray(r0 * n, (r0 + rows) * n)), [rows, n]),
        x: this.bTensor((x.inlier.q as Int8Array).subarray(r0 * k, (r0 + rows) * k), [rows, k]),
        s: scalar(sDy * 2 ** x.inlier.exponents[0]),
      };
      if (o) Object.assign(feeds, this.outlierGradFeeds(o, r0, rows, sDy));
      const out = await this.run(spec, feeds);
      const part = out.dw.data as Float32Array;
      if (dw) addInto(dw, part);
      else dw = part;
      if (o) addColumns(dw, out.dwOut.data as Float32Array, o.columns, n, k);
    }
    return dw ?? new Float32Array(n * k);
  }

  private outlierGradFeeds(o: OutlierPart, r0: number, rows: number, sDy: number): Record<string, ort.Tensor> {
    const c = o.columns.length;
    const lo = o.lo.subarray(r0 * c, (r0 + rows) * c);
    // lo <= 63 has the same bytes as int8 and as uint8, so int8 needs no copy.
    const loInt8 = new Int8Array(lo.buffer, lo.byteOffset, lo.length);
    return {
      hi: this.bTensor(o.hi.subarray(r0 * c, (r0 + rows) * c), [rows, c]),
      lo: this.bTensor(loInt8, [rows, c]),
      sOut: scalar(sDy * 2 ** o.exponent),
    };
  }

  async f32Matmul(a: Float32Array, b: Float32Array, dims: GemmDims, layout: MatmulLayout, bias?: Float32Array | null): Promise<Float32Array> {
    checkMatmul(a.length, b.length, dims, layout);
    const { m, k, n } = dims;
    const feeds: Record<string, ort.Tensor> = {
      A: tensor('float32', a, layout === 'TN' ? [k, m] : [m, k]),
      B: tensor('float32', b, layout === 'NT' ? [n, k] : [k, n]),
    };
    if (bias) feeds.bias = tensor('float32', bias, [n]);
    const out = await this.run(f32MatmulGraph(layout, !!bias), feeds);
    return out.C.data as Float32Array;
  }

  /** C[b] = A[b] B[b] (or A[b] B[b]^T): the attention products. */
  async f32BatchedMatmul(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number, transB: boolean): Promise<Float32Array> {
    checkMatmul(a.length / batch, b.length / batch, { m, k, n }, transB ? 'NT' : 'NN');
    const out = await this.run(f32BatchedMatmulGraph(transB), {
      A: tensor('float32', a, [batch, m, k]),
      B: tensor('float32', b, transB ? [batch, n, k] : [batch, k, n]),
    });
    return out.C.data as Float32Array;
  }

  async llmInt8Forward(input: LlmInt8Input): Promise<Float32Array> {
    const { m, k, n } = input.dims;
    const c = input.columns.length;
    const feeds: Record<string, ort.Tensor> = {
      xq: tensor('uint8', toUint8Offset(input.xq), [m, k]),
      xScale: tensor('float32', input.xScale, [m, 1]),
      wq: tensor('int8', input.wq, [n, k]),
      wScale: tensor('float32', input.wScale, [n]),
      bias: tensor('float32', input.bias ?? new Float32Array(n), [n]),
    };
    if (c > 0) {
      feeds.xo = tensor('float32', input.xOutlier, [m, c]);
      feeds.wo = tensor('float32', input.wOutlier, [n, c]);
    }
    const out = await this.run(llmInt8Graph(c > 0), feeds);
    return out.y.data as Float32Array;
  }

  async fusedLinearForward(x: Float32Array, rows: number, w: Float32Array, outFeatures: number, bias: Float32Array | null, o: FusedForwardOptions): Promise<FusedForwardResult> {
    return (await this.fusedSharedInputForward(x, rows, [{ w, outFeatures, bias }], o))[0];
  }

  async fusedSharedInputForward(x: Float32Array, rows: number, layers: readonly SharedInputLayer[], o: FusedForwardOptions): Promise<FusedForwardResult[]> {
    const k = x.length / rows;
    const parts = layers.length;
    const feeds: Record<string, ort.Tensor> = { [o.geluInput ? 'xPre' : 'x']: tensor('float32', x, [rows, k]), gamma: scalar(o.threshold) };
    layers.forEach((l, i) => {
      checkMatmul(x.length, l.w.length, { m: rows, k, n: l.outFeatures }, 'NT');
      const s = part(parts, i);
      feeds[`w${s}`] = tensor('float32', l.w, [l.outFeatures, k]);
      feeds[`bias${s}`] = tensor('float32', l.bias ?? new Float32Array(l.outFeatures), [l.outFeatures]);
    });
    const out = await this.run(fusedForwardGraph({ outliers: o.outliers, stdUnits: o.stdUnits, outlierExponent: o.outlierExponent, parts, geluInput: o.geluInput }), feeds);
    const num = (name: string): number => (out[name].data as Float32Array)[0];
    if (!Number.isFinite(num('xSum'))) checkFinite(x, k, o.geluInput ? 'linear layer input (before GELU)' : 'linear layer input');
    // The layers share x's codes and its outlier part (the same arrays).
    const outlier = o.outliers
      ? {
          columns: Int32Array.from(out.cols.data as BigInt64Array, (c) => Number(c)),
          hi: out.hi.data as Int8Array, lo: out.lo.data as Int8Array,
          scale: num('oScale'), count: num('outlierCount'),
        }
      : null;
    const xq = out.xq.data as Int8Array;
    return layers.map((l, i) => {
      const s = part(parts, i);
      const saved: FusedSaved = {
        rows, inFeatures: k, outFeatures: l.outFeatures,
        xq, xScale: num('xScale'),
        wq: out[`wq${s}`].data as Int8Array, wScale: num(`w${s}Scale`),
        outlier,
      };
      const y = out[`y${s}`].data as Float32Array;
      if (o.outliers) addRows(y, out[`yOut${s}`].data as Float32Array, out.rows.data as BigInt64Array, l.outFeatures);
      return { y, saved, maxAbs: num('xMax'), threshold: o.outliers ? num('threshold') : Infinity };
    });
  }

  async fusedLinearBackward(dy: Float32Array, s: FusedSaved, noise: Float32Array | null, extras: FusedBackwardExtras = {}): Promise<FusedBackwardResult> {
    const r = await this.fusedSharedInputBackward([dy], [s], [noise], extras);
    return { dx: r.dx, ...r.layers[0] };
  }

  async fusedSharedInputBackward(
    dys: readonly Float32Array[], saved: readonly FusedSaved[], noises: readonly (Float32Array | null)[], extras: FusedBackwardExtras & { dxAdd?: Float32Array } = {},
  ): Promise<SharedInputBackwardResult> {
    const plan = this.backwardPlan(dys, saved, noises, extras);
    return plan.read(await this.run(plan.spec, plan.feeds));
  }

  /**
   * Two layers' backward in one run, the first through GELU (the feed-forward block's output
   * layer), whose d(pre) is the second's dY (the intermediate layer) and stays inside the graph.
   * Each layer's results equal its own fusedLinearBackward's.
   */
  async fusedChainBackward(
    first: { dy: Float32Array | null; saved: FusedSaved; noise: Float32Array | null; geluInput: Float32Array },
    second: { saved: FusedSaved; noise: Float32Array | null },
    norm?: NormBackwardInput,
  ): Promise<{ dx: Float32Array; layers: [Omit<FusedBackwardResult, 'dx'>, Omit<FusedBackwardResult, 'dx'>]; norm: ResidualNormGrads | null }> {
    const s2 = second.saved;
    if (first.saved.inFeatures !== s2.outFeatures || first.saved.rows !== s2.rows) {
      throw new OctetError('shape-mismatch', `chained layers: the first reads ${first.saved.rows} x ${first.saved.inFeatures}, the second writes ${s2.rows} x ${s2.outFeatures}`);
    }
    if ((first.dy === null) === (norm === undefined)) throw new OctetError('invalid-argument', 'a chained backward starts from dY or from a LayerNorm, one of the two');
    const a = this.backwardPlan(first.dy ? [first.dy] : null, [first.saved], [first.noise], { geluInput: first.geluInput });
    const b = this.backwardPlan(null, [s2], [second.noise], {});
    const feeds: Record<string, ort.Tensor> = {};
    // The LayerNorm's dSum goes on to the residual's next reader, so it stays an output.
    const { spec, norm: n, prefix } = this.normInFront(norm, chained(a.spec, b.spec, [{ from: 'dx', to: 'dy' }]), feeds,
      (dA) => [{ from: dA, to: `${FIRST}dy`, keep: dA === 'dSum' }]);
    addPrefixed(feeds, prefix + FIRST, a.feeds);
    addPrefixed(feeds, prefix + SECOND, b.feeds);
    const out = await this.run(spec, feeds);
    const ra = a.read(outputsUnder(out, prefix + FIRST));
    const rb = b.read(outputsUnder(out, prefix + SECOND));
    return { dx: rb.dx, layers: [ra.layers[0], rb.layers[0]], norm: n ? n.read(outputsUnder(out, FIRST)) : null };
  }

  /**
   * `rest` with a residual LayerNorm's backward in front when there is one, its outputs feeding
   * rest by `links` (given the name of its gradient for the branch: dA, or dSum without dropout).
   * Its feeds go into `feeds`; `prefix` is what rest's names carry in the result.
   */
  private normInFront(
    norm: NormBackwardInput | undefined, rest: GraphSpec | ChainedSpec, feeds: Record<string, ort.Tensor>,
    links: (dA: string) => Array<{ from: string; to: string; keep?: boolean }>,
  ): { spec: GraphSpec | ChainedSpec; norm: ReturnType<OrtBackend['residualNormBackwardPlan']> | null; prefix: string } {
    if (!norm) return { spec: rest, norm: null, prefix: '' };
    const plan = this.residualNormBackwardPlan(norm);
    addPrefixed(feeds, FIRST, plan.feeds);
    return { spec: chained(plan.spec, rest, links(norm.drop.keep ? 'dA' : 'dSum')), norm: plan, prefix: SECOND };
  }

  /**
   * The backward graph, its feeds and how to read its outputs. dys null: the (single) layer's dY
   * comes from another graph (fusedChainBackward) and is not fed.
   */
  private backwardPlan(
    dys: readonly Float32Array[] | null, saved: readonly FusedSaved[], noises: readonly (Float32Array | null)[], extras: FusedBackwardExtras & { dxAdd?: Float32Array; dxAddLinked?: boolean },
  ): { spec: GraphSpec; feeds: Record<string, ort.Tensor>; read: (out: ort.InferenceSession.ReturnType) => SharedInputBackwardResult } {
    const withCodes = extras.withCodes ?? false;
    const parts = saved.length;
    const first = saved[0];
    const { rows: m, inFeatures: k } = first;
    const stochastic = noises[0] !== null;
    const feeds: Record<string, ort.Tensor> = { xq: tensor('int8', first.xq, [m, k]), xScale: scalar(first.xScale) };
    saved.forEach((sv, i) => {
      if (sv.xq !== first.xq || sv.outlier !== first.outlier || sv.rows !== m) throw new OctetError('invalid-argument', 'layers of one shared-input backward must come from one shared-input forward');
      const n = sv.outFeatures;
      const s = part(parts, i);
      if (dys) {
        checkMatmul(dys[i].length, sv.wq.length, { m, k: n, n: k }, 'NN');
        feeds[`dy${s}`] = tensor('float32', dys[i], [m, n]);
      }
      feeds[`wq${s}`] = tensor('int8', sv.wq, [n, k]);
      feeds[`w${s}Scale`] = scalar(sv.wScale);
      const noise = noises[i];
      if ((noise !== null) !== stochastic) throw new OctetError('invalid-argument', 'either every layer of a shared-input backward has rounding noise or none has');
      if (noise) {
        if (noise.length !== m * n) throw new OctetError('shape-mismatch', `rounding noise has ${noise.length} elements, expected ${m} x ${n}`);
        feeds[`noise${s}`] = tensor('float32', noise, [m, n]);
      }
    });
    const gelu = extras.geluInput;
    if (gelu) {
      if (gelu.length !== m * k) throw new OctetError('shape-mismatch', `GELU input has ${gelu.length} elements, expected ${m} x ${k}`);
      feeds.geluX = tensor('float32', gelu, [m, k]);
    }
    const add = extras.dxAdd;
    if (add) {
      if (add.length !== m * k) throw new OctetError('shape-mismatch', `dX addend has ${add.length} elements, expected ${m} x ${k}`);
      feeds.dxAdd = tensor('float32', add, [m, k]);
    }
    // No outlier columns in this batch: their products would only add the zero padding column,
    // so the graph without them gives the same dW (about 1.2 ms of [N x M] passes a layer less).
    const o = first.outlier && first.outlier.columns.length > 0 ? first.outlier : null;
    const c1 = o ? o.columns.length + PADDED_OUTLIER_COLUMN : 0;
    if (o) {
      feeds.hi = tensor('int8', o.hi, [m, c1]);
      feeds.lo = tensor('int8', o.lo, [m, c1]);
      feeds.oScale = scalar(o.scale);
    }
    const spec = fusedBackwardGraph({ outliers: o !== null, stochastic, withCodes, geluInput: gelu !== undefined, parts, addToDx: add !== undefined || extras.dxAddLinked === true });
    const read = (out: ort.InferenceSession.ReturnType): SharedInputBackwardResult => {
      const layers = saved.map((sv, i) => {
        const s = part(parts, i);
        const n = sv.outFeatures;
        if (!Number.isFinite((out[`dy${s}Sum`].data as Float32Array)[0])) {
          if (dys) checkFinite(dys[i], n, 'output gradient');
          else throw new OctetError('non-finite', 'output gradient (made inside the graph from the next layer\'s) is not finite');
        }
        const dw = out[`dw${s}`].data as Float32Array;
        if (o) addColumns(dw, out[`dw${s}Out`].data as Float32Array, o.columns, n, k, c1);
        const dyq = withCodes ? (out[`dy${s}q`].data as Int8Array) : null;
        return { dw, db: out[`db${s}`].data as Float32Array, dyq, dyScale: (out[`dy${s}Scale`].data as Float32Array)[0] };
      });
      // In a chain the first graph's dx is the second's dY, not an output: empty here.
      return { dx: out.dx ? (out.dx.data as Float32Array) : new Float32Array(0), layers };
    };
    return { spec, feeds, read };
  }

  async f32LinearForward(x: Float32Array, rows: number, layers: readonly SharedInputLayer[], o: { geluInput?: boolean } = {}): Promise<Float32Array[]> {
    const k = x.length / rows;
    const parts = layers.length;
    const bias = layers[0].bias !== null;
    if (layers.some((l) => (l.bias !== null) !== bias)) throw new OctetError('invalid-argument', 'layers of one fp32 graph either all have a bias or none has');
    const feeds: Record<string, ort.Tensor> = { [o.geluInput ? 'xPre' : 'x']: tensor('float32', x, [rows, k]) };
    layers.forEach((l, i) => {
      checkMatmul(x.length, l.w.length, { m: rows, k, n: l.outFeatures }, 'NT');
      const s = part(parts, i);
      feeds[`w${s}`] = tensor('float32', l.w, [l.outFeatures, k]);
      if (l.bias) feeds[`bias${s}`] = tensor('float32', l.bias, [l.outFeatures]);
    });
    const out = await this.run(f32LinearForwardGraph({ parts, bias, geluInput: o.geluInput }), feeds);
    return layers.map((_, i) => out[`y${part(parts, i)}`].data as Float32Array);
  }

  async f32LinearBackward(
    dys: readonly Float32Array[], weights: readonly Float32Array[], x: Float32Array | null, rows: number, extras: { geluInput?: Float32Array; dxAdd?: Float32Array; bias?: boolean } = {},
  ): Promise<F32LinearBackwardResult> {
    const parts = dys.length;
    const { geluInput, dxAdd } = extras;
    const input = x ?? geluInput;
    if (!input) throw new OctetError('invalid-argument', 'an fp32 backward needs the forward input or, through GELU, the pre-activation');
    const k = input.length / rows;
    const bias = extras.bias ?? true;
    const feeds: Record<string, ort.Tensor> = x ? { x: tensor('float32', x, [rows, k]) } : {};
    dys.forEach((dy, i) => {
      const n = dy.length / rows;
      checkMatmul(dy.length, weights[i].length, { m: rows, k: n, n: k }, 'NN');
      const s = part(parts, i);
      feeds[`dy${s}`] = tensor('float32', dy, [rows, n]);
      feeds[`w${s}`] = tensor('float32', weights[i], [n, k]);
    });
    if (geluInput) {
      checkRowMatrix('GELU input', geluInput, rows, k);
      feeds.geluX = tensor('float32', geluInput, [rows, k]);
    }
    if (dxAdd) {
      checkRowMatrix('dX addend', dxAdd, rows, k);
      feeds.dxAdd = tensor('float32', dxAdd, [rows, k]);
    }
    const out = await this.run(f32LinearBackwardGraph({ parts, bias, geluInput: geluInput !== undefined, addToDx: dxAdd !== undefined, xFromGelu: x === null }), feeds);
    return {
      dx: out.dx.data as Float32Array,
      layers: dys.map((_, i) => {
        const s = part(parts, i);
        return { dw: out[`dw${s}`].data as Float32Array, db: bias ? (out[`db${s}`].data as Float32Array) : null };
      }),
    };
  }

  /** The shapes and the keep-mask both attention graphs take. */
  private attentionInputs(s: AttentionShape, keep: Uint8Array): Record<string, ort.Tensor> {
    const d = s.hidden / s.heads;
    return {
      shape4: tensor('int64', BigInt64Array.from([s.batch, s.seq, s.heads, d].map(BigInt)), [4]),
      shape2: tensor('int64', BigInt64Array.from([s.batch * s.seq, s.hidden].map(BigInt)), [2]),
      keep: tensor('uint8', keep, [s.batch, s.heads, s.seq, s.seq]),
    };
  }

  private attentionConstants(s: AttentionShape, keepScale: number): TrainingAttentionConstants {
    return { scale: 1 / Math.sqrt(s.hidden / s.heads), keepScale };
  }

  async attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, maskBias: Float32Array, keep: Uint8Array, keepScale: number, s: AttentionShape): Promise<{ ctx: Float32Array; probs: Float32Array }> {
    const t = s.batch * s.seq;
    const out = await this.run(trainingAttentionForwardGraph(this.attentionConstants(s, keepScale)), {
      q: tensor('float32', q, [t, s.hidden]), k: tensor('float32', k, [t, s.hidden]), v: tensor('float32', v, [t, s.hidden]),
      maskBias: tensor('float32', maskBias, [s.batch, 1, 1, s.seq]),
      ...this.attentionInputs(s, keep),
    });
    return { ctx: out.ctx.data as Float32Array, probs: out.probs.data as Float32Array };
  }

  async attentionBackward(dctx: Float32Array, a: AttentionSaved, s: AttentionShape): Promise<{ dq: Float32Array; dk: Float32Array; dv: Float32Array }> {
    const plan = this.attentionBackwardPlan(dctx, a, s);
    const out = await this.run(plan.spec, plan.feeds);
    return { dq: out.dq.data as Float32Array, dk: out.dk.data as Float32Array, dv: out.dv.data as Float32Array };
  }

  /** The attention backward graph and its feeds; dctx null when another graph makes it. */
  private attentionBackwardPlan(dctx: Float32Array | null, a: AttentionSaved, s: AttentionShape): { spec: GraphSpec; feeds: Record<string, ort.Tensor> } {
    const t = s.batch * s.seq;
    const rows = (x: Float32Array): ort.Tensor => tensor('float32', x, [t, s.hidden]);
    const feeds: Record<string, ort.Tensor> = {
      q: rows(a.q), k: rows(a.k), v: rows(a.v),
      probs: tensor('float32', a.probs, [s.batch, s.heads, s.seq, s.seq]),
      ...this.attentionInputs(s, a.keep),
    };
    if (dctx) feeds.dctx = rows(dctx);
    return { spec: attentionBackwardGraph(this.attentionConstants(s, a.keepScale)), feeds };
  }

  async attentionBlockBackward(
    source: BlockSource, outProj: BlockLinear, attention: AttentionSaved, shape: AttentionShape, qkv: readonly BlockLinear[],
  ): Promise<{ dx: Float32Array; outProj: Omit<FusedBackwardResult, 'dx'>; qkv: Array<Omit<FusedBackwardResult, 'dx'>>; norm: ResidualNormGrads | null }> {
    if (qkv.length !== 3) throw new OctetError('invalid-argument', `an attention block has query, key and value, got ${qkv.length} layers`);
    const fromNorm = 'norm' in source;
    const o = this.backwardPlan(fromNorm ? null : [source.dy], [outProj.saved], [outProj.noise], {});
    const core = this.attentionBackwardPlan(null, attention, shape);
    // From the LayerNorm, the addend is its dSum, made inside the graph.
    const p = this.backwardPlan(null, qkv.map((l) => l.saved), qkv.map((l) => l.noise), fromNorm ? { dxAddLinked: true } : { dxAdd: source.dxAdd });
    const head = chained(o.spec, core.spec, [{ from: 'dx', to: 'dctx' }]);
    const block = chained(head, p.spec, [{ from: `${SECOND}dq`, to: 'dy0' }, { from: `${SECOND}dk`, to: 'dy1' }, { from: `${SECOND}dv`, to: 'dy2' }]);
    const feeds: Record<string, ort.Tensor> = {};
    const { spec, norm, prefix } = this.normInFront(fromNorm ? source.norm : undefined, block, feeds,
      (dA) => [{ from: dA, to: `${FIRST}${FIRST}dy` }, { from: 'dSum', to: `${SECOND}dxAdd` }]);
    addPrefixed(feeds, prefix + FIRST + FIRST, o.feeds);
    addPrefixed(feeds, prefix + FIRST + SECOND, core.feeds);
    addPrefixed(feeds, prefix + SECOND, p.feeds);
    const out = await this.run(spec, feeds);
    const rp = p.read(outputsUnder(out, prefix + SECOND));
    return {
      dx: rp.dx,
      outProj: o.read(outputsUnder(out, prefix + FIRST + FIRST)).layers[0],
      qkv: rp.layers,
      norm: norm ? norm.read(outputsUnder(out, FIRST)) : null,
    };
  }

  async residualNormForward(a: Float32Array, residual: Float32Array, drop: Dropped, gamma: Float32Array, beta: Float32Array, rows: number, dim: number, eps: number): Promise<ResidualNormForward> {
    checkRowMatrix('layer norm input', a, rows, dim);
    checkRowMatrix('residual', residual, rows, dim);
    const feeds: Record<string, ort.Tensor> = {
      a: tensor('float32', a, [rows, dim]), residual: tensor('float32', residual, [rows, dim]),
      gamma: tensor('float32', gamma, [dim]), beta: tensor('float32', beta, [dim]), eps: scalar(eps),
    };
    if (drop.keep) Object.assign(feeds, { keep: tensor('uint8', drop.keep, [rows, dim]), keepScale: scalar(drop.keepScale) });
    const out = await this.run(residualNormForwardGraph({ dropout: drop.keep !== null }), feeds);
    const f = (name: string): Float32Array => out[name].data as Float32Array;
    return { y: f('y'), sum: f('sum'), mean: f('mean'), rstd: f('rstd') };
  }

  async residualNormBackward(dOut: Float32Array, dOut2: Float32Array | null, saved: ResidualNormForward, drop: Dropped, gamma: Float32Array, rows: number, dim: number): Promise<ResidualNormGrads> {
    const plan = this.residualNormBackwardPlan({ dOut, dOut2, saved, drop, gamma, rows, dim });
    return plan.read(await this.run(plan.spec, plan.feeds));
  }

  /** The residual LayerNorm's backward graph, feeds and reader (dSum and dA may be links in a chain). */
  private residualNormBackwardPlan(i: NormBackwardInput): { spec: GraphSpec; feeds: Record<string, ort.Tensor>; read: (out: ort.InferenceSession.ReturnType) => ResidualNormGrads } {
    const { dOut, dOut2, saved, drop, gamma, rows, dim } = i;
    checkRowMatrix('layer norm output gradient', dOut, rows, dim);
    if (dOut2) checkRowMatrix('second output gradient', dOut2, rows, dim);
    const feeds: Record<string, ort.Tensor> = {
      dOut: tensor('float32', dOut, [rows, dim]), sum: tensor('float32', saved.sum, [rows, dim]),
      mean: tensor('float32', saved.mean, [rows, 1]), rstd: tensor('float32', saved.rstd, [rows, 1]), gamma: tensor('float32', gamma, [dim]),
    };
    if (dOut2) feeds.dOut2 = tensor('float32', dOut2, [rows, dim]);
    if (drop.keep) Object.assign(feeds, { keep: tensor('uint8', drop.keep, [rows, dim]), keepScale: scalar(drop.keepScale) });
    const spec = residualNormBackwardGraph({ dropout: drop.keep !== null, twoGradients: dOut2 !== null });
    const read = (out: ort.InferenceSession.ReturnType): ResidualNormGrads => {
      // In a chain dSum and dA may be links, not outputs: empty then.
      const f = (name: string): Float32Array => (out[name] ? (out[name].data as Float32Array) : new Float32Array(0));
      return { dSum: f('dSum'), dA: drop.keep ? f('dA') : f('dSum'), dGamma: f('dGamma'), dBeta: f('dBeta') };
    };
    return { spec, feeds, read };
  }

  async geluForward(x: Float32Array, rows: number): Promise<Float32Array> {
    const out = await this.run(geluForwardGraph(), { x: tensor('float32', x, [rows, x.length / rows]) });
    return out.y.data as Float32Array;
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (s) => (await s).release()));
  }
}

/** Copies `feeds` into `target` under `prefix` (a chained graph's names, graph-chain.ts). */
function addPrefixed(target: Record<string, ort.Tensor>, prefix: string, feeds: Record<string, ort.Tensor>): void {
  for (const [k, t] of Object.entries(feeds)) target[prefix + k] = t;
}

/** A chained graph's outputs under `prefix`, by the names the part's own graph gives them. */
function outputsUnder(out: ort.InferenceSession.ReturnType, prefix: string): ort.InferenceSession.ReturnType {
  return new Proxy(out, { get: (target, key) => (typeof key === 'string' ? target[prefix + key] : undefined) });
}

function checkRowMatrix(what: string, a: Float32Array, rows: number, dim: number): void {
  if (a.length !== rows * dim) throw new OctetError('shape-mismatch', `${what} has ${a.length} elements, expected ${rows} x ${dim}`);
}

function addInto(target: Float32Array, src: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i] += src[i];
}

/** y[rows[r], :] += part[r, :]: the outlier rows' product, added where the graph left it. */
function addRows(y: Float32Array, part: Float32Array, rows: BigInt64Array, n: number): void {
  for (let r = 0; r < rows.length; r++) {
    const base = Number(rows[r]) * n;
    for (let j = 0; j < n; j++) y[base + j] += part[r * n + j];
  }
}

/** dw[:, columns] += part, where part is [n x stride] and its first columns.length columns count. */
function addColumns(dw: Float32Array, part: Float32Array, columns: Int32Array, n: number, k: number, stride = columns.length): void {
  const c = columns.length;
  for (let j = 0; j < n; j++) for (let t = 0; t < c; t++) dw[j * k + columns[t]] += part[j * stride + t];
}
