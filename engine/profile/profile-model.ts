// profileModel: runs a model in fp32 over calibration batches and reports, for every linear
// layer's input (and the LayerNorm and feed-forward outputs), the activation distribution, where
// the outliers are, and what plain int8 and outlier tiling cost the layer's output. The one
// function behind `octet profile` and the language server's outlier diagnostics.
import { OctetError } from '../errors';
import type { TokenBatch } from '../model/batch';
import type { BertModel } from '../model/bert-model';
import type { Linear } from '../nn/linear';
import type { LinearPrecision } from '../nn/precision';
import { effectiveThreshold, type ThresholdUnits } from '../quant/outliers';
import { installCapture } from './capture';
import { quantizeWeight, SqnrAccumulator } from './sqnr';
import { type RowInfo, scanTensor, type TensorScan } from './tensor-scan';
import { DEFAULT_STATS_LIMITS, type StatsLimits, TensorStatsAccumulator } from './tensor-stats';
import {
  type ActivationProfile, type LinearLayerProfile, PROFILE_FORMAT_VERSION, type SyntheticOutlierNote, type TensorProfile,
} from './types';
import { layerMessage, layerVerdict, modelVerdict, type ProfileCriteria } from './verdict';

/** Output rows per batch and layer in the SQNR sums: enough for a stable ratio, cheap on big layers. */
export const DEFAULT_SQNR_ROWS_PER_BATCH = 512;

export interface ProfileModelOptions {
  batches: readonly TokenBatch[];
  /** Token spellings by id (the tokenizer's vocabulary). */
  vocab: readonly string[];
  criteria: ProfileCriteria;
  /** Threshold for tensors that are not linear inputs; linear inputs use their layer's own. */
  threshold: { gamma: number; units: ThresholdUnits };
  /** 0: every row. */
  sqnrRowsPerBatch?: number;
  limits?: StatsLimits;
  /** Where the model came from, copied into the profile. */
  source?: { manifestPath?: string; modelDir?: string; synthetic?: SyntheticOutlierNote | null; batchSize?: number; maxSeqLength?: number };
  onBatch?: (done: number, total: number) => void;
}

type RowKind = 'token' | 'sequence' | 'other';

interface LayerSite {
  linear: Linear;
  precision: LinearPrecision;
  rowKind: RowKind;
  stats: TensorStatsAccumulator;
  sqnr: SqnrAccumulator;
}

interface TensorSite {
  kind: TensorProfile['kind'];
  rowKind: RowKind;
  stats: TensorStatsAccumulator;
}

/** Forward order of the non-linear sites: embeddings, then per layer LN1, FFN output, LN2. */
function tensorOrder(name: string): number {
  if (name.startsWith('embeddings.')) return -1;
  const m = /^encoder\.layer\.(\d+)\.(.+)$/.exec(name);
  if (!m) return Number.MAX_SAFE_INTEGER;
  const part = ['attention.output.LayerNorm', 'output.dense', 'output.LayerNorm'].indexOf(m[2]);
  return Number(m[1]) * 3 + part;
}

export async function profileModel(model: BertModel, o: ProfileModelOptions): Promise<ActivationProfile> {
  if (o.batches.length === 0) throw new OctetError('invalid-argument', 'profiling needs at least one calibration batch');
  const started = performance.now();
  const limit = o.sqnrRowsPerBatch ?? DEFAULT_SQNR_ROWS_PER_BATCH;
  const limits = o.limits ?? DEFAULT_STATS_LIMITS;
  const layers = new Map<string, LayerSite>();
  const tensors = new Map<string, TensorSite>();
  const occurrences: Record<RowKind, Map<number, number>> = { token: new Map(), sequence: new Map(), other: new Map() };
  const configured = new Map<Linear, LinearPrecision>();
  let batch: TokenBatch = o.batches[0];
  let infos: Record<RowKind, RowInfo> = rowInfos(batch);
  // Q, K and V share one input array and LN outputs are linear inputs: scan each array once.
  let scans = new Map<Float32Array, Map<number, TensorScan>>();

  const rowKindOf = (rows: number): RowKind =>
    rows === batch.batch * batch.seq ? 'token' : rows === batch.batch ? 'sequence' : 'other';
  const scan = (x: Float32Array, rows: number, cols: number, kind: RowKind, threshold: number): TensorScan => {
    let byThreshold = scans.get(x);
    if (!byThreshold) scans.set(x, (byThreshold = new Map()));
    let s = byThreshold.get(threshold);
    if (!s) byThreshold.set(threshold, (s = scanTensor(x, rows, cols, infos[kind], threshold)));
    return s;
  };
  const recordTensor = (name: string, kind: TensorSite['kind'], x: Float32Array, rows: number): void => {
    const cols = x.length / rows;
    const rowKind = rowKindOf(rows);
    const threshold = x.length > 0 ? effectiveThreshold(x, o.threshold.gamma, o.threshold.units) : o.threshold.gamma;
    let site = tensors.get(name);
    if (!site) tensors.set(name, (site = { kind, rowKind, stats: new TensorStatsAccumulator(cols) }));
    site.stats.add(scan(x, rows, cols, rowKind, threshold), threshold);
  };

  for (const linear of model.linears.values()) {
    configured.set(linear, linear.precision);
    // The profile measures the float model: every layer runs fp32, quantization is simulated.
    linear.precision = { ...linear.precision, mode: 'fp32' };
  }
  const uninstall = installCapture(model, {
    onLinear: async (linear, x, rows, y) => {
      const p = configured.get(linear)!;
      const rowKind = rowKindOf(rows);
      let site = layers.get(linear.name);
      if (!site) {
        const w = quantizeWeight(linear.weight, linear.outFeatures, linear.inFeatures, p.granularity);
        const sqnr = new SqnrAccumulator(w, linear.bias, { granularity: p.granularity, rounding: p.forwardRounding, seed: layers.size + 1, outlierExponent: p.outlierExponent });
        layers.set(linear.name, (site = { linear, precision: p, rowKind, stats: new TensorStatsAccumulator(linear.inFeatures), sqnr }));
      }
      const threshold = effectiveThreshold(x, p.threshold, p.thresholdUnits);
      const s = scan(x, rows, linear.inFeatures, rowKind, threshold);
      site.stats.add(s, threshold);
      await site.sqnr.add(x, y, infos[rowKind], s, threshold, limit, model.backend);
      // In a BERT layer the intermediate dense reads LN1's output, and output.dense is the FFN.
      const m = /^encoder\.layer\.(\d+)\.(intermediate|output)\.dense$/.exec(linear.name);
      if (m?.[2] === 'intermediate') recordTensor(`encoder.layer.${m[1]}.attention.output.LayerNorm`, 'layernorm-output', x, rows);
      if (m?.[2] === 'output') recordTensor(linear.name, 'ffn-output', y, rows);
    },
    onEncoderLayer: async (index, x, out) => {
      const rows = batch.batch * batch.seq;
      if (index === 0) recordTensor('embeddings.LayerNorm', 'layernorm-output', x, rows);
      recordTensor(`encoder.layer.${index}.output.LayerNorm`, 'layernorm-output', out, rows);
    },
  });
  try {
    for (let i = 0; i < o.batches.length; i++) {
      batch = o.batches[i];
      infos = rowInfos(batch);
      scans = new Map();
      countOccurrences(batch, occurrences);
      await model.forward(batch, false);
      o.onBatch?.(i + 1, o.batches.length);
    }
  } finally {
    uninstall();
    for (const [linear, p] of configured) linear.precision = p;
  }

  const layerProfiles: LinearLayerProfile[] = [...layers.values()].map((site) => {
    const input = site.stats.finish(o.vocab, occurrences[site.rowKind], limits);
    const sqnrDb = site.sqnr.finish();
    const verdict = layerVerdict(input, sqnrDb, o.criteria);
    const { linear, precision: p } = site;
    return {
      name: linear.name, inFeatures: linear.inFeatures, outFeatures: linear.outFeatures,
      configuredMode: p.mode, thresholdUnits: p.thresholdUnits, gamma: p.threshold,
      input, sqnrDb, verdict, message: layerMessage(linear.name, input, sqnrDb, verdict),
    };
  });
  const tensorProfiles: TensorProfile[] = [...tensors]
    .sort(([a], [b]) => tensorOrder(a) - tensorOrder(b))
    .map(([name, site]) => ({ name, kind: site.kind, stats: site.stats.finish(o.vocab, occurrences[site.rowKind], limits) }));
  const v = modelVerdict(layerProfiles, o.criteria);
  let tokens = 0;
  for (const n of occurrences.token.values()) tokens += n;
  return {
    format: 'octet-activation-profile',
    version: PROFILE_FORMAT_VERSION,
    manifestPath: o.source?.manifestPath ?? null,
    modelDir: o.source?.modelDir ?? null,
    synthetic: o.source?.synthetic ?? null,
    settings: {
      batches: o.batches.length,
      batchSize: o.source?.batchSize ?? Math.max(...o.batches.map((b) => b.batch)),
      maxSeqLength: o.source?.maxSeqLength ?? Math.max(...o.batches.map((b) => b.seq)),
      sqnrRowsPerBatch: limit,
      criteria: { ...o.criteria },
    },
    tokens,
    layers: layerProfiles,
    tensors: tensorProfiles,
    ...v,
    elapsedMs: Math.round(performance.now() - started),
  };
}

function rowInfos(b: TokenBatch): Record<RowKind, RowInfo> {
  const cls = new Int32Array(b.batch);
  for (let i = 0; i < b.batch; i++) cls[i] = b.inputIds[i * b.seq];
  return {
    token: { real: b.attentionMask, tokenIds: b.inputIds },
    // The pooler reads the [CLS] row of each sequence; the classifier reads the pooled vector.
    sequence: { real: null, tokenIds: cls },
    other: { real: null, tokenIds: null },
  };
}

function countOccurrences(b: TokenBatch, into: Record<RowKind, Map<number, number>>): void {
  const bump = (m: Map<number, number>, id: number): void => void m.set(id, (m.get(id) ?? 0) + 1);
  for (let r = 0; r < b.batch * b.seq; r++) if (b.attentionMask[r]) bump(into.token, b.inputIds[r]);
  for (let i = 0; i < b.batch; i++) bump(into.sequence, b.inputIds[i * b.seq]);
}
