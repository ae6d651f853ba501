// `octet bench profile`: the profiler's speed on a mini BERT over 8 batches (engine/bench/profile.ts).
import { resolve } from 'node:path';
import { benchProfile, PROFILE_BENCH } from '../bench/profile';
import { formatTable, writeJsonReport } from '../bench/report';
import { detectCpuFeatures } from '../kernels/cpu-features';
import type { BenchCommandOptions } from './bench-command';
import { parseCount } from './parse-count';

export async function benchProfileCommand(opts: BenchCommandOptions): Promise<void> {
  const rounds = parseCount(opts.rounds ?? '3', '--rounds', 1);
  const threads = parseCount(opts.threads ?? '2', '--threads', 1);
  process.stderr.write(`profiling a mini BERT over ${PROFILE_BENCH.batches} batches, ${rounds} timed rounds...\n`);
  const r = await benchProfile(rounds, threads);
  const report = { benchmark: 'profile', date: new Date().toISOString(), ...PROFILE_BENCH, cpu: detectCpuFeatures(), result: r };
  const outPath = resolve(opts.out ?? 'bench-results/profile.json');
  await writeJsonReport(outPath, report);
  if (opts.json) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  const table = formatTable(
    ['model', 'batches', 'tokens', 'profile ms (p10-p90)', 'fp32 forward ms', 'profile / forward', 'tokens/s', 'verdict'],
    [[
      `mini (SYNTHETIC outliers in dims ${PROFILE_BENCH.dims.join(',')})`, `${PROFILE_BENCH.batches} x ${PROFILE_BENCH.batch}x${PROFILE_BENCH.seq}`, r.tokens,
      `${r.profileMs} (${r.profileP10Ms}-${r.profileP90Ms})`, r.forwardMs, `${(r.profileMs / r.forwardMs).toFixed(2)}x`, r.tokensPerSecond,
      `${r.verdict} (${r.outlierHeavyLayers} layers)`,
    ]],
  );
  process.stdout.write(
    `Profiler benchmark: ${threads} onnxruntime threads, median of ${rounds} rounds after a warm-up round.\n` +
      `"fp32 forward" is the same 8 forward passes without the profiler: the floor any profile pays.\n\n${table}\n\nJSON written to ${outPath}\n`,
  );
}
