// The Training tab: smoothing control, loss / eval metric / learning rate / throughput charts and
// the table of evaluations of the selected run.

import { ChartCard } from './chart';
import { h, replaceChildren } from './dom';
import { formatEpoch, formatInt, formatLoss, formatMetric, metricLabel } from './format';
import {
  learningRateChart,
  lossChart,
  metricCharts,
  primaryMetric,
  throughputChart,
  type ChartOptions,
  type ChartSpec,
  type RunTrack,
} from './series';
import type { Palette } from './theme';

export class TrainingView {
  readonly el: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly evalSection: HTMLElement;
  private readonly emptyState: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly sliderOut: HTMLOutputElement;
  private readonly charts = new Map<string, ChartCard>();
  private palette: Palette;

  constructor(palette: Palette, smoothing: number, onSmoothing: (value: number) => void) {
    this.palette = palette;
    this.slider = h('input', {
      type: 'range',
      min: 0,
      max: 0.99,
      step: 0.01,
      'aria-label': 'Smoothing',
    });
    this.slider.value = String(smoothing);
    this.sliderOut = h('output', { class: 'num' }, smoothing.toFixed(2));
    this.slider.addEventListener('input', () => {
      const v = Number(this.slider.value);
      this.sliderOut.textContent = v.toFixed(2);
      onSmoothing(v);
    });
    this.grid = h('div', { class: 'chart-grid' });
    this.evalSection = h('div', { class: 'evals' });
    this.emptyState = h('div', { class: 'empty hidden' });
    this.el = h(
      'div',
      { class: 'training' },
      h(
        'div',
        { class: 'toolbar' },
        h('label', { title: 'Exponential moving average with debiasing (as in TensorBoard)' }, 'Smoothing', this.slider, this.sliderOut),
        h('span', { class: 'muted' }, 'Drag on a chart to zoom, double-click to reset.'),
      ),
      this.emptyState,
      this.grid,
      this.evalSection,
    );
  }

  setSmoothing(value: number): void {
    this.slider.value = String(value);
    this.sliderOut.textContent = value.toFixed(2);
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
    for (const c of this.charts.values()) c.setPalette(palette);
  }

  /** Redraws for the run (null: no run selected, or its events have not arrived). */
  update(track: RunTrack | null, options: ChartOptions, emptyText: string): void {
    const hasSteps = !!track && (track.train.step.length > 0 || track.evals.length > 0);
    this.emptyState.classList.toggle('hidden', hasSteps);
    this.grid.classList.toggle('hidden', !hasSteps);
    this.evalSection.classList.toggle('hidden', !hasSteps);
    if (!hasSteps || !track) {
      replaceChildren(this.emptyState, h('strong', null, 'No training steps yet'), emptyText);
      return;
    }
    const specs: { spec: ChartSpec; wide?: boolean; height: number; empty?: string }[] = [
      { spec: lossChart(track, options), height: 260 },
      ...metricCharts(track).map((spec) => ({ spec, height: 260, empty: 'No evaluation yet' })),
      { spec: learningRateChart(track, options), height: 200 },
      { spec: throughputChart(track, options), height: 200 },
    ];
    const wanted = new Set(specs.map((s) => s.spec.id));
    for (const [id, card] of this.charts) {
      if (!wanted.has(id)) {
        card.destroy();
        this.charts.delete(id);
      }
    }
    specs.forEach((s, i) => {
      let card = this.charts.get(s.spec.id);
      if (!card) {
        card = new ChartCard(s.spec, this.palette, { height: s.height, wide: s.wide, syncKey: 'training', emptyText: s.empty });
        this.charts.set(s.spec.id, card);
      } else {
        card.update(s.spec);
      }
      if (this.grid.children[i] !== card.el) this.grid.insertBefore(card.el, this.grid.children[i] ?? null);
    });
    this.renderEvals(track);
  }

  private renderEvals(track: RunTrack): void {
    if (track.evals.length === 0) {
      replaceChildren(this.evalSection);
      return;
    }
    const keys = track.metricKeys;
    const primary = primaryMetric(keys);
    const bestStep = [...track.evals].reverse().find((e) => e.best)?.step ?? null;
    const head = h(
      'tr',
      null,
      h('th', null, 'Step'),
      h('th', { class: 'r' }, 'Epoch'),
      h('th', { class: 'r' }, 'Eval loss'),
      ...keys.map((k) => h('th', { class: 'r' }, metricLabel(k))),
      h('th', null, ''),
    );
    const rows = [...track.evals].reverse().map((e) =>
      h(
        'tr',
        { class: e.step === bestStep ? 'best' : undefined, 'data-step': e.step },
        h('td', null, formatInt(e.step)),
        h('td', { class: 'r' }, formatEpoch(e.epoch)),
        h('td', { class: 'r' }, formatLoss(e.loss)),
        ...keys.map((k) => h('td', { class: 'r', 'data-metric': k }, formatMetric(k, e.metrics[k]))),
        h('td', null, e.step === bestStep ? h('span', { class: 'star', title: `Best ${primary ? metricLabel(primary) : ''}` }, '★ best') : ''),
      ),
    );
    replaceChildren(
      this.evalSection,
      h('h2', { class: 'section-title' }, 'Evaluations'),
      h('div', { class: 'table-wrap fit' }, h('table', { class: 'data eval-table' }, h('thead', null, head), h('tbody', null, ...rows))),
    );
  }
}
