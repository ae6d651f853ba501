// The Compare tab: mean ± std per precision mode over seeds, gap to fp32 and share of the
// int8 -> fp32 gap closed, with the runs' curves overlaid.

import { ChartCard } from './chart';
import { h, replaceChildren } from './dom';
import { formatMeanStd, formatMetricDelta, formatPercent, metricLabel } from './format';
import type { ComparisonRow, RunSummary } from './protocol';
import { modeColor, overlayChart, primaryMetric, type ChartOptions, type OverlayRun, type RunTrack } from './series';
import type { Palette } from './theme';

const MODE_ORDER = ['fp32', 'int8', 'int8-outlier'];

function modeRank(mode: string): number {
  const i = MODE_ORDER.indexOf(mode);
  return i < 0 ? MODE_ORDER.length : i;
}

/** The runs to overlay: those the rows name, else every run of a compared mode that has data. */
export function overlayRuns(
  rows: readonly ComparisonRow[],
  runs: readonly RunSummary[],
  tracks: ReadonlyMap<string, RunTrack>,
): OverlayRun[] {
  const modes = new Set(rows.map((r) => r.mode));
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const named = new Map<string, string>(); // runId -> mode
  for (const r of rows) for (const id of r.runIds ?? []) named.set(id, r.mode);
  const candidates: [string, string][] =
    named.size > 0 ? [...named] : runs.filter((r) => modes.has(r.mode)).map((r) => [r.runId, r.mode]);
  const out: OverlayRun[] = [];
  for (const [id, mode] of candidates) {
    const track = tracks.get(id);
    if (!track || (track.train.step.length === 0 && track.evals.length === 0)) continue;
    const summary = byId.get(id);
    const seed = summary?.seed !== undefined ? ` · seed ${summary.seed}` : '';
    out.push({ track, mode, label: `${mode}${seed}` });
  }
  return out.sort((a, b) => modeRank(a.mode) - modeRank(b.mode));
}

export class CompareView {
  readonly el: HTMLElement;
  private readonly tableHost: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly charts = new Map<string, ChartCard>();
  private palette: Palette;

  constructor(palette: Palette) {
    this.palette = palette;
    this.tableHost = h('div');
    this.grid = h('div', { class: 'chart-grid' });
    this.el = h('div', { class: 'compare' }, this.tableHost, this.grid);
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
    for (const c of this.charts.values()) c.setPalette(palette);
  }

  update(rows: ComparisonRow[] | null, runs: RunSummary[], tracks: ReadonlyMap<string, RunTrack>, options: ChartOptions): void {
    if (!rows || rows.length === 0) {
      replaceChildren(
        this.tableHost,
        h('div', { class: 'empty' }, h('strong', null, 'No comparison yet'), 'Run “Octet: Compare Modes” (octet compare) to train fp32, int8 and int8-outlier over several seeds.'),
      );
      this.setCharts([]);
      return;
    }
    const metrics: string[] = [];
    for (const r of rows) if (!metrics.includes(r.metric)) metrics.push(r.metric);
    const primary = primaryMetric(metrics);
    if (primary) metrics.sort((a, b) => (a === primary ? -1 : b === primary ? 1 : 0));
    const body: HTMLElement[] = [];
    for (const metric of metrics) {
      body.push(h('tr', { class: 'group' }, h('td', { colspan: 5 }, metricLabel(metric))));
      const group = rows.filter((r) => r.metric === metric).sort((a, b) => modeRank(a.mode) - modeRank(b.mode));
      for (const r of group) {
        const closed = r.gapClosed;
        const gap = r.gapToFp32;
        const closedCell =
          closed === null
            ? h('td', { class: 'muted' }, r.mode === 'fp32' ? 'reference' : '—')
            : h('td', null, barOf(closed), h('span', { class: 'num' }, formatPercent(closed, 0)));
        body.push(
          h(
            'tr',
            { 'data-mode': r.mode, 'data-metric': r.metric },
            h('td', null, h('span', { class: `mode-chip c-${modeColor(r.mode)}` }, r.mode)),
            h('td', { class: 'r' }, formatMeanStd(r.metric, r.mean, r.std)),
            h('td', { class: 'r', title: r.seeds.length > 0 ? `seeds ${r.seeds.join(', ')}` : undefined }, String(r.seeds.length)),
            h(
              'td',
              { class: `r ${gap !== null && gap < 0 && r.mode !== 'fp32' ? 'gap-neg' : ''}` },
              r.mode === 'fp32' ? '—' : formatMetricDelta(r.metric, gap),
            ),
            closedCell,
          ),
        );
      }
    }
    replaceChildren(
      this.tableHost,
      h(
        'div',
        { class: 'table-wrap fit' },
        h(
          'table',
          { class: 'data compare-table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', null, 'Mode'),
              h('th', { class: 'r' }, 'Mean ± std'),
              h('th', { class: 'r' }, 'Seeds'),
              h('th', { class: 'r' }, 'Gap to fp32'),
              h('th', { title: 'Share of the int8 → fp32 gap this mode closes' }, 'Gap closed'),
            ),
          ),
          h('tbody', null, ...body),
        ),
      ),
    );
    const overlay = overlayRuns(rows, runs, tracks);
    const specs = overlay.length === 0 ? [] : [overlayChart(overlay, { kind: 'loss' }, options)];
    if (overlay.length > 0 && primary) specs.push(overlayChart(overlay, { kind: 'metric', metric: primary }, options));
    this.setCharts(specs);
  }

  private setCharts(specs: ReturnType<typeof overlayChart>[]): void {
    const wanted = new Set(specs.map((s) => s.id));
    for (const [id, card] of this.charts) {
      if (!wanted.has(id)) {
        card.destroy();
        this.charts.delete(id);
      }
    }
    this.grid.classList.toggle('hidden', specs.length === 0);
    if (specs.length > 0 && !this.grid.previousElementSibling?.classList.contains('section-title')) {
      this.el.insertBefore(h('h2', { class: 'section-title' }, 'Curves'), this.grid);
    }
    specs.forEach((spec, i) => {
      let card = this.charts.get(spec.id);
      if (!card) {
        card = new ChartCard(spec, this.palette, { height: 240, syncKey: 'compare' });
        this.charts.set(spec.id, card);
      } else {
        card.update(spec);
      }
      if (this.grid.children[i] !== card.el) this.grid.insertBefore(card.el, this.grid.children[i] ?? null);
    });
  }
}

function barOf(fraction: number): HTMLElement {
  const fill = h('span');
  fill.style.transform = `scaleX(${Math.min(1, Math.max(0, fraction))})`;
  return h('span', { class: `bar c-${fraction >= 0.9 ? 'green' : fraction >= 0.5 ? 'yellow' : 'red'}` }, fill);
}
