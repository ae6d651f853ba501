// Number, time and ETA formatting for the dashboard. Pure (no DOM, no locale): the same input
// gives the same text in the webview and in tests.

const DASH = '—';
const MINUS = '−'; // U+2212, the typographic minus: lines up with '+' in tables

function finite(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** 1234567 -> '1,234,567'. Rounds to an integer. */
export function formatInt(v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  const sign = v < 0 ? MINUS : '';
  const digits = String(Math.round(Math.abs(v)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * `significant` significant digits without exponent notation for ordinary magnitudes:
 * 0.693147 -> '0.6931', 2.302585 -> '2.303', 1234.5 -> '1,235'. Tiny or huge values use
 * exponents ('1.2e-7').
 */
export function formatNumber(v: number | null | undefined, significant = 4): string {
  if (!finite(v)) return DASH;
  if (v === 0) return '0';
  const a = Math.abs(v);
  const sign = v < 0 ? MINUS : '';
  if (a >= 1e15 || a < 1e-4) return sign + formatExponent(a, Math.max(1, significant - 1));
  if (a >= 10 ** significant) return sign + formatInt(a);
  let text = a.toPrecision(significant);
  if (text.includes('e')) text = String(Number(text));
  return sign + text;
}

function formatExponent(a: number, fractionDigits: number): string {
  const [mantissa, exponent] = a.toExponential(fractionDigits).split('e');
  return `${mantissa}e${Number(exponent) < 0 ? '-' : ''}${Math.abs(Number(exponent))}`;
}

/** 950 -> '950', 4210 -> '4.21k', 12_345_678 -> '12.3M'. */
export function formatCompact(v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  const a = Math.abs(v);
  const sign = v < 0 ? MINUS : '';
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, suffix] of units) {
    // Round before comparing, so 999,950 reads '1M' rather than '1000k'.
    const scaled = Number((a / scale).toPrecision(3));
    if (scaled >= 1) return sign + trimZeros(scaled.toPrecision(3)) + suffix;
  }
  return sign + (a >= 100 ? String(Math.round(a)) : trimZeros(a.toPrecision(3)));
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** Training losses: four significant digits. */
export function formatLoss(v: number | null | undefined): string {
  return formatNumber(v, 4);
}

/** Learning rates: '2e-5' style below 0.01 ('2.0e-5', '1.23e-4'), plain above; 0 -> '0'. */
export function formatLearningRate(v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  if (v === 0) return '0';
  const a = Math.abs(v);
  const sign = v < 0 ? MINUS : '';
  if (a >= 0.01) return sign + trimZeros(a.toPrecision(3));
  const [mantissa, exponent] = a.toExponential(2).split('e');
  let m = trimZeros(mantissa!);
  if (!m.includes('.')) m += '.0';
  return `${sign}${m}e${exponent!.replace('+', '')}`;
}

/** Tokens per second: '4.21k tok/s'. */
export function formatThroughput(v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  return `${formatCompact(v)} tok/s`;
}

/** Fractional epochs: '1.40'. */
export function formatEpoch(v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  return v.toFixed(2);
}

/** A share 0..1 as a percentage: 0.0123 -> '1.2%'; nonzero values that round to 0 -> '<0.1%'. */
export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (!finite(fraction)) return DASH;
  const pct = fraction * 100;
  const limit = 10 ** -digits;
  if (pct !== 0 && Math.abs(pct) < limit) return `${pct < 0 ? '>' + MINUS : '<'}${limit.toFixed(digits)}%`;
  return `${pct < 0 ? MINUS : ''}${Math.abs(pct).toFixed(digits)}%`;
}

/** Signed value with a fixed number of decimals: '+0.12', '−0.12', '0.00'. */
export function formatSigned(v: number | null | undefined, digits = 2): string {
  if (!finite(v)) return DASH;
  const text = Math.abs(v).toFixed(digits);
  if (Number(text) === 0) return text;
  return (v < 0 ? MINUS : '+') + text;
}

/** Decibels: '31.2 dB'. */
export function formatDb(v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  return `${v < 0 ? MINUS : ''}${Math.abs(v).toFixed(1)} dB`;
}

// ---- metrics ------------------------------------------------------------------------------

const PERCENT_METRICS = new Set(['accuracy', 'acc', 'f1', 'exactmatch', 'exact_match', 'em', 'precision', 'recall']);

const METRIC_LABELS: Record<string, string> = {
  accuracy: 'Accuracy',
  acc: 'Accuracy',
  f1: 'F1',
  mcc: 'MCC',
  matthews: 'MCC',
  pearson: 'Pearson r',
  spearman: 'Spearman ρ',
  exactmatch: 'Exact match',
  exact_match: 'Exact match',
  em: 'Exact match',
  mse: 'MSE',
  loss: 'Loss',
  precision: 'Precision',
  recall: 'Recall',
};

/** Whether a metric (0..1) reads best as a percentage (accuracy, F1, exact match). */
export function isPercentMetric(key: string): boolean {
  return PERCENT_METRICS.has(key.toLowerCase());
}

/** Display name of a metric key: 'f1' -> 'F1', 'exactMatch' -> 'Exact match', 'top_k' -> 'Top k'. */
export function metricLabel(key: string): string {
  const known = METRIC_LABELS[key.toLowerCase()];
  if (known) return known;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A metric value: percentages for accuracy/F1/EM ('88.42%'), four decimals for correlations. */
export function formatMetric(key: string, v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  if (isPercentMetric(key)) return `${(v * 100).toFixed(2)}%`;
  const k = key.toLowerCase();
  if (k === 'mcc' || k === 'matthews' || k === 'pearson' || k === 'spearman') {
    return (v < 0 ? MINUS : '') + Math.abs(v).toFixed(4);
  }
  return formatNumber(v, 4);
}

/** Mean ± std of a metric over seeds: '88.42 ± 0.31%', '0.8812 ± 0.0040'. */
export function formatMeanStd(key: string, mean: number | null | undefined, std: number | null | undefined): string {
  if (!finite(mean)) return DASH;
  if (isPercentMetric(key)) {
    const s = finite(std) ? ` ± ${(std * 100).toFixed(2)}` : '';
    return `${(mean * 100).toFixed(2)}${s}%`;
  }
  const m = formatMetric(key, mean);
  return finite(std) ? `${m} ± ${formatMetric(key, std).replace(MINUS, '')}` : m;
}

/** A difference of a metric: percentage points for percent metrics ('+1.23 pt'), else signed. */
export function formatMetricDelta(key: string, v: number | null | undefined): string {
  if (!finite(v)) return DASH;
  if (isPercentMetric(key)) return `${formatSigned(v * 100, 2)} pt`;
  return formatSigned(v, 4);
}

// ---- time ---------------------------------------------------------------------------------

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A duration: '42s', '3m 05s', '1h 02m', '2d 03h'. */
export function formatDuration(ms: number | null | undefined): string {
  if (!finite(ms) || ms < 0) return DASH;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad2(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${pad2(m % 60)}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${pad2(h % 24)}h`;
}

/** Time left: like formatDuration but under a second reads '<1s', and unknown reads '—'. */
export function formatEta(ms: number | null | undefined): string {
  if (!finite(ms) || ms < 0) return DASH;
  if (ms < 500) return '<1s';
  return formatDuration(ms);
}

/** Wall-clock time in local time: '14:03' today, 'Mar 4 14:03' another day of this year, else with the year. */
export function formatClock(epochMs: number | null | undefined, nowMs: number = Date.now()): string {
  if (!finite(epochMs)) return DASH;
  const d = new Date(epochMs);
  const now = new Date(nowMs);
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  const sameDay =
    d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  if (sameDay) return time;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const date = `${months[d.getMonth()]} ${d.getDate()}`;
  return d.getFullYear() === now.getFullYear() ? `${date} ${time}` : `${date} ${d.getFullYear()} ${time}`;
}

/** Coarse time since: 'just now', '5 min ago', '3 h ago', '2 d ago'; a week or more: the date (formatClock). */
export function formatAgo(epochMs: number | null | undefined, nowMs: number = Date.now()): string {
  if (!finite(epochMs)) return DASH;
  const s = Math.max(0, (nowMs - epochMs) / 1000);
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  return d < 7 ? `${d} d ago` : formatClock(epochMs, nowMs);
}

// ---- layer names --------------------------------------------------------------------------

/**
 * Splits a Hugging Face layer name into its encoder block and the rest, for compact tables:
 * 'bert.encoder.layer.3.attention.self.query' -> { block: 3, rest: 'attention.self.query' }.
 * Names without a block keep their full text (minus a leading 'bert.').
 */
export function splitLayerName(name: string): { block: number | null; rest: string } {
  const m = /(?:^|\.)(?:encoder\.)?layers?\.(\d+)\.(.+)$/.exec(name);
  if (m) return { block: Number(m[1]), rest: m[2]! };
  return { block: null, rest: name.replace(/^bert\./, '') };
}
