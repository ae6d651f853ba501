import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  formatAgo,
  formatClock,
  formatCompact,
  formatDb,
  formatDuration,
  formatEpoch,
  formatEta,
  formatInt,
  formatLearningRate,
  formatLoss,
  formatMeanStd,
  formatMetric,
  formatMetricDelta,
  formatNumber,
  formatPercent,
  formatSigned,
  formatThroughput,
  isPercentMetric,
  metricLabel,
  splitLayerName,
} from '../../../webview/format';

describe('number formatting', () => {
  it('groups integers with commas and uses a real minus sign', () => {
    assert.equal(formatInt(0), '0');
    assert.equal(formatInt(999), '999');
    assert.equal(formatInt(1234567), '1,234,567');
    assert.equal(formatInt(-1200.4), '−1,200');
    assert.equal(formatInt(Number.NaN), '—');
    assert.equal(formatInt(null), '—');
  });

  it('gives significant digits without exponents for ordinary magnitudes', () => {
    assert.equal(formatNumber(0.693147), '0.6931');
    assert.equal(formatNumber(2.302585), '2.303');
    assert.equal(formatNumber(12345.6), '12,346');
    assert.equal(formatNumber(0.5, 3), '0.500');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(-0.25, 2), '−0.25');
    assert.equal(formatNumber(1.234e-7, 3), '1.23e-7');
    assert.equal(formatNumber(Number.POSITIVE_INFINITY), '—');
    assert.equal(formatLoss(0.012345), '0.01235');
  });

  it('compacts large counts with k/M/G suffixes', () => {
    assert.equal(formatCompact(950), '950');
    assert.equal(formatCompact(4210), '4.21k');
    assert.equal(formatCompact(4200), '4.2k');
    assert.equal(formatCompact(999_400), '999k');
    assert.equal(formatCompact(999_950), '1M');
    assert.equal(formatCompact(12_345_678), '12.3M');
    assert.equal(formatCompact(3.14159), '3.14');
    assert.equal(formatThroughput(4213.7), '4.21k tok/s');
  });

  it('writes learning rates in 2e-5 style', () => {
    assert.equal(formatLearningRate(2e-5), '2.0e-5');
    assert.equal(formatLearningRate(1.23456e-4), '1.23e-4');
    assert.equal(formatLearningRate(5e-6), '5.0e-6');
    assert.equal(formatLearningRate(0), '0');
    assert.equal(formatLearningRate(0.05), '0.05');
  });

  it('formats percentages, signed values, decibels and epochs', () => {
    assert.equal(formatPercent(0.0123), '1.2%');
    assert.equal(formatPercent(0.00004, 2), '<0.01%');
    assert.equal(formatPercent(0), '0.0%');
    assert.equal(formatPercent(0.817, 0), '82%');
    assert.equal(formatSigned(0.123), '+0.12');
    assert.equal(formatSigned(-0.123), '−0.12');
    assert.equal(formatSigned(-0.001), '0.00');
    assert.equal(formatDb(21.43), '21.4 dB');
    assert.equal(formatDb(-1.75), '−1.8 dB');
    assert.equal(formatEpoch(1.4), '1.40');
  });
});

describe('metric formatting', () => {
  it('shows accuracy, F1 and exact match as percentages and correlations with four decimals', () => {
    assert.ok(isPercentMetric('f1') && isPercentMetric('accuracy') && isPercentMetric('exactMatch'));
    assert.ok(!isPercentMetric('pearson') && !isPercentMetric('mcc'));
    assert.equal(formatMetric('f1', 0.88427), '88.43%');
    assert.equal(formatMetric('exactMatch', 0.8), '80.00%');
    assert.equal(formatMetric('pearson', 0.88123), '0.8812');
    assert.equal(formatMetric('mcc', -0.05), '−0.0500');
    assert.equal(formatMetric('mse', 0.512345), '0.5123');
  });

  it('formats mean ± std and gaps in the metric’s units', () => {
    assert.equal(formatMeanStd('f1', 0.8968, 0.0035), '89.68 ± 0.35%');
    assert.equal(formatMeanStd('pearson', 0.8812, 0.004), '0.8812 ± 0.0040');
    assert.equal(formatMeanStd('f1', 0.9, null), '90.00%');
    assert.equal(formatMetricDelta('f1', -0.0044), '−0.44 pt');
    assert.equal(formatMetricDelta('pearson', 0.0123), '+0.0123');
  });

  it('names metrics for people', () => {
    assert.equal(metricLabel('f1'), 'F1');
    assert.equal(metricLabel('exactMatch'), 'Exact match');
    assert.equal(metricLabel('pearson'), 'Pearson r');
    assert.equal(metricLabel('top_k_accuracy'), 'Top k accuracy');
    assert.equal(metricLabel('someNewMetric'), 'Some new metric');
  });

  it('splits layer names into block and rest', () => {
    assert.deepEqual(splitLayerName('bert.encoder.layer.3.attention.self.query'), { block: 3, rest: 'attention.self.query' });
    assert.deepEqual(splitLayerName('encoder.layers.11.output.dense'), { block: 11, rest: 'output.dense' });
    assert.deepEqual(splitLayerName('bert.pooler.dense'), { block: null, rest: 'pooler.dense' });
    assert.deepEqual(splitLayerName('classifier'), { block: null, rest: 'classifier' });
  });
});

describe('time formatting', () => {
  it('formats durations at a sensible resolution', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(42_400), '42s');
    assert.equal(formatDuration(185_000), '3m 05s');
    assert.equal(formatDuration(3_720_000), '1h 02m');
    assert.equal(formatDuration(2 * 86_400_000 + 3 * 3_600_000), '2d 03h');
    assert.equal(formatDuration(-5), '—');
  });

  it('formats ETAs, unknown as a dash', () => {
    assert.equal(formatEta(21_600), '22s');
    assert.equal(formatEta(200), '<1s');
    assert.equal(formatEta(null), '—');
    assert.equal(formatEta(Number.NaN), '—');
  });

  it('formats clock times in local time, with the date when not today', () => {
    const now = new Date(2025, 2, 4, 15, 0).getTime();
    assert.equal(formatClock(new Date(2025, 2, 4, 9, 5).getTime(), now), '09:05');
    assert.equal(formatClock(new Date(2025, 2, 3, 23, 59).getTime(), now), 'Mar 3 23:59');
    assert.equal(formatClock(new Date(2024, 11, 31, 8, 0).getTime(), now), 'Dec 31 2024 08:00');
  });

  it('says how long ago, and the date after a week', () => {
    const now = new Date(2025, 2, 10, 12, 0).getTime();
    assert.equal(formatAgo(now - 10_000, now), 'just now');
    assert.equal(formatAgo(now - 5 * 60_000, now), '5 min ago');
    assert.equal(formatAgo(now - 3 * 3_600_000, now), '3 h ago');
    assert.equal(formatAgo(now - 2 * 86_400_000, now), '2 d ago');
    assert.equal(formatAgo(new Date(2025, 2, 1, 9, 30).getTime(), now), 'Mar 1 09:30');
  });
});
