// Runs the built CLI (dist/cli.js) as a real process.
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';

export const CLI = path.resolve(__dirname, '../../../dist/cli.js');

export function runCli(args: string[], cwd?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
}

export function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Calls `onLine` for each stdout line until it returns true or the process exits; resolves with the exit code/signal. */
export function watchLines(child: ChildProcess, onLine: (line: string) => boolean | void): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let buffer = '';
  let done = false;
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!done && onLine(line) === true) done = true;
    }
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}
