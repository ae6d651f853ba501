// What the runners outside VS Code share (test/e2e/run.mjs, test/e2e/vsix.mjs): where the offline
// tools are (scripts/ci/install-vscode-server.sh and install-browser-deps.sh put them there), a
// free port, starting the VS Code server of the code-server package, and launching Chromium.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/** node@24, the VS Code server's entry point and Chromium, under OCTET_TOOLS_DIR (default <root>/.tools). */
export function toolPaths(root) {
  const tools = process.env.OCTET_TOOLS_DIR ?? path.join(root, '.tools');
  return {
    node24: path.join(tools, 'node24', 'node_modules', '.bin', 'node'),
    serverMain: path.join(tools, 'code-server', 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js'),
    chromium: process.env.CHROMIUM ?? '/usr/bin/chromium',
  };
}

/** Chromium's flags for a closed network: without the networking ones it floods it with refused connections. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function waitForHttp(url, ms, child) {
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

/** The server's own folders under `scratch`: server data, user data, extensions. */
export function serverDirs(scratch) {
  const dirs = { serverData: path.join(scratch, 'server-data'), userData: path.join(scratch, 'user-data'), extensions: path.join(scratch, 'extensions') };
  Object.values(dirs).forEach((d) => mkdirSync(d, { recursive: true }));
  return dirs;
}

/**
 * Starts the VS Code server (in its own process group, stopped by stop()) with the test flags,
 * logging to `logFile`, and waits until it answers. `env` is added to this process's environment.
 */
export async function startVsCodeServer({ node24, serverMain, dirs, logFile, env = {} }) {
  const port = await freePort();
  const child = spawn(
    node24,
    [
      serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
      '--enable-smoke-test-driver', '--disable-telemetry', '--disable-workspace-trust',
      '--server-data-dir', dirs.serverData, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions,
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env, PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH}` },
    },
  );
  child.stdout.on('data', (c) => appendFileSync(logFile, c));
  child.stderr.on('data', (c) => appendFileSync(logFile, c));
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.on('exit', stop);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/version`, 60_000, child).catch(() => waitForHttp(`http://127.0.0.1:${port}/`, 30_000, child));
  } catch (e) {
    stop();
    throw e;
  }
  return { child, port, stop };
}
