// A chart card: a title, a legend with live values, and a uPlot canvas that follows its
// container's width and the theme.

import uPlot from 'uplot';
import { withAlpha } from './color';
import { h, replaceChildren, setText } from './dom';
import { formatCompact, formatInt, formatLearningRate, formatLoss, formatMetric, formatNumber, isPercentMetric } from './format';
import type { ChartSpec, SeriesSpec } from './series';
import type { Palette } from './theme';

export interface ChartCardOptions {
  /** Plot height in CSS pixels (at widths under 720px a little less). */
  height: number;
  /** Charts with the same key share the cursor. */
  syncKey?: string;
  /** Full row of the grid. */
  wide?: boolean;
  /** Shown over an empty plot. */
  emptyText?: string;
}

function seriesValueFormatter(spec: ChartSpec, s: SeriesSpec | undefined): (v: number) => string {
  switch (spec.format) {
    case 'loss':
      return formatLoss;
    case 'metric':
      return (v) => formatMetric(s?.metric ?? '', v);
    case 'learningRate':
      return formatLearningRate;
    case 'throughput':
      return formatCompact;
    default:
      return (v) => formatNumber(v, 4);
  }
}

/** Axis ticks are round numbers: no trailing zeros ('0.8', not '0.800'). */
function tick(v: number): string {
  const text = formatNumber(v, 3);
  return /^[^e]*\.\d*0$/.test(text) ? text.replace(/\.?0+$/, '') : text;
}

function axisFormatter(spec: ChartSpec): (v: number) => string {
  switch (spec.format) {
    case 'metric': {
      const allPercent = spec.series.length > 0 && spec.series.every((s) => s.metric && isPercentMetric(s.metric));
      return allPercent ? (v) => `${tick(v * 100)}%` : tick;
    }
    case 'learningRate':
      return formatLearningRate;
    case 'throughput':
      return formatCompact;
    default:
      return tick;
  }
}

function signature(spec: ChartSpec): string {
  return JSON.stringify([spec.format, spec.series.map((s) => [s.label, s.color, s.width, s.alpha, s.dash, s.points])]);
}

function hasData(spec: ChartSpec): boolean {
  return spec.data.slice(1).some((col) => col.some((v) => v !== null));
}

/** The last non-null value at or before `idx` (sparse series such as evals hold their value). */
function valueAtOrBefore(col: readonly (number | null)[], idx: number): number | null {
  for (let i = Math.min(idx, col.length - 1); i >= 0; i--) {
    const v = col[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

export class ChartCard {
  readonly el: HTMLElement;
  private readonly plotHost: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly cursorLabel: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly title: HTMLElement;
  private plot: uPlot | null = null;
  private spec: ChartSpec;
  private palette: Palette;
  private sig = '';
  private zoomed = false;
  private width = 0;
  private readonly resizeObserver: ResizeObserver;
  private legendValues: HTMLElement[] = [];

  constructor(spec: ChartSpec, palette: Palette, private readonly options: ChartCardOptions) {
    this.spec = spec;
    this.palette = palette;
    this.title = h('h2', null, spec.title);
    this.cursorLabel = h('span', { class: 'muted num' });
    this.legend = h('div', { class: 'legend' });
    this.plotHost = h('div', { class: 'chart' });
    this.empty = h('div', { class: 'chart-empty' }, options.emptyText ?? 'No data yet');
    this.plotHost.append(this.empty);
    this.el = h(
      'section',
      { class: `card${options.wide ? ' wide' : ''}`, 'data-chart': spec.id },
      h('div', { class: 'card-head' }, this.title, this.cursorLabel, this.legend),
      this.plotHost,
    );
    this.resizeObserver = new ResizeObserver((entries) => {
      const w = Math.floor(entries[entries.length - 1]!.contentRect.width);
      if (w > 0 && w !== this.width) {
        this.width = w;
        if (this.plot) this.plot.setSize(this.size());
        else this.build();
      }
    });
    this.resizeObserver.observe(this.plotHost);
  }

  private size(): { width: number; height: number } {
    const narrow = window.innerWidth < 720;
    return { width: Math.max(this.width, 120), height: narrow ? Math.round(this.options.height * 0.82) : this.options.height };
  }

  update(spec: ChartSpec): void {
    const rebuild = signature(spec) !== this.sig;
    this.spec = spec;
    setText(this.title, spec.title);
    if (!this.plot || rebuild) {
      this.build();
    } else {
      this.plot.setData(spec.data as uPlot.AlignedData, !this.zoomed);
      this.refreshLegend(this.plot.cursor.idx ?? null);
      this.setEmpty(!hasData(spec));
    }
  }

  private setEmpty(empty: boolean): void {
    this.empty.classList.toggle('hidden', !empty);
    this.plotHost.classList.toggle('is-empty', empty);
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
    this.build();
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    this.plot?.destroy();
    this.plot = null;
    this.el.remove();
  }

  private build(): void {
    this.plot?.destroy();
    this.plot = null;
    this.sig = signature(this.spec);
    this.zoomed = false;
    this.buildLegend();
    this.setEmpty(!hasData(this.spec));
    if (this.width <= 0) return; // not laid out yet (hidden tab): the resize observer builds it
    const p = this.palette;
    const font = `${Math.max(10, p.fontSize - 2)}px ${p.fontFamily}`;
    const fmtY = axisFormatter(this.spec);
    const measure = (self: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number => {
      const axis = self.axes[axisIdx]!;
      if (cycleNum > 1) return (axis as { _size?: number })._size ?? 50;
      let size = (axis.ticks?.size ?? 0) + (axis.gap ?? 5) + 4;
      const longest = (values ?? []).reduce((a, v) => (v.length > a.length ? v : a), '');
      if (longest) {
        self.ctx.font = font;
        size += self.ctx.measureText(longest).width / devicePixelRatio;
      }
      return Math.ceil(Math.max(size, 36));
    };
    const series: uPlot.Series[] = [
      { label: this.spec.xLabel, value: (_u, v) => (v === null ? '—' : formatInt(v)) },
      ...this.spec.series.map((s): uPlot.Series => {
        const color = p.colors[s.color];
        const fmt = seriesValueFormatter(this.spec, s);
        return {
          label: s.label,
          stroke: withAlpha(color, s.alpha),
          width: s.width,
          dash: s.dash,
          spanGaps: true,
          value: (_u, v) => (v === null ? '—' : fmt(v)),
          points: s.points
            ? { show: true, size: 6, width: 1.5, stroke: color, fill: p.background }
            : { show: false },
        };
      }),
    ];
    const axis = (format: (v: number) => string): uPlot.Axis => ({
      stroke: p.axis,
      font,
      gap: 6,
      grid: { stroke: p.grid, width: 1 },
      ticks: { stroke: p.grid, width: 1, size: 4 },
      values: (_u, splits) => splits.map((v) => (v === null ? '' : format(v))),
    });
    const xFormat = (v: number) => (Math.abs(v) >= 10000 ? formatCompact(v) : formatInt(v));
    const opts: uPlot.Options = {
      ...this.size(),
      padding: [8, 12, 0, 0],
      legend: { show: false },
      cursor: {
        sync: this.options.syncKey ? { key: this.options.syncKey } : undefined,
        drag: { x: true, y: false },
        points: { size: 7, width: 2 },
      },
      scales: {
        x: { time: false },
        y: this.spec.format === 'learningRate' ? { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } : {},
      },
      series,
      axes: [
        { ...axis(xFormat), size: 30, space: 70 },
        { ...axis(fmtY), size: measure, space: 34 },
      ],
      hooks: {
        setCursor: [(u) => this.refreshLegend(u.cursor.idx ?? null)],
        setSelect: [
          (u) => {
            if (u.select.width > 0) this.zoomed = true;
          },
        ],
      },
    };
    const plot = new uPlot(opts, this.spec.data as uPlot.AlignedData, this.plotHost);
    this.plotHost.dataset.seriesCount = String(plot.series.length - 1); // for tests: y series drawn
    plot.over.addEventListener('dblclick', () => {
      this.zoomed = false;
    });
    this.plot = plot;
    this.refreshLegend(null);
  }

  private buildLegend(): void {
    this.legendValues = [];
    const items: HTMLElement[] = [];
    this.spec.series.forEach((s, i) => {
      if (!s.legend) {
        this.legendValues.push(h('span'));
        return;
      }
      const value = h('span', { class: 'value' });
      this.legendValues.push(value);
      items.push(
        h(
          'span',
          { class: `legend-item c-${s.color}`, 'data-series': i + 1 },
          h('span', { class: `swatch${s.dash ? ' dashed' : ''}` }),
          h('span', { class: 'label' }, s.label),
          value,
        ),
      );
    });
    replaceChildren(this.legend, ...items);
  }

  private refreshLegend(cursorIdx: number | null): void {
    // uPlot keeps the last index after the pointer leaves (left < 0): then show the latest values.
    const idx = cursorIdx !== null && (this.plot?.cursor.left ?? -1) >= 0 ? cursorIdx : null;
    const data = this.spec.data;
    const x = data[0];
    this.spec.series.forEach((s, i) => {
      if (!s.legend) return;
      const col = data[i + 1]!;
      const at = idx ?? col.length - 1;
      const v = valueAtOrBefore(col, at);
      setText(this.legendValues[i]!, v === null ? '—' : seriesValueFormatter(this.spec, s)(v));
    });
    setText(this.cursorLabel, idx !== null && x[idx] !== undefined ? `${this.spec.xLabel} ${formatInt(x[idx])}` : '');
  }
}
