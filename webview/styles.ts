// The dashboard's stylesheet, inlined by dashboardHtml() in a nonce'd <style> (the CSP allows no
// other inline style). Pure string, no DOM. Colors come only from VS Code's theme variables, with
// fallbacks for hosts that lack one.

/** uPlot's own rules (uPlot.min.css 1.6.32, MIT, (c) Leon Sorokin), trimmed to what we use. */
const UPLOT_CSS = `
.uplot, .uplot *, .uplot *::before, .uplot *::after { box-sizing: border-box; }
.uplot { font-family: inherit; line-height: 1.5; width: min-content; }
.u-wrap { position: relative; user-select: none; }
.u-over, .u-under { position: absolute; }
.u-under { overflow: hidden; }
.uplot canvas { display: block; position: relative; width: 100%; height: 100%; }
.u-axis { position: absolute; }
.u-select { background: var(--octet-select); position: absolute; pointer-events: none; }
.u-cursor-x, .u-cursor-y { position: absolute; left: 0; top: 0; pointer-events: none; will-change: transform; }
.u-hz .u-cursor-x, .u-vt .u-cursor-y { height: 100%; border-right: 1px dashed var(--octet-cursor); }
.u-hz .u-cursor-y, .u-vt .u-cursor-x { width: 100%; border-bottom: 1px dashed var(--octet-cursor); }
.u-cursor-pt { position: absolute; top: 0; left: 0; border-radius: 50%; border: 0 solid; pointer-events: none;
  will-change: transform; background-clip: padding-box !important; }
.u-axis.u-off, .u-select.u-off, .u-cursor-x.u-off, .u-cursor-y.u-off, .u-cursor-pt.u-off { display: none; }
`;

const APP_CSS = `
:root {
  --octet-fg: var(--vscode-foreground, #cccccc);
  --octet-muted: var(--vscode-descriptionForeground, #9d9d9d);
  --octet-bg: var(--vscode-editor-background, #1e1e1e);
  --octet-border: var(--vscode-widget-border, var(--vscode-panel-border, rgba(128, 128, 128, 0.35)));
  --octet-card: color-mix(in srgb, var(--octet-fg) 3.5%, var(--octet-bg));
  --octet-card-border: color-mix(in srgb, var(--octet-fg) 12%, transparent);
  --octet-hover: var(--vscode-list-hoverBackground, rgba(128, 128, 128, 0.12));
  --octet-selected: var(--vscode-list-inactiveSelectionBackground, rgba(128, 128, 128, 0.2));
  --octet-accent: var(--vscode-focusBorder, #007fd4);
  --octet-red: var(--vscode-charts-red, #f14c4c);
  --octet-blue: var(--vscode-charts-blue, #3794ff);
  --octet-green: var(--vscode-charts-green, #89d185);
  --octet-yellow: var(--vscode-charts-yellow, #cca700);
  --octet-orange: var(--vscode-charts-orange, #d18616);
  --octet-purple: var(--vscode-charts-purple, #b180d7);
  --octet-select: color-mix(in srgb, var(--octet-accent) 14%, transparent);
  --octet-cursor: color-mix(in srgb, var(--octet-fg) 45%, transparent);
  --octet-mono: var(--vscode-editor-font-family, ui-monospace, 'SF Mono', Menlo, Consolas, monospace);
  --octet-radius: 6px;
  --octet-gap: 16px;
}
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body {
  background: var(--octet-bg);
  color: var(--octet-fg);
  font-family: var(--vscode-font-family, system-ui, -apple-system, 'Segoe UI', sans-serif);
  font-size: var(--vscode-font-size, 13px);
  font-weight: var(--vscode-font-weight, normal);
  line-height: 1.45;
}
.app { max-width: 1400px; margin: 0 auto; padding: 18px 24px 32px; }
.muted { color: var(--octet-muted); }
.num { font-variant-numeric: tabular-nums; }
.mono { font-family: var(--octet-mono); font-size: 0.95em; }
.hidden { display: none !important; }
.empty {
  padding: 28px 16px; text-align: center; color: var(--octet-muted);
  border: 1px dashed var(--octet-card-border); border-radius: var(--octet-radius);
}
.empty strong { display: block; color: var(--octet-fg); font-size: 1.1em; margin-bottom: 4px; font-weight: 600; }

/* ---- header ---- */
.run-header { margin-bottom: 14px; }
.title-row { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; min-height: 32px; }
.title-row h1 { font-size: 1.45em; font-weight: 600; margin: 0; letter-spacing: -0.01em; }
.title-row .spacer { flex: 1; }
.subtitle { margin-top: 2px; color: var(--octet-muted); }
.state-pill {
  display: inline-flex; align-items: center; gap: 6px; padding: 1px 9px 1px 8px; border-radius: 999px;
  font-size: 0.85em; font-weight: 600; border: 1px solid currentColor; line-height: 18px;
}
.state-pill::before { content: ''; width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
.state-running { color: var(--octet-blue); }
.state-running::before { animation: octet-pulse 1.6s ease-in-out infinite; }
.state-completed { color: var(--octet-green); }
.state-cancelled { color: var(--octet-yellow); }
.state-failed { color: var(--octet-red); }
.state-queued { color: var(--octet-muted); }
@keyframes octet-pulse { 50% { opacity: 0.25; } }
@media (prefers-reduced-motion: reduce) { .state-running::before { animation: none; } .progress-fill { transition: none; } }
.mode-chip {
  display: inline-flex; align-items: center; gap: 6px; font-size: 0.85em; padding: 1px 8px; border-radius: 4px;
  background: color-mix(in srgb, var(--chip, var(--octet-muted)) 16%, transparent); color: var(--octet-fg);
  white-space: nowrap;
}
.mode-chip::before { content: ''; width: 8px; height: 8px; border-radius: 2px; background: var(--chip, var(--octet-muted)); }
.c-blue { --chip: var(--octet-blue); }
.c-orange { --chip: var(--octet-orange); }
.c-green { --chip: var(--octet-green); }
.c-purple { --chip: var(--octet-purple); }
.c-red { --chip: var(--octet-red); }
.c-yellow { --chip: var(--octet-yellow); }
.progress { height: 4px; margin: 12px 0 14px; border-radius: 2px; overflow: hidden;
  background: color-mix(in srgb, var(--octet-fg) 10%, transparent); }
.progress-fill { height: 100%; width: 100%; transform-origin: left center; transform: scaleX(0);
  background: var(--vscode-progressBar-background, var(--octet-accent)); transition: transform 0.3s ease-out; }
.progress.done .progress-fill { background: var(--octet-green); }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(128px, 1fr)); gap: 10px; margin: 0; }
.stat { padding: 9px 12px; border-radius: var(--octet-radius); background: var(--octet-card);
  border: 1px solid var(--octet-card-border); min-width: 0; }
.stat dt { font-size: 0.78em; text-transform: uppercase; letter-spacing: 0.06em; color: var(--octet-muted); margin-bottom: 2px; }
.stat dd { margin: 0; font-size: 1.3em; font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.stat dd .of { font-size: 0.72em; font-weight: normal; color: var(--octet-muted); }
.message { margin-top: 10px; padding: 8px 12px; border-radius: var(--octet-radius);
  border-left: 3px solid var(--octet-red); background: color-mix(in srgb, var(--octet-red) 10%, transparent); }

/* ---- tabs (ui.ts adds these classes to whatever tab component it uses) ---- */
.ui-tabs { margin-top: 4px; }
.ui-tab-view:not([hidden]) { display: block; padding: 16px 0 0; }
.ui-tab-badge { margin-left: 6px; }
.ui-badge { display: inline-flex; align-items: center; justify-content: center; box-sizing: border-box;
  min-width: 18px; height: 18px; padding: 0 5px; border-radius: 9px; font-size: 11px; font-weight: 400; line-height: 1;
  background: var(--vscode-badge-background, #616161); color: var(--vscode-badge-foreground, #f8f8f8);
  border: 1px solid var(--vscode-contrastBorder, transparent); }

/* ---- toolbar ---- */
.toolbar { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; margin-bottom: 12px; color: var(--octet-muted); }
.toolbar label { display: inline-flex; align-items: center; gap: 8px; }
.toolbar input[type=range] { width: 140px; accent-color: var(--octet-accent); }
.toolbar output { min-width: 2.6em; color: var(--octet-fg); font-variant-numeric: tabular-nums; }

/* ---- charts ---- */
.chart-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: var(--octet-gap); }
.chart-grid.single { grid-template-columns: minmax(0, 1fr); }
.card { background: var(--octet-card); border: 1px solid var(--octet-card-border); border-radius: var(--octet-radius);
  padding: 12px 14px 10px; min-width: 0; }
.card.wide { grid-column: 1 / -1; }
.card-head { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; margin-bottom: 6px; }
.card-head h2, .section-title { font-size: 0.82em; font-weight: 600; margin: 0; text-transform: uppercase; letter-spacing: 0.07em;
  color: var(--octet-muted); }
.section-title { margin: 22px 0 10px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin-left: auto; font-size: 0.92em; }
.legend-item { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; }
.legend-item .swatch { width: 12px; height: 3px; border-radius: 2px; background: var(--chip, var(--octet-muted)); }
.legend-item .swatch.dashed { background: repeating-linear-gradient(90deg, var(--chip) 0 4px, transparent 4px 6px); }
.legend-item .value { font-weight: 600; font-variant-numeric: tabular-nums; }
.chart { position: relative; width: 100%; }
.chart.is-empty { min-height: 160px; }
.chart-empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  color: var(--octet-muted); pointer-events: none; }

/* ---- tables ---- */
.table-wrap { overflow-x: auto; border: 1px solid var(--octet-card-border); border-radius: var(--octet-radius); }
.table-wrap.fit { width: fit-content; min-width: min(100%, 560px); max-width: 100%; }
.table-wrap.fit td, .table-wrap.fit th { padding-left: 18px; padding-right: 18px; }
table.data { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.data th, table.data td { padding: 7px 12px; text-align: left; white-space: nowrap; }
table.data th { font-weight: 600; font-size: 0.86em; color: var(--octet-muted); background: var(--octet-card);
  border-bottom: 1px solid var(--octet-card-border); position: sticky; top: 0; }
table.data td { border-bottom: 1px solid color-mix(in srgb, var(--octet-fg) 7%, transparent); }
table.data tr:last-child td { border-bottom: none; }
table.data tbody tr:hover td { background: var(--octet-hover); }
table.data .r { text-align: right; }
table.data tr.best td { font-weight: 600; }
table.data tr.group td { background: var(--octet-card); font-weight: 600; padding-top: 9px; padding-bottom: 7px; }
.star { color: var(--octet-yellow); margin-left: 4px; }
th button.sort { all: unset; cursor: pointer; display: inline-flex; gap: 4px; align-items: center; }
th button.sort:focus-visible { outline: 1px solid var(--octet-accent); outline-offset: 2px; }
th button.sort .arrow { opacity: 0; font-size: 0.9em; }
th button.sort.active { color: var(--octet-fg); }
th button.sort.active .arrow { opacity: 1; }
.verdict { display: inline-block; padding: 1px 8px; border-radius: 3px; font-size: 0.88em; font-weight: 600; line-height: 1.3; }
.verdict.ok { color: var(--octet-green); background: color-mix(in srgb, var(--octet-green) 12%, transparent); }
.verdict.heavy { color: var(--octet-red); background: color-mix(in srgb, var(--octet-red) 14%, transparent); }
tr.heavy td:first-child { box-shadow: inset 3px 0 0 var(--octet-red); }
.bar { display: inline-block; vertical-align: middle; width: 64px; height: 6px; border-radius: 3px; margin-right: 8px;
  background: color-mix(in srgb, var(--octet-fg) 10%, transparent); overflow: hidden; }
.bar > span { display: block; height: 100%; width: 100%; transform-origin: left center; background: var(--chip, var(--octet-blue)); }
.strip { display: block; }
.strip rect.cell { fill: var(--octet-red); }
.strip rect.bg { fill: color-mix(in srgb, var(--octet-fg) 8%, transparent); }
.layer-name { font-family: var(--octet-mono); font-size: 0.95em; }
.layer-name .idx { color: var(--octet-muted); margin-right: 6px; }
.summary-line { display: flex; gap: 10px 18px; flex-wrap: wrap; align-items: center; margin-bottom: 12px; }
.summary-line strong { font-variant-numeric: tabular-nums; }
.gap-pos { color: var(--octet-green); }
.gap-neg { color: var(--octet-red); }

/* ---- run history ---- */
.runs { list-style: none; margin: 0; padding: 0; border: 1px solid var(--octet-card-border); border-radius: var(--octet-radius);
  overflow: hidden; }
.runs li + li { border-top: 1px solid color-mix(in srgb, var(--octet-fg) 7%, transparent); }
.run-item { all: unset; box-sizing: border-box; display: grid; width: 100%; cursor: pointer; padding: 9px 14px;
  grid-template-columns: 96px minmax(0, 1.4fr) 120px minmax(0, 1.4fr) minmax(90px, auto); gap: 4px 16px; align-items: center; }
.run-item .state-pill { justify-self: start; }
.run-item .mode-chip { justify-self: start; }
.run-item:hover { background: var(--octet-hover); }
.run-item:focus-visible { outline: 1px solid var(--octet-accent); outline-offset: -1px; }
.run-item.selected { background: var(--octet-selected); box-shadow: inset 3px 0 0 var(--octet-accent); }
.run-item .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.run-item .when { color: var(--octet-muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.run-item .metric { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.run-item .metric .muted { margin-right: 6px; }

/* ---- narrow panels ---- */
@media (max-width: 720px) {
  .app { padding: 12px 12px 24px; }
  .chart-grid { grid-template-columns: minmax(0, 1fr); }
  .stats { grid-template-columns: repeat(auto-fill, minmax(110px, 1fr)); gap: 8px; }
  .stat dd { font-size: 1.15em; }
  .run-item { grid-template-columns: auto minmax(0, 1fr) auto; }
  .run-item .when { grid-column: 2 / 4; }
  .run-item .metric { grid-column: 3; grid-row: 1; }
  .run-item .mode-chip { grid-column: 1; grid-row: 2; }
  .legend { margin-left: 0; }
}
`;

export const DASHBOARD_CSS = UPLOT_CSS + APP_CSS;
