// From SQNR figures to a verdict and the mode to use (the criteria are manifest settings:
// profile.criteria). The rule follows method.md section 5: what counts is how much the output of
// each layer loses to plain int8 against outlier tiling, not how large the outliers look.
import type { PrecisionMode } from '../nn/precision';
import type { LinearLayerProfile, ProfileVerdict, SqnrFigures, TensorStats } from './types';

export interface ProfileCriteria {
  /** A layer is outlier-heavy when tiling gains more than this many dB of output SQNR. */
  sqnrGapDb: number;
}

export function layerVerdict(input: TensorStats, sqnr: SqnrFigures, criteria: ProfileCriteria): ProfileVerdict {
  if (input.outlierCount === 0) return 'clean';
  // Tiling exact (no error left) while plain int8 is not: an unbounded gain.
  const gain = sqnr.gapDb ?? (sqnr.int8Outlier === null && sqnr.int8 !== null ? Infinity : 0);
  return gain > criteria.sqnrGapDb ? 'outlier-heavy' : 'outliers';
}

const fmtDb = (v: number | null): string => (v === null ? 'exact' : `${v.toFixed(1)} dB`);

export function layerMessage(name: string, input: TensorStats, sqnr: SqnrFigures, verdict: ProfileVerdict): string {
  if (verdict === 'clean') return '';
  const dims = input.outlierColumns.slice(0, 4).map((c) => c.dim).join(', ');
  const more = input.outlierColumnCount > 4 ? ` and ${input.outlierColumnCount - 4} more` : '';
  const where = `outliers (|x| > ${input.threshold.toPrecision(3)}) in ${(input.outlierFraction * 100).toPrecision(2)}% of ${name}'s input, dims ${dims}${more}`;
  const cost = `output SQNR ${fmtDb(sqnr.int8)} with plain int8, ${fmtDb(sqnr.int8Outlier)} with outlier tiling`;
  return verdict === 'outlier-heavy' ? `${where}; ${cost}: use int8-outlier` : `${where}; ${cost}`;
}

const RANK: Record<ProfileVerdict, number> = { clean: 0, outliers: 1, 'outlier-heavy': 2 };

export function modelVerdict(layers: readonly LinearLayerProfile[], criteria: ProfileCriteria): {
  verdict: ProfileVerdict; recommendedMode: PrecisionMode; outlierHeavyLayers: string[]; summary: string;
} {
  const verdict = layers.reduce<ProfileVerdict>((v, l) => (RANK[l.verdict] > RANK[v] ? l.verdict : v), 'clean');
  const heavy = layers.filter((l) => l.verdict === 'outlier-heavy').map((l) => l.name);
  const withOutliers = layers.filter((l) => l.verdict !== 'clean').length;
  const summary = verdict === 'outlier-heavy'
    ? `${heavy.length} of ${layers.length} linear layers are outlier-heavy (plain int8 loses more than ${criteria.sqnrGapDb} dB of output SQNR against outlier tiling): use int8-outlier`
    : verdict === 'outliers'
      ? `${withOutliers} of ${layers.length} linear layers have outliers, but outlier tiling gains at most ${criteria.sqnrGapDb} dB anywhere: plain int8 is enough`
      : `no activation exceeds the outlier threshold: plain int8 is enough`;
  return { verdict, recommendedMode: verdict === 'outlier-heavy' ? 'int8-outlier' : 'int8', outlierHeavyLayers: heavy, summary };
}
