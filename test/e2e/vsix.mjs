#!/usr/bin/env node
// The packaged extension, the way a user gets it: builds the linux-x64 VSIX (scripts/package.mjs),
// checks it carries only linux-x64's onnxruntime binaries, installs it with `--install-extension`
// into a fresh extensions folder of the VS Code server inside code-server, opens the end-to-end
// workspace in Chromium (no extension under development: only the installed VSIX), and checks as
// a person would that the extension works: the language server's diagnostics of a manifest with
// mistakes show in the Problems panel, and "Fine-tune with int8 outliers" from the command palette
// trains to a finished run, with onnxruntime loaded from the installed extension's own folder.
// Ends with "N passed, N failed". Screenshots and logs go to test-output/vsix/.
//
//   npm run test:vsix          (builds first; needs the tools of scripts/ci/install-vscode-server.sh)
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageVsix } from '../../scripts/package.mjs';
import { uiActions } from './ui-actions.mjs';
import { CHROMIUM_ARGS, serverDirs, startVsCodeServer, toolPaths } from './vscode-server.mjs';
import { zipEntries } from './zip-entries.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { node24, serverMain, chromium: chromiumPath } = toolPaths(root);
const outputDir = path.join(root, 'test-output', 'vsix');
const TARGET = 'linux-x64';
const EXTENSION_ID = 'octet.octet';

const results = { passed: 0, failed: 0 };
const state = {};

/** Runs one check; a check whose prerequisite failed fails too, saying which. */
async function check(name, needs, fn) {
  const t0 = Date.now();
  try {
    const missing = needs.filter((n) => state[n] === undefined);
    if (missing.length > 0) throw new Error(`not run: it needs ${missing.join(', ')}, which failed`);
    const detail = await fn();
    results.passed++;
    console.log(`✔ ${name} (${Date.now() - t0} ms)${detail ? `: ${detail}` : ''}`);
  } catch (e) {
    results.failed++;
    console.log(`✖ ${name} (${Date.now() - t0} ms)\n  ${(e.stack ?? String(e)).split('\n').join('\n  ')}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function waitFor(what, ms, probe, everyMs = 500) {
  const t0 = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs a UI action of ui-actions.mjs; its answer must be ok. */
async function act(actions, name, params = {}) {
  const answer = await actions[name](params);
  if (!answer.ok) throw new Error(`${name}: ${answer.detail}`);
  return answer;
}

async function main() {
  const missing = [[node24, 'run scripts/ci/install-vscode-server.sh'], [serverMain, 'run scripts/ci/install-vscode-server.sh'], [chromiumPath, 'run scripts/ci/install-browser-deps.sh'], [path.join(root, 'out', 'test', 'e2e', 'fixture.js'), 'run npm run build']]
    .filter(([file]) => !existsSync(file));
  for (const [file, hint] of missing) console.error(`missing ${file}: ${hint}`);
  if (missing.length > 0) return { passed: 0, failed: 1 };
  if (`${process.platform}-${process.arch}` !== TARGET) {
    console.error(`this test installs the ${TARGET} VSIX into a local VS Code: it needs a ${TARGET} machine, not ${process.platform}-${process.arch}`);
    return { passed: 0, failed: 1 };
  }
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'octet-vsix-e2e-'));
  const dirs = serverDirs(scratch);
  const cleanups = [];
  try {
    await check(`npm run package builds the ${TARGET} VSIX`, [], () => {
      const built = packageVsix({ target: TARGET, log: (line) => appendFileSync(path.join(outputDir, 'package.log'), line + '\n') });
      state.vsix = built.vsixPath;
      return `${path.relative(root, built.vsixPath)}, ${(built.bytes / 2 ** 20).toFixed(1)} MiB`;
    });

    await check(`the VSIX carries onnxruntime's ${TARGET} binaries and no other platform's`, ['vsix'], () => {
      const entries = zipEntries(state.vsix);
      const names = entries.map((e) => e.name);
      const bin = names.filter((n) => n.startsWith('extension/node_modules/onnxruntime-node/bin/')).sort();
      const expected = ['libonnxruntime.so.1', 'onnxruntime_binding.node'].map((f) => `extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/${f}`);
      assert(JSON.stringify(bin) === JSON.stringify(expected), `binaries in the VSIX: ${bin.join(', ')}`);
      for (const f of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/server.js', 'extension/dist/cli.js', 'extension/dist/webview.js', 'extension/schemas/octet.schema.json', 'extension/node_modules/onnxruntime-common/package.json']) {
        assert(names.includes(f), `the VSIX lacks ${f}`);
      }
      const manifest = entries.find((e) => e.name === 'extension.vsixmanifest')?.read().toString('utf8') ?? '';
      assert(manifest.includes(`TargetPlatform="${TARGET}"`), `extension.vsixmanifest does not name TargetPlatform="${TARGET}": ${manifest.slice(0, 600)}`);
      const bytes = entries.reduce((s, e) => s + e.size, 0);
      return `${entries.length} entries, ${(bytes / 2 ** 20).toFixed(1)} MiB uncompressed`;
    });

    await check('installs into VS Code with --install-extension', ['vsix'], () => {
      const output = execFileSync(node24, [serverMain, '--install-extension', state.vsix, '--extensions-dir', dirs.extensions, '--server-data-dir', dirs.serverData, '--user-data-dir', dirs.userData, '--accept-server-license-terms'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert(/successfully installed/i.test(output), `the VS Code server said: ${output}`);
      const installed = JSON.parse(readFileSync(path.join(dirs.extensions, 'extensions.json'), 'utf8'));
      const entry = installed.find((e) => e.identifier.id === EXTENSION_ID);
      assert(entry !== undefined, `extensions.json lists ${installed.map((e) => e.identifier.id).join(', ')}`);
      state.extensionDir = entry.location.fsPath ?? entry.location.path;
      assert(existsSync(path.join(state.extensionDir, 'dist', 'cli.js')), `${state.extensionDir} has no dist/cli.js`);
      return `${path.basename(state.extensionDir)}`;
    });

    const { createE2eWorkspace } = require(path.join(root, 'out', 'test', 'e2e', 'fixture.js'));
    const workspace = await createE2eWorkspace(scratch, 1);
    const { chromium } = require('playwright-core');
    let page;
    let actions;
    await check('VS Code opens the workspace with only the installed extension', ['extensionDir'], async () => {
      const server = await startVsCodeServer({ node24, serverMain, dirs, logFile: path.join(outputDir, 'vscode-server.log'), env: { OCTET_JOB_SLOTS_DIR: path.join(scratch, 'job-slots') } });
      cleanups.push(server.stop);
      const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
      cleanups.push(() => browser.close().catch(() => undefined));
      page = await browser.newPage({ viewport: { width: 1680, height: 1050 } });
      page.on('pageerror', (e) => appendFileSync(path.join(outputDir, 'workbench.log'), `[pageerror] ${e.message}\n`));
      await page.goto(`http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(workspace.dir)}`);
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      actions = uiActions(page, outputDir);
      await act(actions, 'prepare');
      state.page = page;
      return `port ${server.port}, workspace ${workspace.dir}`;
    });

    await check('the extension activates: its language server\'s diagnostics of a manifest with mistakes show in the Problems panel', ['page'], async () => {
      await act(actions, 'open-file', { name: 'typo.octet.json' });
      const answer = await act(actions, 'problems', { expect: ['column "labl" is not in data/train.tsv', 'matches no linear layer', 'typo.octet.json'] });
      return answer.detail.slice(0, 160);
    });

    await check('the manifest schema the VSIX contributes (jsonValidation) checks a manifest', ['page'], async () => {
      await act(actions, 'open-file', { name: 'schema-error.octet.json' });
      const answer = await act(actions, 'problems', { expect: ['schema-error.octet.json', 'Incorrect type'] });
      return answer.detail.slice(answer.detail.indexOf('schema-error.octet.json'), answer.detail.indexOf('schema-error.octet.json') + 120);
    });

    await check('"Fine-tune with int8 outliers" from the palette trains to a finished run with the packaged onnxruntime', ['page'], async () => {
      await act(actions, 'open-file', { name: 'octet.json' });
      await act(actions, 'palette', { title: 'Octet: Fine-tune with int8 outliers' });
      const metrics = path.join(workspace.runFolder, 'metrics.jsonl');
      const last = await waitFor('the run\'s end event in runs/sentiment/metrics.jsonl', 240_000, () => {
        if (!existsSync(metrics)) return undefined;
        const events = readFileSync(metrics, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
        return events.at(-1)?.type === 'end' ? events.at(-1) : undefined;
      });
      await actions.shot('fine-tune-finished');
      assert(last.state === 'completed', `the run ended ${last.state}: ${JSON.stringify(last)}`);
      assert(typeof last.metrics?.f1 === 'number', `no F1 in ${JSON.stringify(last.metrics)}`);
      // The job ran the installed extension's CLI bundle, which loads onnxruntime from the extension's node_modules.
      const logs = readdirSync(path.join(workspace.runFolder, 'logs')).filter((f) => f.startsWith('train-'));
      const firstLine = readFileSync(path.join(workspace.runFolder, 'logs', logs[0]), 'utf8').split('\n')[0];
      assert(firstLine.includes(path.join(state.extensionDir, 'dist', 'cli.js')), `the job log's command line is not the installed extension's CLI: ${firstLine}`);
      const statusBar = await waitFor('the status bar to show the run\'s F1', 30_000, async () => {
        const text = ((await page.locator('.statusbar-item', { hasText: 'Octet' }).first().textContent()) ?? '').trim();
        return /f1 \d\.\d{3}/.test(text) ? text : undefined;
      });
      state.run = last;
      return `F1 ${last.metrics.f1.toFixed(3)}; status bar "${statusBar}"`;
    });

    await check('the dashboard, loaded from the extension\'s folder, shows the finished run', ['run'], async () => {
      await act(actions, 'palette', { title: 'Octet: Open training dashboard' });
      const answer = await act(actions, 'dashboard-finished');
      assert(/f1/i.test(answer.data.evalTable), `the evaluation table: ${answer.data.evalTable}`);
      return `state ${answer.data.state}, step ${answer.data.step}, best ${answer.data.best}`;
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    if (process.env.OCTET_E2E_KEEP === '1') console.log(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
  return results;
}

main()
  .catch((e) => {
    console.error(e);
    return { passed: results.passed, failed: results.failed + 1 };
  })
  .then(({ passed, failed }) => {
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed === 0 && passed > 0 ? 0 : 1);
  });
