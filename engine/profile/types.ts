// The activation profile: what `octet profile --json` prints and what the language server turns
// into diagnostics. This file is the contract between them; change it only by adding fields, and
// bump PROFILE_FORMAT_VERSION when a field changes meaning or goes away.
//
// Conventions: every number is finite or null (JSON has no Infinity or NaN; null says why in the
// field's comment). Statistics are over real tokens only (padding rows excluded); quantization
// always sees the whole tensor, padding included, as training does, so scales match training.
import type { PrecisionMode } from '../nn/precision';
import type { ThresholdUnits } from '../quant/outliers';

export const PROFILE_FORMAT_VERSION = 1;

/** One hidden dimension (input feature) where outliers occur. */
export interface OutlierColumn {
  dim: number;
  /** Outlier elements in this column, over all calibration rows. */
  count: number;
  /** count / rows: the share of tokens on which this dimension is an outlier. */
  rowFraction: number;
  maxAbs: number;
}

/** A token on which outliers occur, by the number of outlier elements in its rows. */
export interface OutlierToken {
  id: number;
  /** The vocabulary's spelling, e.g. "[SEP]" or "##ing"; "#<id>" when the id is outside it. */
  token: string;
  /** Outlier elements in rows of this token. */
  count: number;
  /** Rows of this token in the calibration data (real tokens, or [CLS] rows for pooled inputs). */
  occurrences: number;
}

/** Distribution of one activation tensor over the calibration batches. */
export interface TensorStats {
  /** Real rows seen: tokens, or sequences for the pooler and classifier inputs. */
  rows: number;
  cols: number;
  maxAbs: number;
  mean: number;
  /** Population standard deviation. */
  std: number;
  /** Pearson kurtosis E[(x-mean)^4] / std^4 (a Gaussian has 3); null when std is 0. */
  kurtosis: number | null;
  /** The absolute threshold applied: gamma, or gamma * std of each batch (averaged) in 'std' units. */
  threshold: number;
  /** Elements with |x| > threshold. */
  outlierCount: number;
  outlierFraction: number;
  /** Columns with at least one outlier (the list below keeps the top ones). */
  outlierColumnCount: number;
  /** Most frequent outlier columns, by count, descending. */
  outlierColumns: OutlierColumn[];
  /** Tokens with the most outlier elements, descending. */
  topTokens: OutlierToken[];
}

/**
 * 'outlier-heavy': plain int8 costs the layer's output more than criteria.sqnrGapDb against
 * outlier tiling. 'outliers': some elements exceed the threshold, but tiling gains less than that.
 * 'clean': no element exceeds the threshold.
 */
export type ProfileVerdict = 'outlier-heavy' | 'outliers' | 'clean';

/** Output SQNR in dB, 10 log10(sum Y^2 / sum (Y - Yq)^2), Y = X W^T in fp32 (method.md section 5). */
export interface SqnrFigures {
  /** Plain DFP-8 activations and weights. null: no quantization error at all (e.g. zero input). */
  int8: number | null;
  /** DFP-8 inliers plus DFP-12 outliers tiled into int8 GEMMs (method.md sections 3-4). */
  int8Outlier: number | null;
  /** int8Outlier - int8; null when either is null. */
  gapDb: number | null;
  /** Output rows the sums ran over (a strided sample of real rows per batch, see settings). */
  rows: number;
}

/** The input of one linear layer, and what quantizing it costs the layer's output. */
export interface LinearLayerProfile {
  /** Octet layer name, e.g. "encoder.layer.3.intermediate.dense". */
  name: string;
  inFeatures: number;
  outFeatures: number;
  /** The mode the manifest gives this layer (the profile itself runs every layer in fp32). */
  configuredMode: PrecisionMode;
  thresholdUnits: ThresholdUnits;
  /** gamma as configured for this layer. */
  gamma: number;
  input: TensorStats;
  sqnrDb: SqnrFigures;
  verdict: ProfileVerdict;
  /** One line for people and diagnostics; empty for clean layers. */
  message: string;
}

/** A tensor that is not (only) a linear input: a LayerNorm output or a feed-forward output. */
export interface TensorProfile {
  /** Module name, e.g. "encoder.layer.3.output.LayerNorm" or "encoder.layer.3.output.dense". */
  name: string;
  kind: 'layernorm-output' | 'ffn-output';
  stats: TensorStats;
}

/** Outliers planted by engine/fixtures/plant-outliers.ts: the model is synthetic. */
export interface SyntheticOutlierNote {
  dims: number[];
  /** null (and dims empty) when the note is unreadable: synthetic, details unknown. */
  gain: number | null;
}

export interface ActivationProfile {
  format: 'octet-activation-profile';
  version: typeof PROFILE_FORMAT_VERSION;
  /** Absolute paths; null when profiling a model that did not come from a manifest. */
  manifestPath: string | null;
  modelDir: string | null;
  /** Present when the model carries planted (synthetic) outliers. */
  synthetic: SyntheticOutlierNote | null;
  settings: {
    batches: number;
    batchSize: number;
    maxSeqLength: number;
    /** Output rows per batch and layer the SQNR sums use (strided over real rows); 0 = all. */
    sqnrRowsPerBatch: number;
    criteria: { sqnrGapDb: number };
  };
  /** Real tokens in the calibration batches. */
  tokens: number;
  /** Every linear layer, in forward order. */
  layers: LinearLayerProfile[];
  /** LayerNorm outputs and feed-forward (output.dense) outputs, in forward order. */
  tensors: TensorProfile[];
  /** The worst layer verdict. */
  verdict: ProfileVerdict;
  /** 'int8-outlier' when any layer is outlier-heavy, else 'int8'. */
  recommendedMode: PrecisionMode;
  /** Names of the outlier-heavy layers. */
  outlierHeavyLayers: string[];
  /** One line explaining the verdict. */
  summary: string;
  /** Wall-clock time of the profile (not reproducible; everything else is). */
  elapsedMs: number;
}
