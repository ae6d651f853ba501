// How one linear layer computes: the three modes the product compares, and the settings that
// method.md marks as our reconstruction (so other readings can be tried).
import type { Granularity, Rounding } from '../quant/dfp';
import { DEFAULT_OUTLIER_EXPONENT, type OutlierExponentRule, type ThresholdUnits } from '../quant/outliers';

export type PrecisionMode = 'fp32' | 'int8' | 'int8-outlier';

export interface LinearPrecision {
  mode: PrecisionMode;
  /** gamma; 5 in the paper. */
  threshold: number;
  thresholdUnits: ThresholdUnits;
  forwardRounding: Rounding;
  backwardRounding: Rounding;
  /** Whether dW = dY^T X reuses the inlier/outlier split of X (not stated in the paper). */
  weightGradReusesSplit: boolean;
  /** Forward exponents per tensor or per row; backward always uses one per tensor. */
  granularity: Granularity;
  /** The outliers' DFP-12 exponent: their own, or at least the inliers' (engine/quant/outliers.ts). */
  outlierExponent: OutlierExponentRule;
}

export const DEFAULT_PRECISION: LinearPrecision = {
  mode: 'int8-outlier',
  threshold: 5,
  thresholdUnits: 'absolute',
  forwardRounding: 'nearest',
  backwardRounding: 'stochastic',
  weightGradReusesSplit: true,
  granularity: 'tensor',
  outlierExponent: DEFAULT_OUTLIER_EXPONENT,
};

export const PRECISION_MODES: readonly PrecisionMode[] = ['fp32', 'int8', 'int8-outlier'];
