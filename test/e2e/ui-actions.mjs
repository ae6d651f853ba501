// What the runner does in the workbench when the tests inside VS Code ask (test/e2e/suite/driver.ts):
// run a command from the palette, read the Problems panel, watch the dashboard webview. Each
// action answers {ok, detail, data} and saves a screenshot for a person to look at.
import path from 'node:path';

const webviewFrame = (page) => page.frameLocator('iframe.webview').first().frameLocator('#active-frame');

async function text(locator) {
  return ((await locator.first().textContent({ timeout: 2000 }).catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
}

export function uiActions(page, screenshots) {
  const shot = async (name) => {
    await page.screenshot({ path: path.join(screenshots, `${name}.png`) }).catch(() => undefined);
  };

  /** F1, type the command's title, pick the row with exactly that label. */
  async function palette({ title }) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input[type="text"]');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: title }) }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    const label = await text(row.locator('.label-name'));
    if (label !== title) return { ok: false, detail: `the palette offered "${label}", not "${title}"` };
    await row.click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    return { ok: true, detail: `ran "${title}" from the command palette` };
  }

  /** Opens the Problems panel the way a person does (the problems counter in the status bar) and reads it. */
  async function problems({ expect }) {
    const panel = page.locator('.markers-panel');
    if (!(await panel.isVisible())) await page.locator('[id="status.problems"]').first().click({ timeout: 10_000 });
    await panel.waitFor({ state: 'visible', timeout: 10_000 });
    const deadline = Date.now() + 20_000;
    let content = '';
    while (Date.now() < deadline) {
      content = await text(panel.locator('.monaco-list-rows'));
      if (expect.every((e) => content.includes(e))) break;
      await page.waitForTimeout(250);
    }
    await shot('problems-panel');
    const missing = expect.filter((e) => !content.includes(e));
    return missing.length === 0 ? { ok: true, detail: content.slice(0, 2000) } : { ok: false, detail: `the Problems panel lacks ${JSON.stringify(missing)}; it shows: ${content.slice(0, 2000)}` };
  }

  /** Watches the dashboard while the job runs: the step count must move. */
  async function dashboardLive() {
    // The panel area (Problems) closed: the dashboard gets the editor area's full height.
    if (await page.locator('.markers-panel').isVisible()) {
      for (const title of ['View: Hide Panel', 'View: Close Panel']) if ((await palette({ title }).catch(() => ({ ok: false }))).ok) break;
    }
    const frame = webviewFrame(page);
    const steps = [];
    const deadline = Date.now() + 90_000;
    let state = '';
    while (Date.now() < deadline) {
      state = await text(frame.locator('[data-role=state]'));
      const step = await text(frame.locator('[data-stat=step] dd'));
      if (state === 'running' && step !== '' && steps.at(-1) !== step) steps.push(step);
      if (steps.length === 3) await shot('dashboard-running');
      if (steps.length >= 6 || (state !== 'running' && steps.length > 0)) break;
      await page.waitForTimeout(150);
    }
    return steps.length >= 3 ? { ok: true, detail: `steps seen: ${steps.join(', ')}`, data: { steps } } : { ok: false, detail: `the dashboard showed steps [${steps.join(', ')}] (state "${state}")`, data: { steps } };
  }

  async function dashboardFinished() {
    const frame = webviewFrame(page);
    const deadline = Date.now() + 30_000;
    let state = '';
    while (Date.now() < deadline && state !== 'completed') {
      state = await text(frame.locator('[data-role=state]'));
      if (state !== 'completed') await page.waitForTimeout(200);
    }
    await page.waitForTimeout(500); // the last frame of the charts
    const data = {
      state,
      title: await text(frame.locator('[data-role=title]')),
      step: await text(frame.locator('[data-stat=step] dd')),
      best: await text(frame.locator('[data-stat=best]')),
      evalTable: await text(frame.locator('.eval-table')),
      statusBar: await text(page.locator('.statusbar-item', { hasText: 'Octet' })),
    };
    await shot('dashboard-finished');
    return { ok: state === 'completed', detail: JSON.stringify(data), data };
  }

  /** Opens a file of the workspace's top folder by clicking it in the Explorer, as a person does. */
  async function openFile({ name }) {
    await page.keyboard.press('Escape');
    const explorer = page.locator('.explorer-folders-view');
    if (!(await explorer.isVisible())) await palette({ title: 'View: Show Explorer' });
    // The whole name: "octet.json" must not pick "int8.octet.json", which sorts first.
    const exactly = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const row = explorer.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: exactly }) }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await row.click();
    const tab = page.locator('.tabs-container .tab.active', { hasText: name });
    await tab.waitFor({ state: 'visible', timeout: 10_000 });
    return { ok: true, detail: `opened ${name} from the Explorer` };
  }

  /** A tidy workbench for the screenshots: no secondary side bar (chat). */
  async function prepare() {
    const closed = [];
    for (const title of ['View: Hide Secondary Side Bar', 'View: Close Secondary Side Bar']) {
      if ((await palette({ title }).catch(() => ({ ok: false }))).ok) {
        closed.push(title);
        break;
      }
    }
    await page.keyboard.press('Escape');
    return { ok: true, detail: closed.length > 0 ? `ran ${closed[0]}` : 'no secondary side bar command' };
  }

  return { prepare, palette, problems, 'open-file': openFile, 'dashboard-live': dashboardLive, 'dashboard-finished': dashboardFinished, shot };
}
