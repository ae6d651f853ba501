// The comparison as a markdown table in the paper's style: metrics in points (x100, except the
// loss), mean +- standard deviation over seeds, the gap to fp32 and the share of it recovered.
import type { CompareSummary } from './types';

const scaled = (metric: string, v: number): number => (metric === 'loss' ? v : v * 100);
const digits = (metric: string): number => (metric === 'loss' ? 4 : 2);

function cell(metric: string, mean: number, std: number | null): string {
  const m = scaled(metric, mean).toFixed(digits(metric));
  return std === null ? m : `${m} ± ${scaled(metric, std).toFixed(digits(metric))}`;
}

export function formatCompareMarkdown(s: CompareSummary): string {
  const metricNames = [...new Set(s.byMode.flatMap((m) => Object.keys(m.metrics)))]
    .sort((a, b) => (a === s.primaryMetric ? -1 : b === s.primaryMetric ? 1 : a === 'loss' ? 1 : b === 'loss' ? -1 : 0));
  const p = s.primaryMetric;
  const header = ['mode', ...metricNames.map((n) => (n === 'loss' ? 'eval loss' : n)), `Δ ${p} vs fp32`, 'Δ / std', 'gap closed'];
  const rows = s.byMode.map((m) => [
    m.mode,
    ...metricNames.map((n) => (m.metrics[n] ? cell(n, m.metrics[n].mean, m.metrics[n].std) : '–')),
    m.mode === 'fp32' || m.gapToFp32 === null ? '–' : `${m.gapToFp32 >= 0 ? '+' : ''}${scaled(p, m.gapToFp32).toFixed(digits(p))}`,
    m.mode === 'fp32' || m.gapInStd === null ? '–' : m.gapInStd.toFixed(1),
    m.mode === 'int8-outlier' && s.gapClosed !== null ? `${(s.gapClosed * 100).toFixed(0)}%` : '–',
  ]);
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const table = [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
  const seeds = s.seeds.length;
  const notes = [
    `${s.task}, ${seeds} seed${seeds === 1 ? '' : 's'} (${s.seeds.join(', ')}) per mode; metrics of each run's best evaluation, in points (x100) except the loss; mean ± sample std over seeds.`,
    `Δ / std: the gap to fp32 over the larger of the two modes' std. Gap closed: (int8-outlier - int8) / (fp32 - int8) on ${p}.`,
  ];
  const int8 = s.byMode.find((m) => m.mode === 'int8');
  if (s.gapClosed === null && int8?.gapToFp32 !== null && int8?.gapToFp32 !== undefined && s.modes.includes('int8-outlier')) {
    notes.push(`int8 is not worse than fp32 on ${p} here: there is no gap for the outlier treatment to close.`);
  }
  if (s.synthetic) notes.push(`The model carries SYNTHETIC planted outliers (dims ${s.synthetic.dims.join(', ') || '?'}, gain ${s.synthetic.gain ?? '?'}).`);
  return [table, '', ...notes].join('\n');
}
