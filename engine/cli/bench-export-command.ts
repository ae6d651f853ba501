// `octet bench export`: the exported model's inference speed and size (engine/bench/export.ts).
import { resolve } from 'node:path';
import { benchExport, EXPORT_BENCH } from '../bench/export';
import { formatTable, writeJsonReport } from '../bench/report';
import { detectCpuFeatures } from '../kernels/cpu-features';
import type { BenchCommandOptions } from './bench-command';
import { parseCount } from './parse-count';

export async function benchExportCommand(opts: BenchCommandOptions): Promise<void> {
  const rounds = parseCount(opts.rounds ?? '10', '--rounds', 1);
  const threads = parseCount(opts.threads ?? '2', '--threads', 1);
  const log = (l: string): void => void process.stderr.write(`${l}\n`);
  const rows = await benchExport(rounds, threads, log);
  const report = { benchmark: 'export', date: new Date().toISOString(), ...EXPORT_BENCH, threads, rounds, cpu: detectCpuFeatures(), rows };
  const outPath = resolve(opts.out ?? 'bench-results/export.json');
  await writeJsonReport(outPath, report);
  if (opts.json) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  const table = formatTable(
    ['export', 'file MiB', 'size vs fp32', 'ms / batch (median)', 'p10-p90', 'sequences/s', 'tokens/s', 'speed vs fp32'],
    rows.map((r) => [
      r.precision, (r.fileBytes / 2 ** 20).toFixed(1), `${r.sizeVsFp32.toFixed(3)}x`, r.medianMs.toFixed(1),
      `${r.p10Ms.toFixed(1)}-${r.p90Ms.toFixed(1)}`, r.sequencesPerSecond, r.tokensPerSecond, `${r.speedupVsFp32.toFixed(2)}x`,
    ]),
  );
  const b = EXPORT_BENCH;
  process.stdout.write(
    `Export benchmark: ${b.size} BERT (random weights), batch ${b.batch} x ${b.seq}, onnxruntime ${threads} threads, ` +
      `graph optimization 'all', ${rounds} interleaved rounds after 2 warm-up rounds.\n` +
      `Random weights put few activations above the outlier threshold ${b.threshold}: int8-outlier shows the split's overhead, not a heavy outlier load.\n` +
      `"speed vs fp32" = fp32 export's time / this export's time (higher is faster).\n\n${table}\n\nJSON written to ${outPath}\n`,
  );
}
