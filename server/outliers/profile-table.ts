// The profile as a markdown table for hovers: on `model` every linear layer, on a `layers` key
// the layers that pattern matches, each with the mode the current text gives it and its verdict
// under the criteria in force.
import { compileLayerPattern, resolveLayerPrecision } from '../../engine/manifest';
import type { ActivationProfile, LinearLayerProfile } from '../../engine/profile/types';
import { layerVerdict } from '../../engine/profile/verdict';
import type { LooseManifest } from '../loose-manifest';

/** Rows shown on `model` before only the layers with outliers are listed. */
const MAX_ROWS = 40;

const db = (v: number | null): string => (v === null ? 'exact' : v.toFixed(1));
const pct = (f: number): string => (f === 0 ? '0' : f < 1e-4 ? '<0.01%' : `${(f * 100).toFixed(2)}%`);

export function profileTableMarkdown(profile: ActivationProfile, manifest: LooseManifest, sqnrGapDb: number, pattern?: string): string {
  const matcher = pattern === undefined ? undefined : compileLayerPattern(pattern);
  let layers = profile.layers.filter((l) => matcher === undefined || matcher.test(l.name));
  if (layers.length === 0) return '';
  const verdicts = new Map(layers.map((l) => [l, layerVerdict(l.input, l.sqnrDb, { sqnrGapDb })]));
  let note = '';
  if (layers.length > MAX_ROWS) {
    const clean = layers.filter((l) => verdicts.get(l) === 'clean').length;
    layers = layers.filter((l) => verdicts.get(l) !== 'clean');
    note = `\n\n${clean} layers without outliers are not listed.`;
  }
  const rules = { precision: manifest.precision, layers: manifest.layerRules };
  const s = profile.settings;
  const heavy = [...verdicts.values()].filter((v) => v === 'outlier-heavy').length;
  const title = `**Activation profile** (${s.batches} calibration batch${s.batches === 1 ? '' : 'es'}, ${profile.tokens} tokens): ` +
    `${heavy} of ${verdicts.size} layer${verdicts.size === 1 ? '' : 's'} outlier-heavy (tiling gains > ${sqnrGapDb} dB)` +
    (profile.synthetic !== null ? '. SYNTHETIC outliers were planted in this model.' : '');
  const rows = layers.map((l) => row(l, resolveLayerPrecision(rules, l.name).mode, verdicts.get(l)!));
  return [
    title,
    '',
    '| layer | mode | > threshold | max \\|x\\| | columns | SQNR int8 (dB) | SQNR tiled (dB) | verdict |',
    '|---|---|---:|---:|---|---:|---:|---|',
    ...rows,
  ].join('\n') + note;
}

function row(l: LinearLayerProfile, mode: string, verdict: string): string {
  const s = l.input;
  const cols = s.outlierColumnCount === 0 ? '-' : s.outlierColumns.slice(0, 3).map((c) => c.dim).join(', ') + (s.outlierColumnCount > 3 ? ` +${s.outlierColumnCount - 3}` : '');
  const v = verdict === 'outlier-heavy' ? '**outlier-heavy**' : verdict;
  return `| \`${l.name}\` | ${mode} | ${pct(s.outlierFraction)} | ${s.maxAbs.toPrecision(3)} | ${cols} | ${db(l.sqnrDb.int8)} | ${db(l.sqnrDb.int8Outlier)} | ${v} |`;
}
