// The dashboard in a real browser: Debian's Chromium through playwright-core loads the page that
// dashboardHtml() builds, with the built dist/webview.js and a stubbed VS Code API, and the test
// plays the host's part. Screenshots go to test-output/dashboard-*.png.

import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { dashboardHtml, newNonce } from '../../webview/html';
import type { HostToWebviewMessage, WebviewToHostMessage } from '../../webview/protocol';
import { syntheticComparison, syntheticProfile, syntheticRuns } from '../unit/webview/synthetic-run';

// Functions passed to page.evaluate() run in the browser. The root tsconfig has no DOM types, so
// the browser globals they use are declared loosely here, in module scope (nothing leaks out).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const sessionStorage: any;
declare const requestAnimationFrame: (callback: () => void) => number;
declare const MutationObserver: any;
declare const MessageEvent: any;
declare const Event: any;

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const BUNDLE = path.join(REPO_ROOT, 'dist', 'webview.js');
const OUTPUT = path.join(REPO_ROOT, 'test-output');
const CHROMIUM = process.env.OCTET_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Theme {
  kind: string;
  variables: Record<string, string>;
}

function loadTheme(name: 'dark' | 'light'): Theme {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'test', 'webview-fixtures', `theme-${name}.json`), 'utf8')) as Theme;
}

/** Newest modification time of the webview sources (the bundle must be newer). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs in the page before its scripts: the VS Code API stub, theme variables, CSP recorder. */
function initPage(initialTheme: Theme): void {
  const w = window;
  const posted: unknown[] = [];
  const violations: unknown[] = [];
  w.__posted = posted;
  w.__csp = violations;
  document.addEventListener('securitypolicyviolation', (e: any) => {
    violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile });
  });
  const stored = sessionStorage.getItem('vscode-state');
  let state: unknown = stored ? JSON.parse(stored) : undefined;
  let acquired = false;
  w.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => state,
      setState: (s: unknown) => {
        state = s;
        sessionStorage.setItem('vscode-state', JSON.stringify(s));
        return s;
      },
    };
  };
  const savedTheme = sessionStorage.getItem('theme');
  const theme = (savedTheme ? JSON.parse(savedTheme) : initialTheme) as typeof initialTheme;
  // As VS Code does: variables on <html> through the CSSOM, theme class on <body>.
  const applyVars = () => {
    for (const [k, v] of Object.entries(theme.variables)) document.documentElement.style.setProperty(k, v);
  };
  const applyBody = (body: any) => {
    body.classList.add(theme.kind);
    body.setAttribute('data-vscode-theme-kind', theme.kind);
  };
  if (document.documentElement) applyVars();
  const watch = new MutationObserver(() => {
    if (document.documentElement) applyVars();
    if (document.body) {
      applyBody(document.body);
      watch.disconnect();
    }
  });
  watch.observe(document, { childList: true, subtree: true });
}

describe('dashboard webview in Chromium', { timeout: 240_000 }, () => {
  let server: http.Server;
  let origin = '';
  let context: BrowserContext;
  let page: Page;
  let profileDir = '';
  const pageErrors: string[] = [];
  const foreignRequests: string[] = [];
  /** Every message the "host" sent, in order: what it replays when the panel is re-shown. */
  const sent: HostToWebviewMessage[] = [];
  const synthetic = syntheticRuns();

  async function post(message: HostToWebviewMessage, record = true): Promise<void> {
    if (record) sent.push(message);
    await page.evaluate((m) => window.postMessage(m, '*'), message);
  }

  async function frames(n = 2): Promise<void> {
    await page.evaluate(
      (count) =>
        new Promise<void>((resolve) => {
          const step = (left: number) => (left === 0 ? resolve() : requestAnimationFrame(() => step(left - 1)));
          step(count);
        }),
      n,
    );
  }

  async function posted(): Promise<WebviewToHostMessage[]> {
    return page.evaluate(() => window.__posted as WebviewToHostMessage[]);
  }

  async function cspViolations(): Promise<unknown[]> {
    return page.evaluate(() => window.__csp as unknown[]);
  }

  async function showTab(id: string): Promise<void> {
    await page.click(`#tab-${id}`);
    await page.waitForFunction((t) => document.querySelector('.ui-tabs')?.getAttribute('activeid') === `tab-${t}`, id);
    await frames(3);
  }

  async function waitReady(): Promise<void> {
    await page.waitForFunction(() =>
      (window.__posted as { type: string }[]).some((m) => m.type === 'ready'),
    );
  }

  /** What a person sees, tab by tab (text and chart structure), to compare across replays. */
  async function snapshot(): Promise<Record<string, unknown>> {
    const active = await page.evaluate(() => document.querySelector('.ui-tabs')?.getAttribute('activeid'));
    const out: Record<string, unknown> = { active };
    out.header = await page.evaluate(() => document.querySelector('.run-header')?.textContent?.replace(/\s+/g, ' ').trim());
    for (const tab of ['training', 'outliers', 'compare', 'runs']) {
      await showTab(tab);
      out[tab] = await page.evaluate((t) => {
        const view = document.getElementById(`view-${t}`)!;
        return {
          text: view.textContent?.replace(/\s+/g, ' ').trim(),
          charts: [...view.querySelectorAll('.chart')].map((c) => ({
            series: c.dataset.seriesCount,
            canvas: !!c.querySelector('canvas'),
          })),
          smoothing: view.querySelector('input[type=range]')?.value ?? null,
        };
      }, tab);
    }
    await showTab(String(active).replace(/^tab-/, ''));
    return out;
  }

  async function replayAll(): Promise<void> {
    for (const m of sent) await post(m, false);
    await frames(3);
  }

  async function screenshot(name: string): Promise<void> {
    await frames(3);
    await page.screenshot({ path: path.join(OUTPUT, `dashboard-${name}.png`), fullPage: true });
  }

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `Chromium not found at ${CHROMIUM}: the dashboard browser test needs Debian's chromium package ` +
        `(apt-get install chromium), or set OCTET_CHROMIUM to a Chromium binary.`,
    );
    assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: build the webview first (node scripts/bundle.mjs, or npm run build).`);
    assert.ok(
      statSync(BUNDLE).mtimeMs >= newestSource(path.join(REPO_ROOT, 'webview')),
      `${BUNDLE} is older than the sources in webview/: rebuild it (node scripts/bundle.mjs, or npm run build).`,
    );
    mkdirSync(OUTPUT, { recursive: true });
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(dashboardHtml({ scriptUri: `${origin}/dist/webview.js`, cspSource: origin, nonce: newNonce() }));
      } else if (url.pathname === '/dist/webview.js' || url.pathname === '/dist/webview.js.map') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
        res.end(readFileSync(path.join(REPO_ROOT, url.pathname)));
      } else if (url.pathname === '/favicon.ico') {
        res.writeHead(204).end(); // Chromium asks for one; a VS Code webview does not
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profileDir = path.join(os.tmpdir(), `octet-chromium-${process.pid}-${Date.now()}`); // fresh user-data-dir
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.emulateMedia({ reducedMotion: 'reduce' }); // no transitions half-way in screenshots
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreignRequests.push(r.url());
    });
    await page.addInitScript(initPage, loadTheme('dark'));
  });

  after(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('posts ready, then draws a streamed 3-epoch run: header, charts, eval table', async () => {
    await page.goto(`${origin}/`);
    await waitReady();
    await post({ type: 'reset', runs: synthetic.runs });
    for (const [runId, events] of synthetic.events) {
      for (let i = 0; i < events.length; i += 64) await post({ type: 'events', runId, events: events.slice(i, i + 64) });
    }
    await post({ type: 'profile', layers: syntheticProfile() });
    await post({ type: 'comparison', rows: syntheticComparison() });
    await page.waitForFunction(() => document.querySelector('[data-stat=step]')?.textContent?.includes('480'));
    await frames(3);

    const header = await page.evaluate(() => ({
      title: document.querySelector('[data-role=title]')?.textContent,
      state: document.querySelector('[data-role=state]')?.textContent,
      step: document.querySelector('[data-stat=step] dd')?.textContent,
      epoch: document.querySelector('[data-stat=epoch] dd')?.textContent,
      eta: document.querySelector('[data-stat=eta] dd')?.textContent,
      throughput: document.querySelector('[data-stat=throughput] dd')?.textContent,
      best: document.querySelector('[data-stat=best]')?.textContent,
    }));
    assert.equal(header.title, 'mrpc-int8-outlier-s1', 'the running run is shown');
    assert.equal(header.state, 'running');
    assert.equal(header.step, '480 / 600');
    assert.equal(header.epoch, '2.40 / 3');
    assert.equal(header.eta, '22s'); // 120 steps x 180 ms = 21.6 s
    assert.match(header.throughput ?? '', /^4\.\d\dk tok\/s$/);
    assert.match(header.best ?? '', /^Best F1\d\d\.\d\d% @ 400$/);

    const charts = await page.evaluate(() =>
      [...document.querySelectorAll('#view-training [data-chart]')].map((card) => {
        const canvas = card.querySelector('canvas');
        let inked = 0;
        if (canvas) {
          const ctx = canvas.getContext('2d')!;
          const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) inked++;
        }
        return {
          id: card.dataset.chart,
          series: Number(card.querySelector('.chart')?.dataset.seriesCount),
          width: canvas?.width ?? 0,
          height: canvas?.height ?? 0,
          inked,
          legend: card.querySelector('.legend')?.textContent,
        };
      }),
    );
    assert.deepEqual(
      charts.map((c) => [c.id, c.series]),
      [
        ['loss', 3],
        ['metrics', 2],
        ['lr', 1],
        ['throughput', 2],
      ],
    );
    for (const c of charts) {
      assert.ok(c.width > 100 && c.height > 100, `${c.id} canvas has a size (${c.width}x${c.height})`);
      assert.ok(c.inked > 500, `${c.id} canvas has something drawn on it (${c.inked} pixels)`);
    }

    const f1 = synthetic.events.get('run-int8-outlier')!.filter((e) => e.type === 'eval').pop();
    assert.ok(f1 && f1.type === 'eval');
    const f1Text = `${(f1.metrics.f1! * 100).toFixed(2)}%`;
    const evalTable = await page.evaluate(() => document.querySelector('.eval-table')?.textContent ?? '');
    assert.ok(evalTable.includes('F1') && evalTable.includes(f1Text), `eval table shows F1 ${f1Text}: ${evalTable}`);
    assert.ok(charts.find((c) => c.id === 'metrics')!.legend?.includes(f1Text), 'metrics legend shows the latest F1');
    assert.deepEqual(await cspViolations(), []);
  });

  it('lists the profiled layers with the heavy ones marked, sortable', async () => {
    await showTab('outliers');
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll('.outlier-table tbody tr')].map((r) => ({
        layer: r.dataset.layer,
        verdict: r.dataset.verdict,
        heavy: r.classList.contains('heavy'),
        text: r.textContent,
      })),
    );
    const profile = syntheticProfile();
    assert.equal(rows.length, profile.length);
    assert.deepEqual(new Set(rows.map((r) => r.layer)), new Set(profile.map((l) => l.name)));
    const heavy = rows.filter((r) => r.heavy).map((r) => r.layer);
    assert.deepEqual(heavy.sort(), ['bert.encoder.layer.10.output.dense', 'bert.encoder.layer.8.output.dense']);
    assert.ok(rows.filter((r) => r.heavy).every((r) => r.verdict === 'outlier-heavy' && r.text?.includes('outlier-heavy')));
    // Default sort: largest SQNR gain first, which is a heavy layer.
    assert.equal(rows[0]!.heavy, true);
    assert.equal(await page.evaluate(() => document.querySelector('#tab-outliers')?.textContent?.trim()), 'Outliers2');

    await page.click('button.sort[data-sort=outlierFraction]');
    await frames(2);
    const byFraction = await page.evaluate(() =>
      [...document.querySelectorAll('.outlier-table tbody tr')].map((r) => r.dataset.layer),
    );
    const expected = [...profile].sort((a, b) => b.outlierFraction - a.outlierFraction)[0]!.name;
    assert.equal(byFraction[0], expected);
    assert.ok(
      await page.evaluate(() => document.querySelectorAll('.outlier-table svg.strip rect.cell').length > 0),
      'heat strips show outlier columns',
    );
    await screenshot('outliers-dark');
  });

  it('shows the comparison: mean ± std per mode, gap to fp32, gap closed, overlaid curves', async () => {
    await showTab('compare');
    const table = await page.evaluate(() =>
      [...document.querySelectorAll('.compare-table tbody tr[data-mode]')].map((r) => ({
        mode: r.dataset.mode,
        metric: r.dataset.metric,
        cells: [...r.querySelectorAll('td')].map((td) => td.textContent?.trim()),
      })),
    );
    assert.equal(table.length, 6);
    const outlierF1 = table.find((r) => r.mode === 'int8-outlier' && r.metric === 'f1')!;
    assert.deepEqual(outlierF1.cells, ['int8-outlier', '89.68 ± 0.35%', '3', '−0.44 pt', '82%']);
    const fp32 = table.find((r) => r.mode === 'fp32' && r.metric === 'f1')!;
    assert.equal(fp32.cells[1], '90.12 ± 0.31%');
    const overlay = await page.evaluate(() =>
      [...document.querySelectorAll('#view-compare [data-chart]')].map((c) => ({
        id: c.dataset.chart,
        series: Number(c.querySelector('.chart')?.dataset.seriesCount),
        canvas: (c.querySelector('canvas')?.width ?? 0) > 0,
      })),
    );
    assert.deepEqual(overlay, [
      { id: 'overlay-loss', series: 3, canvas: true },
      { id: 'overlay-f1', series: 3, canvas: true },
    ]);
    await screenshot('compare-dark');
  });

  it('batches redraws: a burst of 100 messages costs at most a couple of frames', async () => {
    await showTab('training');
    const burst: HostToWebviewMessage[] = [];
    for (let step = 481; step <= 580; step++) {
      burst.push({
        type: 'events',
        runId: 'run-int8-outlier',
        events: [
          {
            type: 'train',
            step,
            epoch: step / 200,
            time: Date.UTC(2025, 2, 4, 11, 0) + step * 180,
            loss: 0.25,
            learningRate: 2e-5 * ((600 - step) / 540),
            gradNorm: 1,
            tokensPerSecond: 4200,
            etaMs: (600 - step) * 180,
          },
        ],
      });
    }
    sent.push(...burst);
    const drawn = await page.evaluate((messages) => {
      const app = document.getElementById('app')!;
      const before = Number(app.dataset.frames);
      for (const m of messages) window.dispatchEvent(new MessageEvent('message', { data: m }));
      return new Promise<number>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(Number(app.dataset.frames) - before))),
      );
    }, burst);
    assert.ok(drawn >= 1 && drawn <= 2, `redrew ${drawn} times for 100 messages`);
    assert.equal(await page.evaluate(() => document.querySelector('[data-stat=step] dd')?.textContent), '580 / 600');
  });

  it('restores the same state after reset + replay, and after the webview is recreated', async () => {
    await frames(3);
    const smoothing = await page.evaluate(() => {
      const input = document.querySelector('#view-training input[type=range]')!;
      input.value = '0.8';
      input.dispatchEvent(new Event('input'));
      return input.value;
    });
    assert.equal(smoothing, '0.8');
    await frames(3);
    const first = await snapshot();
    assert.equal((first.training as { smoothing: string }).smoothing, '0.8');

    // In place: the host sends reset and the whole history again.
    await replayAll();
    assert.deepEqual(await snapshot(), first);

    // Hidden and re-shown: the webview is recreated, posts ready, and the host replays.
    const readyBefore = (await posted()).filter((m) => m.type === 'ready').length;
    assert.equal(readyBefore, 1);
    await page.reload();
    await waitReady();
    await replayAll();
    await page.waitForFunction(() => document.querySelector('[data-stat=step] dd')?.textContent === '580 / 600');
    await frames(3);
    assert.deepEqual(await snapshot(), first);
    assert.deepEqual(await cspViolations(), []);
  });

  it('follows the theme: re-reads colors for the canvas on a body class change; screenshots', async () => {
    await showTab('training');
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshot('dark');
    const darkPixels = await page.evaluate(() => document.querySelector('[data-chart=loss] canvas')!.toDataURL());
    const light = loadTheme('light');
    await page.evaluate((theme) => {
      sessionStorage.setItem('theme', JSON.stringify(theme));
      for (const [k, v] of Object.entries(theme.variables)) document.documentElement.style.setProperty(k, v);
      document.body.classList.remove('vscode-dark');
      document.body.classList.add(theme.kind);
      document.body.setAttribute('data-vscode-theme-kind', theme.kind);
    }, light);
    await page.waitForFunction(() => document.getElementById('app')?.dataset.theme === 'light');
    await frames(3);
    const lightPixels = await page.evaluate(() => document.querySelector('[data-chart=loss] canvas')!.toDataURL());
    assert.notEqual(lightPixels, darkPixels, 'the loss chart was redrawn with the light palette');
    await screenshot('light');
    await showTab('outliers');
    await screenshot('outliers-light');
    await showTab('compare');
    await screenshot('compare-light');
    await showTab('runs');
    await screenshot('runs-light');
    await showTab('training');
  });

  it('stacks on a narrow panel and keeps the charts inside it', async () => {
    await page.setViewportSize({ width: 420, height: 900 });
    await frames(4);
    const layout = await page.evaluate(() => {
      const cards = [...document.querySelectorAll('#view-training [data-chart]')];
      return {
        lefts: [...new Set(cards.map((c) => Math.round(c.getBoundingClientRect().left)))],
        widest: Math.max(...cards.map((c) => c.querySelector('canvas')?.getBoundingClientRect().right ?? 0)),
        scrollWidth: document.documentElement.scrollWidth,
      };
    });
    assert.equal(layout.lefts.length, 1, 'one column');
    assert.ok(layout.widest <= 420, `charts fit (right edge ${layout.widest})`);
    assert.ok(layout.scrollWidth <= 420, `no horizontal scroll (${layout.scrollWidth})`);
    await screenshot('narrow-light');
    await page.setViewportSize({ width: 1280, height: 900 });
    await frames(4);
  });

  it('posts cancel for the running run, and openRun for a run picked in the history', async () => {
    await page.click('[data-role=cancel]');
    const messages = await posted();
    assert.deepEqual(messages[messages.length - 1], { type: 'cancel', runId: 'run-int8-outlier' });
    assert.equal(await page.evaluate(() => document.querySelector('[data-role=cancel]')?.hasAttribute('disabled')), true);
    await post({
      type: 'events',
      runId: 'run-int8-outlier',
      events: [{ type: 'end', step: 580, epoch: 2.9, time: Date.UTC(2025, 2, 4, 11, 2), state: 'cancelled', message: 'Cancelled by the user at step 580.' }],
    });
    await page.waitForFunction(() => document.querySelector('[data-role=state]')?.textContent === 'cancelled');
    assert.equal(await page.evaluate(() => document.querySelector('[data-role=cancel]')?.classList.contains('hidden')), true);

    await showTab('runs');
    await page.click('[data-run=run-fp32]');
    const last = (await posted()).pop();
    assert.deepEqual(last, { type: 'openRun', runId: 'run-fp32' });
    await page.waitForFunction(() => document.querySelector('[data-role=title]')?.textContent === 'mrpc-fp32-s1');
    assert.equal(await page.evaluate(() => document.querySelector('.ui-tabs')?.getAttribute('activeid')), 'tab-training');
    assert.equal(await page.evaluate(() => document.querySelector('[data-stat=step] dd')?.textContent), '600 / 600');
    await screenshot('completed-light');
  });

  it('saw no CSP violations, page errors or requests to other origins', async () => {
    assert.deepEqual(await cspViolations(), []);
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(foreignRequests, []);
  });
});
