// `octet compare`: fine-tunes the project once per precision mode and seed, one run after another
// on the machine's threads, keeps every run's folder (<output>/compare/<mode>-s<seed>, for the
// dashboard to overlay), and summarizes them as the paper does. A run folder that already holds
// the same finished run is reused and an interrupted one resumed, so a stopped comparison can be
// started again without redoing what is done.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { OctetError } from '../errors';
import { readSyntheticNote } from '../fixtures/synthetic-note';
import { writeFileAtomic, writeJsonAtomic } from '../fs/atomic';
import type { GemmBackend } from '../kernels/backend';
import { metricGreaterIsBetter } from '../manifest/task-metrics';
import type { Manifest } from '../manifest/types';
import { PRECISION_MODES, type PrecisionMode } from '../nn/precision';
import type { EvalEvent, RunEvent } from '../train/events';
import { RunFolder } from '../train/run-folder';
import { train } from '../train/trainer';
import { formatCompareMarkdown } from './format';
import { compareDir, runManifest } from './run-manifest';
import { summarizeModes } from './summarize';
import { COMPARE_FORMAT_VERSION, type CompareRun, type CompareSummary } from './types';

export interface CompareOptions {
  modes: readonly PrecisionMode[];
  /** Number of seeds: the manifest's train.seed, then the next ones. */
  seeds: number;
  log?: (line: string) => void;
}

export function checkModes(modes: readonly string[]): PrecisionMode[] {
  if (modes.length === 0) throw new OctetError('invalid-argument', 'give at least one precision mode to compare');
  for (const m of modes) {
    if (!(PRECISION_MODES as readonly string[]).includes(m)) throw new OctetError('invalid-argument', `unknown precision mode "${m}" (${PRECISION_MODES.join(', ')})`);
  }
  if (new Set(modes).size !== modes.length) throw new OctetError('invalid-argument', `a mode is listed twice: ${modes.join(',')}`);
  return modes as PrecisionMode[];
}

/** Metrics (with the eval loss) of the best evaluation and of the last one. */
function evalResults(events: readonly RunEvent[]): { best: EvalEvent; last: EvalEvent } | null {
  const evals = events.filter((e): e is EvalEvent => e.type === 'eval');
  const best = evals.filter((e) => e.best).at(-1);
  return best ? { best, last: evals.at(-1)! } : null;
}

const withLoss = (e: EvalEvent): Record<string, number> => ({ ...e.metrics, loss: e.loss });

/** The saved manifest snapshot (run.create writes it) equals the one this run would use. */
function sameRun(run: RunFolder, m: Manifest): boolean {
  try {
    const saved: unknown = JSON.parse(readFileSync(path.join(run.root, 'manifest.json'), 'utf8'));
    return isDeepStrictEqual(withLaterDefaults(saved), JSON.parse(JSON.stringify(m)));
  } catch {
    return false;
  }
}

/**
 * A snapshot written before a setting existed, with the value its run used: without it a run
 * folder from an older Octet would count as one "made with other settings".
 */
function withLaterDefaults(saved: unknown): unknown {
  const precision = (saved as { precision?: unknown } | null)?.precision;
  if (precision && typeof precision === 'object' && !('outlierExponent' in precision)) {
    // Before the setting, the outliers always took their own exponent.
    (precision as Record<string, unknown>).outlierExponent = 'own';
  }
  return saved;
}

/** Wall time of a finished run from its first to its last event (what a reused run took). */
function recordedMs(events: readonly RunEvent[]): number {
  const times = events.map((e) => (e as { time?: number }).time).filter((t): t is number => typeof t === 'number');
  return times.length < 2 ? 0 : Math.round(times[times.length - 1] - times[0]);
}

/**
 * Trains (or resumes, or reuses) one mode and seed of the comparison into its run folder. `octet
 * compare --parallel` runs these in child processes, then summarizes the finished folders.
 */
export async function runComparisonRun(manifest: Manifest, backend: GemmBackend, mode: PrecisionMode, seed: number, log: (l: string) => void): Promise<CompareRun> {
  const m = runManifest(manifest, mode, seed);
  const run = new RunFolder(m.output);
  let origin: CompareRun['origin'] = 'trained';
  let elapsedMs = 0;
  let events = await run.events();
  const finished = events.at(-1)?.type === 'end' && (events.at(-1) as { state: string }).state === 'completed';
  if (run.hasHistory() && !sameRun(run, m)) {
    throw new OctetError('invalid-argument', 'holds a run made with other settings; remove it or set another "output" to compare again', { file: run.root });
  }
  if (finished) {
    origin = 'reused';
    elapsedMs = recordedMs(events);
  } else {
    origin = run.hasHistory() ? 'resumed' : 'trained';
    const t0 = performance.now();
    const r = await train(m, backend, { resume: origin === 'resumed', log });
    elapsedMs = Math.round(performance.now() - t0);
    if (r.state !== 'completed') throw new OctetError('cancelled', `the ${mode} run with seed ${seed} did not finish`, { file: run.root });
    events = await run.events();
  }
  const results = evalResults(events);
  if (!results) throw new OctetError('invalid-argument', 'the run has no evaluation to compare', { file: run.root });
  const steps = events.filter((e) => e.type === 'train').at(-1)?.step ?? 0;
  return {
    mode, seed, runDir: run.root, origin, steps, elapsedMs,
    metrics: withLoss(results.best), bestStep: results.best.step, finalMetrics: withLoss(results.last),
  };
}

export async function compareModes(manifest: Manifest, backend: GemmBackend, o: CompareOptions): Promise<CompareSummary> {
  const log = o.log ?? (() => {});
  const modes = checkModes(o.modes);
  if (!Number.isInteger(o.seeds) || o.seeds < 1) throw new OctetError('invalid-argument', `the number of seeds must be a positive integer, got ${o.seeds}`);
  if (!manifest.data.eval) {
    throw new OctetError('invalid-argument', 'comparing modes needs evaluation data: set data.eval', { file: manifest.manifestPath, field: 'data.eval' });
  }
  const startedAt = new Date().toISOString();
  const seeds = Array.from({ length: o.seeds }, (_, i) => manifest.train.seed + i);
  const dir = compareDir(manifest);
  await mkdir(dir, { recursive: true });
  const runs: CompareRun[] = [];
  const total = modes.length * seeds.length;
  // Seed-major order: a comparison stopped halfway still has every mode for the first seeds.
  for (const seed of seeds) {
    for (const mode of modes) {
      log(`[${runs.length + 1}/${total}] ${mode}, seed ${seed}`);
      const r = await runComparisonRun(manifest, backend, mode, seed, (l) => log(`  ${l}`));
      const value = r.metrics[manifest.train.metricForBestModel];
      log(`  ${r.origin === 'reused' ? 'reused the finished run' : `${r.origin} in ${(r.elapsedMs / 1000).toFixed(1)} s`}: ${manifest.train.metricForBestModel} ${value?.toFixed(4)} (best at step ${r.bestStep}) -> ${r.runDir}`);
      runs.push(r);
    }
  }
  const primary = manifest.train.metricForBestModel;
  const { byMode, gapClosed } = summarizeModes(runs, modes, primary, metricGreaterIsBetter(primary));
  const summary: CompareSummary = {
    format: 'octet-compare', version: COMPARE_FORMAT_VERSION,
    manifestPath: manifest.manifestPath, modelDir: manifest.model, synthetic: readSyntheticNote(manifest.model),
    task: manifest.task.type, primaryMetric: primary, greaterIsBetter: metricGreaterIsBetter(primary),
    modes, seeds, runs, byMode, gapClosed, startedAt, finishedAt: new Date().toISOString(),
  };
  await writeJsonAtomic(path.join(dir, 'summary.json'), summary);
  await writeFileAtomic(path.join(dir, 'summary.md'), formatCompareMarkdown(summary) + '\n');
  return summary;
}

