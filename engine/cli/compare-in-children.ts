// `octet compare --parallel N`: the comparison's runs, N at a time, each in its own `octet
// compare --only MODE:SEED` child process with its share of the cores. Processes rather than
// worker threads because a run's element-wise work is JavaScript on one thread: two runs in one
// process would take turns on it. Each child leaves its finished run folder; the parent then
// summarizes them (compareModes reuses finished runs), so the table is the same either way.
import { spawn } from 'node:child_process';
import { OctetError } from '../errors';
import type { PrecisionMode } from '../nn/precision';

export interface ChildRunsOptions {
  manifestPath: string;
  modes: readonly PrecisionMode[];
  seeds: readonly number[];
  parallel: number;
  threadsPerRun: number;
  log: (line: string) => void;
}

/** How the running CLI was started, so children run the same build. */
function cliCommand(): { exe: string; args: string[] } {
  return { exe: process.execPath, args: [...process.execArgv, process.argv[1]] };
}

function runChild(o: ChildRunsOptions, mode: PrecisionMode, seed: number): Promise<void> {
  const cli = cliCommand();
  const args = [...cli.args, 'compare', o.manifestPath, '--only', `${mode}:${seed}`, '--threads', String(o.threadsPerRun)];
  const label = `[${mode} s${seed}]`;
  return new Promise((resolve, reject) => {
    // The IPC channel is only a lifeline: a child leaves when it closes (compare-command.ts), so
    // runs do not outlive a comparison that was killed. Their last checkpoints stay for a resume.
    const child = spawn(cli.exe, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const tail: string[] = [];
    let partial = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        o.log(`${label} ${line}`);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const why = signal ? `was killed (${signal})` : `exited with ${code}`;
      reject(new OctetError('invalid-argument', `the ${mode} run with seed ${seed} ${why}: ${tail.filter((l) => l.trim()).at(-1) ?? 'no output'}`));
    });
  });
}

/** Runs every (seed, mode) pair, `parallel` at a time, in seed-major order; fails on the first failure. */
export async function compareInChildren(o: ChildRunsOptions): Promise<void> {
  const queue = o.seeds.flatMap((seed) => o.modes.map((mode) => ({ mode, seed })));
  const total = queue.length;
  let started = 0;
  let failure: unknown = null;
  const worker = async (): Promise<void> => {
    while (failure === null && queue.length > 0) {
      const { mode, seed } = queue.shift()!;
      o.log(`[${++started}/${total}] ${mode}, seed ${seed} (child process, ${o.threadsPerRun} thread${o.threadsPerRun === 1 ? '' : 's'})`);
      try {
        await runChild(o, mode, seed);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.parallel, total) }, worker));
  if (failure !== null) throw failure;
}
