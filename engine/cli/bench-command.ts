// `octet bench <what>`: prints a table for people and writes the JSON next to it for tools.
import { resolve } from 'node:path';
import { OctetError } from '../errors';
import { runGemmBench } from '../bench/gemm';
import { formatTable, writeJsonReport } from '../bench/report';
import { benchExportCommand } from './bench-export-command';
import { benchProfileCommand } from './bench-profile-command';
import { benchTrainCommand } from './bench-train-command';

export interface BenchCommandOptions {
  json?: boolean;
  out?: string;
  rounds?: string;
  threads?: string;
  sizes?: string;
  modes?: string;
  steps?: string;
  pytorch?: boolean;
}

const BENCHES = ['gemm', 'train', 'profile', 'export'] as const;

export async function benchCommand(what: string, opts: BenchCommandOptions): Promise<void> {
  if (!(BENCHES as readonly string[]).includes(what)) {
    throw new OctetError('invalid-argument', `unknown benchmark "${what}" (available: ${BENCHES.join(', ')})`);
  }
  if (what === 'train') return benchTrainCommand(opts);
  if (what === 'profile') return benchProfileCommand(opts);
  if (what === 'export') return benchExportCommand(opts);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const report = await runGemmBench({
    rounds: opts.rounds ? Number(opts.rounds) : undefined,
    threads: opts.threads ? Number(opts.threads) : undefined,
    log,
  });
  const outPath = resolve(opts.out ?? `bench-results/${what}.json`);
  await writeJsonReport(outPath, report);
  if (opts.json) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  const table = formatTable(
    ['pass', 'M x K x N', 'kernel', 'outliers', 'ms (median)', 'p10-p90', 'GOPS', 'vs fp32', 'vs int8'],
    report.rows.map((r) => [
      r.pass,
      r.shape.join('x'),
      r.path && r.kernel === 'int8-outlier' ? `${r.kernel} (${r.path})` : r.kernel,
      r.outlierFraction ? `${(r.outlierFraction * 100).toFixed(1)}% (${r.outlierColumns} col)` : '-',
      r.ms.toFixed(2),
      `${r.p10Ms.toFixed(1)}-${r.p90Ms.toFixed(1)}`,
      r.gops.toFixed(0),
      `${r.speedupVsFp32.toFixed(2)}x`,
      `${r.timeVsInt8.toFixed(2)}x`,
    ]),
  );
  process.stdout.write(
    `GEMM benchmark: ${report.threads} threads, int8 path ${report.intPath}, ${report.cpu.model}, VNNI ${report.cpu.vnni}\n` +
      `Each kernel timed from quantized operands to the float output with bias; ${report.rounds} interleaved rounds.\n` +
      `"vs fp32" = fp32 time / this time (higher is faster); "vs int8" = this time / plain int8 time.\n` +
      `int8-outlier runs the outlier product folded into the int8 GEMM where that pays, else tiled;\n` +
      `int8-outlier-tiled always runs the tiled three-GEMM graph.\n\n` +
      `${table}\n\nJSON written to ${outPath}\n`,
  );
}
