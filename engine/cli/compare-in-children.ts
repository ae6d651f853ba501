// `octet compare --parallel N`: the comparison's runs, N at a time, each in its own `octet
// compare --only MODE:SEED` child process with its share of the cores. Processes rather than
// worker threads because a run's element-wise work is JavaScript on one thread: two runs in one
// process would take turns on it. Each child leaves its finished run folder; the parent then
// summarizes them (compareModes reuses finished runs), so the table is the same either way.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { OctetError } from '../errors';
import type { PrecisionMode } from '../nn/precision';
import { withHugePageMalloc } from '../perf/allocator-env';

export interface ChildRunsOptions {
  manifestPath: string;
  modes: readonly PrecisionMode[];
  seeds: readonly number[];
  parallel: number;
  threadsPerRun: number;
  log: (line: string) => void;
}

function runChild(o: ChildRunsOptions, mode: PrecisionMode, seed: number): Promise<void> {
  // The same CLI bundle this process runs (as bench-train-command.ts starts its children).
  const args = [process.argv[1], 'compare', o.manifestPath, '--only', `${mode}:${seed}`, '--threads', String(o.threadsPerRun)];
  const label = `[${mode} s${seed}]`;
  return new Promise((resolve, reject) => {
    // The IPC channel is only a lifeline: a child leaves when it closes (compare-command.ts), so
    // runs do not outlive a comparison that was killed. Their last checkpoints stay for a resume.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: withHugePageMalloc() });
    let lastLine = '';
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.trim()) lastLine = line;
      o.log(`${label} ${line}`);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const why = signal ? `was killed (${signal})` : `exited with ${code}`;
      reject(new OctetError('invalid-argument', `the ${mode} run with seed ${seed} ${why}: ${lastLine || 'no output'}`));
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
