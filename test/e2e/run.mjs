#!/usr/bin/env node
// End-to-end tests in a real VS Code, offline: the VS Code server bundled in the code-server npm
// package (installed by scripts/ci/install-vscode-server.sh into .tools/), opened in Debian's
// Chromium through playwright-core, with this repository as the extension under development and
// out/test/e2e/suite/index.js as the tests that run inside the extension host. The tests ask this
// runner for what a person does in the UI (ui-actions.mjs). Ends with "N passed, N failed".
//
//   npm run build && node test/e2e/run.mjs        (npm run test:e2e does both)
//
// Screenshots and the workbench log go to test-output/e2e/.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { uiActions } from './ui-actions.mjs';
import { CHROMIUM_ARGS, serverDirs, startVsCodeServer, toolPaths } from './vscode-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { node24, serverMain, chromium: chromiumPath } = toolPaths(root);
const suite = path.join(root, 'out', 'test', 'e2e', 'suite', 'index.js');
const outputDir = path.join(root, 'test-output', 'e2e');
const TIMEOUT_MS = Number(process.env.OCTET_E2E_TIMEOUT_MS ?? 15 * 60_000);

let failedBeforeTests = 0;
function finish(passed, failed, code) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code);
}

function need(file, hint) {
  if (!existsSync(file)) {
    console.error(`missing ${file}: ${hint}`);
    failedBeforeTests++;
  }
}

async function main() {
  need(node24, 'run scripts/ci/install-vscode-server.sh');
  need(serverMain, 'run scripts/ci/install-vscode-server.sh');
  need(chromiumPath, 'run scripts/ci/install-browser-deps.sh (Debian chromium)');
  for (const f of ['dist/extension.js', 'dist/server.js', 'dist/cli.js', 'dist/webview.js', 'out/test/e2e/suite/index.js', 'out/test/e2e/fixture.js']) need(path.join(root, f), 'run npm run build');
  if (failedBeforeTests > 0) finish(0, 1, 1);

  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'octet-e2e-'));
  const exchange = path.join(scratch, 'exchange');
  mkdirSync(exchange);
  const { createE2eWorkspace } = require(path.join(root, 'out', 'test', 'e2e', 'fixture.js'));
  // 32 epochs of the tiny task (about 15-25 s here): long enough for the dashboard to be seen
  // moving through several steps while the job runs, even when the machine is quiet and fast.
  const workspace = await createE2eWorkspace(scratch, 32);
  console.log(`workspace: ${workspace.dir}`);

  const dirs = serverDirs(scratch);
  const serverLog = path.join(outputDir, 'vscode-server.log');
  let stopServer = () => undefined;
  const { chromium } = require('playwright-core');
  let browser;
  let results;
  let exitCode = 1;
  let runnerFailures = [];
  try {
    const server = await startVsCodeServer({ node24, serverMain, dirs, logFile: serverLog, env: { OCTET_E2E_EXCHANGE: exchange, OCTET_JOB_SLOTS_DIR: path.join(scratch, 'job-slots') } });
    stopServer = server.stop;
    const port = server.port;
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1680, height: 1050 } });
    const workbenchLog = path.join(outputDir, 'workbench.log');
    let exited;
    const exitedPromise = new Promise((resolve) => (exited = resolve));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = Array.isArray(args) ? args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') : String(args);
      appendFileSync(workbenchLog, `[${type}] ${line}\n`);
      if (line.includes('[octet-e2e]')) console.log(line.slice(line.indexOf('[octet-e2e]')));
    });
    await page.exposeFunction('codeAutomationExit', (code) => {
      exited(code);
    });
    page.on('pageerror', (e) => appendFileSync(workbenchLog, `[pageerror] ${e.message}\n`));

    const toRemote = (p) => `vscode-remote://remote${p}`;
    const payload = [['extensionDevelopmentPath', toRemote(root)], ['extensionTestsPath', toRemote(suite)]];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace.dir)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);

    // Serve the tests' requests until the extension host exits.
    const actions = uiActions(page, outputDir);
    const handled = new Set();
    let busy = false;
    const poll = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        for (const file of readdirSync(exchange).filter((f) => f.endsWith('.request.json')).sort()) {
          if (handled.has(file)) continue;
          handled.add(file);
          const request = JSON.parse(readFileSync(path.join(exchange, file), 'utf8'));
          let answer;
          try {
            const action = actions[request.action];
            answer = action ? await action(request) : { ok: false, detail: `unknown action ${request.action}` };
          } catch (e) {
            answer = { ok: false, detail: `${request.action} failed: ${e.message}` };
          }
          if (!answer.ok) runnerFailures.push(`${request.id}: ${answer.detail}`);
          console.log(`[runner] ${request.id}: ${answer.ok ? 'ok' : 'FAILED'}: ${answer.detail.slice(0, 300)}`);
          writeFileSync(path.join(exchange, `${request.id}.answer.json`), JSON.stringify(answer));
        }
      } finally {
        busy = false;
      }
    }, 100);
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS));
    const code = await Promise.race([exitedPromise, timeout]);
    clearInterval(poll);
    await actions.shot('final');
    if (code === 'timeout') {
      console.error(`the tests did not finish within ${TIMEOUT_MS} ms`);
    } else {
      exitCode = code;
    }
    const resultsFile = path.join(exchange, 'results.json');
    results = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : undefined;
  } catch (e) {
    console.error(`e2e runner: ${e.stack ?? e.message}`);
  } finally {
    await browser?.close().catch(() => undefined);
    stopServer();
  }
  if (runnerFailures.length > 0) console.error(`UI checks that failed:\n  ${runnerFailures.join('\n  ')}`);
  if (results === undefined) {
    console.error(`no test results (see ${path.relative(root, outputDir)}/workbench.log and vscode-server.log)`);
    finish(0, 1, 1);
  }
  for (const f of results.failures) console.error(`✖ ${f.name}\n${f.error}`);
  if (process.env.OCTET_E2E_KEEP !== '1') rmSync(scratch, { recursive: true, force: true });
  else console.log(`kept ${scratch}`);
  finish(results.passed, results.failed, exitCode === 0 && results.failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  finish(0, 1, 1);
});
