// Entry point of the `octet` command (bin/octet.js): runs the CLI (dist/cli.js) in a process that
// started with the allocator setting training needs (engine/perf/allocator-env.ts). glibc reads
// it only at process start, so when it is missing this process starts the same command once more
// with it and only relays: exit code, signal, and a lifeline (the child leaves when this process
// is gone, even after a SIGKILL, keeping its last checkpoint). `node dist/cli.js` runs directly.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { hugePageMallocActive, withHugePageMalloc } from '../perf/allocator-env';

const RELAUNCHED = 'OCTET_RELAUNCHED';

function relaunch(env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...env, [RELAUNCHED]: '1' },
  });
  // The terminal's Ctrl-C reaches the child itself (same process group); relaying it as well
  // would count as a second Ctrl-C, which quits without the checkpoint.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('error', (e) => {
    process.stderr.write(`octet: could not start the command: ${e.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}

function runCli(): void {
  if (process.env[RELAUNCHED] === '1' && process.send !== undefined) {
    process.on('disconnect', () => process.exit(130));
    process.channel?.unref(); // the channel alone must not keep a finished command alive
  }
  // A path esbuild leaves alone: cli.js is its own bundle next to this one.
  require(path.join(__dirname, 'cli.js'));
}

const env = withHugePageMalloc();
if (process.env[RELAUNCHED] !== '1' && !hugePageMallocActive() && hugePageMallocActive(env)) relaunch(env);
else runCli();
