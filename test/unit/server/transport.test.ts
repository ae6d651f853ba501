// The server's command line: LSP over node IPC (how the VS Code client starts it) works as well
// as stdio (used by every other test), and without a transport flag it explains its usage.
import * as assert from 'node:assert/strict';
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { IPCMessageReader, IPCMessageWriter, type MessageConnection, createMessageConnection } from 'vscode-jsonrpc/node';
import type { InitializeResult } from 'vscode-languageserver-protocol';
import { SERVER_PATH } from './lsp-test-client';

/** Resolves with the exit code, or rejects after `ms` (the process is then killed in `after`). */
function exitCode(child: ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`process still running after ${ms} ms`)), ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('server transports', () => {
  const children: ChildProcess[] = [];
  let connection: MessageConnection | undefined;

  after(() => {
    connection?.dispose();
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('speaks LSP over node IPC with --node-ipc', async () => {
    const child = fork(SERVER_PATH, ['--node-ipc'], { silent: true });
    children.push(child);
    const exited = exitCode(child, 15_000);
    connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.listen();
    const result: InitializeResult = await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    assert.equal(result.capabilities.hoverProvider, true);
    assert.deepEqual(result.capabilities.executeCommandProvider?.commands, ['octet.fineTune', 'octet.profile', 'octet.compare']);
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    assert.equal(await exited, 0);
  });

  it('prints its usage and exits with status 2 without a transport flag', async () => {
    const child = spawn(process.execPath, [SERVER_PATH], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    assert.equal(await exitCode(child, 15_000), 2);
    assert.match(stderr, /usage: octet-server --stdio \| --node-ipc/);
    assert.equal(stdout, '');
  });
});
