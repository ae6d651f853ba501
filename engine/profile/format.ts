// The profile as text tables for the terminal (the JSON is the profile itself).
import { formatTable } from '../bench/report';
import type { ActivationProfile, TensorStats } from './types';

const num = (v: number | null, digits = 1): string => (v === null ? 'exact' : v.toFixed(digits));
const pct = (f: number): string => (f === 0 ? '0' : f < 1e-4 ? '<0.01%' : `${(f * 100).toFixed(2)}%`);

function dims(s: TensorStats, n = 3): string {
  if (s.outlierColumnCount === 0) return '-';
  const shown = s.outlierColumns.slice(0, n).map((c) => `${c.dim}:${c.count}`).join(' ');
  return s.outlierColumnCount > n ? `${shown} +${s.outlierColumnCount - n}` : shown;
}

function tokens(s: TensorStats, n = 3): string {
  return s.topTokens.length === 0 ? '-' : s.topTokens.slice(0, n).map((t) => `${t.token}:${t.count}`).join(' ');
}

function statCells(s: TensorStats): string[] {
  return [s.maxAbs.toPrecision(3), s.std.toPrecision(3), s.kurtosis === null ? '-' : s.kurtosis.toPrecision(3), pct(s.outlierFraction), dims(s), tokens(s)];
}

export function formatProfile(p: ActivationProfile): string {
  const s = p.settings;
  const units = p.layers[0]?.thresholdUnits ?? 'absolute';
  const gamma = p.layers[0]?.gamma;
  const head = [
    `Activation profile: fp32 forward over ${s.batches} calibration batch${s.batches === 1 ? '' : 'es'} (${p.tokens} tokens), ` +
      `outliers |x| > gamma${gamma !== undefined ? ` = ${gamma}` : ''}${units === 'std' ? ' x std' : ''}; ` +
      `output SQNR over ${s.sqnrRowsPerBatch > 0 ? `up to ${s.sqnrRowsPerBatch}` : 'all'} rows per batch and layer.`,
  ];
  if (p.synthetic) {
    head.push(`SYNTHETIC outliers were planted in this model (dims ${p.synthetic.dims.join(', ') || '?'}, gain ${p.synthetic.gain ?? '?'}).`);
  }
  const layerTable = formatTable(
    ['linear layer (input)', 'max|x|', 'std', 'kurt', '>gamma', 'outlier dims (dim:count)', 'tokens', 'SQNR int8', 'SQNR tiled', 'gain dB', 'verdict'],
    p.layers.map((l) => [l.name, ...statCells(l.input), num(l.sqnrDb.int8), num(l.sqnrDb.int8Outlier), num(l.sqnrDb.gapDb), l.verdict]),
  );
  const tensorTable = formatTable(
    ['tensor', 'kind', 'max|x|', 'std', 'kurt', '>gamma', 'outlier dims (dim:count)', 'tokens'],
    p.tensors.map((t) => [t.name, t.kind, ...statCells(t.stats)]),
  );
  return [
    ...head,
    '',
    layerTable,
    '',
    tensorTable,
    '',
    `Verdict: ${p.verdict}. ${p.summary}.`,
    `Recommended mode: ${p.recommendedMode} (criterion: output SQNR gain of tiling > ${s.criteria.sqnrGapDb} dB). Profiled in ${(p.elapsedMs / 1000).toFixed(1)} s.`,
  ].join('\n');
}
