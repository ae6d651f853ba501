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
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { uiActions } from './ui-actions.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const tools = process.env.OCTET_TOOLS_DIR ?? path.join(root, '.tools');
const node24 = path.join(tools, 'node24', 'node_modules', '.bin', 'node');
const serverMain = path.join(tools, 'code-server', 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
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

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForHttp(url, ms, child) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (child.exitCode !== null) throw new Error(`the VS Code server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the VS Code server did not answer at ${url} within ${ms} ms`);
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
  const workspace = await createE2eWorkspace(scratch);
  console.log(`workspace: ${workspace.dir}`);

  const port = await freePort();
  const dirs = ['server-data', 'user-data', 'extensions'].map((d) => path.join(scratch, d));
  dirs.forEach((d) => mkdirSync(d));
  const server = spawn(
    node24,
    [
      serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
      '--enable-smoke-test-driver', '--disable-telemetry', '--disable-workspace-trust',
      '--server-data-dir', dirs[0], '--user-data-dir', dirs[1], '--extensions-dir', dirs[2],
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OCTET_E2E_EXCHANGE: exchange, OCTET_JOB_SLOTS_DIR: path.join(scratch, 'job-slots'), PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH}` },
    },
  );
  const serverLog = path.join(outputDir, 'vscode-server.log');
  server.stdout.on('data', (c) => appendFileSync(serverLog, c));
  server.stderr.on('data', (c) => appendFileSync(serverLog, c));
  const stopServer = () => {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.on('exit', stopServer);

  const { chromium } = require('playwright-core');
  let browser;
  let results;
  let exitCode = 1;
  let runnerFailures = [];
  try {
    await waitForHttp(`http://127.0.0.1:${port}/version`, 60_000, server).catch(() => waitForHttp(`http://127.0.0.1:${port}/`, 30_000, server));
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
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
