// `octet compare <manifest>`: fp32 / int8 / int8-outlier fine-tuning side by side, over seeds.
// By default the runs go one after another with the machine's threads; `--parallel N` runs N
// at a time in child processes with a share of the cores each (`--only` is what a child runs).
import { availableParallelism } from 'node:os';
import { checkModes, compareModes, runComparisonRun } from '../compare/compare-modes';
import { formatCompareMarkdown } from '../compare/format';
import { OctetError } from '../errors';
import { loadManifest } from '../manifest/load';
import { PRECISION_MODES } from '../nn/precision';
import { createBackend, threadsFrom } from './backend-option';
import { compareInChildren } from './compare-in-children';
import { parseCount } from './parse-count';

export interface CompareCommandOptions {
  modes?: string;
  seeds?: string;
  json?: boolean;
  threads?: string;
  parallel?: string;
  only?: string;
}

const log = (l: string): void => {
  process.stderr.write(l + '\n');
};

export async function compareCommand(manifestPath: string, opts: CompareCommandOptions): Promise<void> {
  if (opts.only !== undefined) return compareOneRun(manifestPath, opts.only, opts.threads);
  const manifest = loadManifest(manifestPath);
  const modes = checkModes((opts.modes ?? PRECISION_MODES.join(',')).split(',').map((m) => m.trim()));
  const seeds = parseCount(opts.seeds ?? '3', '--seeds', 1);
  const parallel = parseCount(opts.parallel ?? '1', '--parallel', 1);
  if (parallel > 1) {
    const threadsPerRun = opts.threads !== undefined ? parseCount(opts.threads, '--threads', 1) : Math.max(1, Math.floor(availableParallelism() / parallel));
    const seedList = Array.from({ length: seeds }, (_, i) => manifest.train.seed + i);
    await compareInChildren({ manifestPath: manifest.manifestPath, modes, seeds: seedList, parallel, threadsPerRun, log });
  }
  const backend = await createBackend(threadsFrom(opts.threads, manifest));
  try {
    const summary = await compareModes(manifest, backend, { modes, seeds, log });
    process.stdout.write(opts.json ? JSON.stringify(summary) + '\n' : formatCompareMarkdown(summary) + '\n');
  } finally {
    await backend.dispose();
  }
}

/** `--only MODE:SEED`: one run of the comparison, into the folder the comparison uses. */
async function compareOneRun(manifestPath: string, only: string, threads: string | undefined): Promise<void> {
  const manifest = loadManifest(manifestPath);
  const match = /^([a-z0-9-]+):(\d+)$/.exec(only);
  if (!match) throw new OctetError('invalid-argument', `--only takes MODE:SEED, e.g. int8:42; got "${only}"`);
  const [mode] = checkModes([match[1]]);
  const seed = Number(match[2]);
  // Started by `compare --parallel`: leave when the parent is gone (its IPC channel closes), so a
  // killed comparison does not leave runs behind; the checkpoints written so far stay.
  if (process.send !== undefined) {
    process.on('disconnect', () => process.exit(130));
    process.channel?.unref(); // the channel alone must not keep a finished run alive
  }
  const backend = await createBackend(threadsFrom(threads, manifest));
  try {
    const r = await runComparisonRun(manifest, backend, mode, seed, log);
    log(`${r.origin} in ${(r.elapsedMs / 1000).toFixed(1)} s: ${manifest.train.metricForBestModel} ${r.metrics[manifest.train.metricForBestModel]?.toFixed(4)} -> ${r.runDir}`);
  } finally {
    await backend.dispose();
  }
}
