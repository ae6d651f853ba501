// The Outliers tab: the per-layer outlier profile (sortable, heavy layers highlighted, a heat
// strip of where the outlier columns sit) and the latest outlier sample seen during training.

import { h, replaceChildren, svg } from './dom';
import { formatDb, formatInt, formatNumber, formatPercent, formatSigned, splitLayerName } from './format';
import type { LayerProfile } from './protocol';
import { modeColor, outlierStrip, sortLayers, type OutlierSort, type OutlierSortKey, type RunTrack } from './series';

const STRIP_CELLS = 48;
const STRIP_WIDTH = 144;
const STRIP_HEIGHT = 14;

/** `peak`: the largest bin count over all layers of the profile. */
function heatStrip(layer: LayerProfile, peak: number): SVGSVGElement {
  const bins = outlierStrip(layer.outlierColumns, layer.inputColumns, STRIP_CELLS).map((b) => (peak > 0 ? b / peak : 0));
  const cellW = STRIP_WIDTH / bins.length;
  const root = svg('svg', {
    class: 'strip',
    width: STRIP_WIDTH,
    height: STRIP_HEIGHT,
    viewBox: `0 0 ${STRIP_WIDTH} ${STRIP_HEIGHT}`,
    role: 'img',
    'aria-label': `${layer.outlierColumns.length} outlier columns`,
  });
  root.appendChild(svg('rect', { class: 'bg', x: 0, y: 0, width: STRIP_WIDTH, height: STRIP_HEIGHT, rx: 2 }));
  bins.forEach((b, i) => {
    if (b <= 0) return;
    // Square-root scale, and a floor: a column with a few outliers stays visible.
    root.appendChild(
      svg('rect', {
        class: 'cell',
        x: (i * cellW).toFixed(2),
        y: 0,
        width: Math.max(cellW, 1.5).toFixed(2),
        height: STRIP_HEIGHT,
        'fill-opacity': (0.18 + 0.82 * Math.sqrt(b)).toFixed(3),
      }),
    );
  });
  const title = svg('title');
  const top = [...layer.outlierColumns].sort((a, b) => b.count - a.count).slice(0, 8);
  title.textContent =
    layer.outlierColumns.length === 0
      ? 'No outlier columns'
      : `Outlier columns (busiest first): ${top.map((c) => `${c.column} (${formatInt(c.count)})`).join(', ')}${
          layer.outlierColumns.length > top.length ? ', …' : ''
        }`;
  root.appendChild(title);
  return root;
}

function bar(fraction: number, color: string): HTMLElement {
  const fill = h('span');
  fill.style.transform = `scaleX(${Math.min(1, Math.max(0, fraction))})`;
  return h('span', { class: `bar c-${color}` }, fill);
}

export class OutliersView {
  readonly el: HTMLElement;

  constructor(private readonly onSort: (sort: OutlierSort) => void) {
    this.el = h('div', { class: 'outliers' });
  }

  update(layers: LayerProfile[] | null, track: RunTrack | null, sort: OutlierSort): void {
    const parts: HTMLElement[] = [];
    if (!layers || layers.length === 0) {
      parts.push(
        h(
          'div',
          { class: 'empty' },
          h('strong', null, 'No outlier profile yet'),
          'Run “Octet: Profile Outliers” (octet profile) to see which layers need the outlier path.',
        ),
      );
    } else {
      parts.push(...this.profile(layers, sort));
    }
    const sample = track?.outliers;
    if (sample && sample.layers.length > 0) {
      parts.push(
        h('h2', { class: 'section-title' }, `Seen during training · step ${formatInt(sample.step)}`),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'data sample-table' },
            h(
              'thead',
              null,
              h('tr', null, h('th', null, 'Layer'), h('th', { class: 'r' }, 'Max |x|'), h('th', { class: 'r' }, 'Outlier entries'), h('th', { class: 'r' }, 'Per row'), h('th', null, 'Columns')),
            ),
            h(
              'tbody',
              null,
              ...sample.layers.map((l) =>
                h(
                  'tr',
                  null,
                  h('td', { class: 'layer-name', title: l.name }, layerLabel(l.name)),
                  h('td', { class: 'r' }, formatNumber(l.maxAbs, 3)),
                  h('td', { class: 'r' }, formatInt(l.outlierCount)),
                  h('td', { class: 'r' }, l.rows > 0 ? formatNumber(l.outlierCount / l.rows, 3) : '—'),
                  h(
                    'td',
                    { class: 'mono' },
                    l.outlierColumns.length === 0 ? '—' : l.outlierColumns.slice(0, 8).join(', ') + (l.outlierColumns.length > 8 ? ` … (${l.outlierColumns.length})` : ''),
                  ),
                ),
              ),
            ),
          ),
        ),
      );
    }
    replaceChildren(this.el, ...parts);
  }

  private profile(layers: LayerProfile[], sort: OutlierSort): HTMLElement[] {
    const heavy = layers.filter((l) => l.verdict === 'outlier-heavy');
    const recommend = mostCommon((heavy.length > 0 ? heavy : layers).map((l) => l.recommendedMode));
    const maxFraction = Math.max(...layers.map((l) => l.outlierFraction), 1e-12);
    const peak = Math.max(0, ...layers.flatMap((l) => outlierStrip(l.outlierColumns, l.inputColumns, STRIP_CELLS)));
    const sortButton = (key: OutlierSortKey, label: string, title: string) => {
      const active = sort.key === key;
      return h(
        'button',
        {
          class: `sort${active ? ' active' : ''}`,
          'data-sort': key,
          title,
          'aria-sort': active ? (sort.descending ? 'descending' : 'ascending') : undefined,
          onclick: () => this.onSort({ key, descending: active ? !sort.descending : key !== 'index' }),
        },
        label,
        h('span', { class: 'arrow' }, active && !sort.descending ? '▲' : '▼'),
      );
    };
    const head = h(
      'tr',
      null,
      h('th', null, sortButton('index', 'Layer', 'Model order')),
      h('th', { class: 'r' }, sortButton('maxAbs', 'Max |x|', 'Largest activation magnitude')),
      h('th', { class: 'r' }, 'Std'),
      h('th', { class: 'r' }, sortButton('kurtosis', 'Kurtosis', 'Heavy tails: 3 for a normal distribution')),
      h('th', null, sortButton('outlierFraction', 'Outlier share', 'Share of activations beyond the threshold')),
      h('th', null, 'Outlier columns'),
      h('th', { class: 'r' }, 'SQNR int8'),
      h('th', { class: 'r' }, 'SQNR tiled'),
      h('th', { class: 'r' }, sortButton('sqnrGap', 'Gain', 'SQNR gained by tiling outliers (tiled − int8)')),
      h('th', null, 'Verdict'),
    );
    const rows = sortLayers(layers, sort).map((l) => {
      const isHeavy = l.verdict === 'outlier-heavy';
      const gap = l.sqnrTiledDb - l.sqnrInt8Db;
      return h(
        'tr',
        { class: isHeavy ? 'heavy' : undefined, 'data-layer': l.name, 'data-verdict': l.verdict },
        h('td', { class: 'layer-name', title: l.name }, layerLabel(l.name)),
        h('td', { class: 'r' }, formatNumber(l.maxAbs, 3)),
        h('td', { class: 'r' }, formatNumber(l.std, 3)),
        h('td', { class: 'r' }, formatNumber(l.kurtosis, 3)),
        h('td', null, bar(l.outlierFraction / maxFraction, isHeavy ? 'red' : 'blue'), h('span', { class: 'num' }, formatPercent(l.outlierFraction, 2))),
        h('td', null, heatStrip(l, peak)),
        h('td', { class: 'r' }, formatDb(l.sqnrInt8Db)),
        h('td', { class: 'r' }, formatDb(l.sqnrTiledDb)),
        h('td', { class: `r ${gap > 0.05 ? 'gap-pos' : ''}` }, `${formatSigned(gap, 1)} dB`),
        h(
          'td',
          null,
          h('span', { class: `verdict ${isHeavy ? 'heavy' : 'ok'}` }, isHeavy ? 'outlier-heavy' : 'ok'),
          isHeavy ? h('span', { class: 'muted' }, ` → ${l.recommendedMode}`) : null,
        ),
      );
    });
    return [
      h(
        'div',
        { class: 'summary-line' },
        h('span', null, h('strong', null, String(layers.length)), ' layers profiled'),
        h('span', null, h('strong', { class: heavy.length > 0 ? 'gap-neg' : undefined }, String(heavy.length)), ' outlier-heavy'),
        recommend ? h('span', null, 'Recommended mode ', h('span', { class: `mode-chip c-${modeColor(recommend)}` }, recommend)) : null,
      ),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data outlier-table' }, h('thead', null, head), h('tbody', null, ...rows))),
    ];
  }
}

function layerLabel(name: string): HTMLElement {
  const { block, rest } = splitLayerName(name);
  return h('span', null, block !== null ? h('span', { class: 'idx' }, `L${block}`) : null, rest);
}

function mostCommon(values: string[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  let n = 0;
  for (const [v, c] of counts) {
    if (c > n) {
      best = v;
      n = c;
    }
  }
  return best;
}
