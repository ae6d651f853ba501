// `octet bench train`: each (size, mode) in a child process (its own peak memory), and the
// PyTorch fp32 peer (Debian's python3-torch, scripts/bench/pytorch_train_step.py) in the same run.
// With --rounds N the whole set runs N times interleaved (peer, then each mode, per round) and the
// table shows each configuration's median round: on a shared machine the load drifts, and
// interleaving spreads the drift over both sides of a ratio instead of one.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { OctetError } from '../errors';
import { formatTable, writeJsonReport } from '../bench/report';
import { PeerResult, runPytorchPeer } from '../bench/pytorch-peer';
import { benchTrainStep, isModelSize, TrainStepResult } from '../bench/train';
import { detectCpuFeatures } from '../kernels/cpu-features';
import { PRECISION_MODES, PrecisionMode } from '../nn/precision';
import { hugePageMallocActive, withHugePageMalloc } from '../perf/allocator-env';
import type { BenchCommandOptions } from './bench-command';

/** The run with the median tokens/s (the upper one of an even count). */
function medianRun<T extends { tokensPerSecond: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.tokensPerSecond - b.tokensPerSecond)[Math.floor(runs.length / 2)];
}

function runOne(size: string, mode: string, steps: number, threads: number): TrainStepResult {
  const r = spawnSync(process.execPath, [process.argv[1], 'bench-train-one', '--size', size, '--mode', mode, '--steps', String(steps), '--threads', String(threads)], { encoding: 'utf8', env: withHugePageMalloc() });
  if (r.status !== 0) throw new OctetError('invalid-argument', `benchmark of ${size}/${mode} failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as TrainStepResult;
}

export async function benchTrainOneCommand(opts: { size: string; mode: string; steps: string; threads: string }): Promise<void> {
  if (!isModelSize(opts.size)) throw new OctetError('invalid-argument', `unknown size ${opts.size}`);
  const r = await benchTrainStep(opts.size, opts.mode as PrecisionMode, Number(opts.steps), Number(opts.threads));
  process.stdout.write(JSON.stringify(r) + '\n');
}

export async function benchTrainCommand(opts: BenchCommandOptions): Promise<void> {
  const sizes = (opts.sizes ?? 'tiny,mini,small').split(',');
  const modes = (opts.modes ?? PRECISION_MODES.join(',')).split(',');
  for (const s of sizes) if (!isModelSize(s)) throw new OctetError('invalid-argument', `unknown size "${s}" (tiny, mini, small, base)`);
  for (const m of modes) if (!(PRECISION_MODES as readonly string[]).includes(m)) throw new OctetError('invalid-argument', `unknown mode "${m}"`);
  const steps = Number(opts.steps ?? 5);
  const threads = Number(opts.threads ?? 2);
  const rounds = Number(opts.rounds ?? 1);
  if (!Number.isInteger(rounds) || rounds < 1) throw new OctetError('invalid-argument', `--rounds must be a positive integer, got "${opts.rounds}"`);
  const log = (l: string): void => void process.stderr.write(l + '\n');
  const cpu = detectCpuFeatures();
  const octetRuns = new Map<string, TrainStepResult[]>();
  const peerRuns = new Map<string, Array<PeerResult | string>>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T): void => void (m.get(k) ?? m.set(k, []).get(k)!).push(v);
  for (let round = 1; round <= rounds; round++) {
    for (const size of sizes) {
      if (opts.pytorch !== false) {
        log(`round ${round}/${rounds}: PyTorch fp32 ${size}...`);
        push(peerRuns, size, runPytorchPeer(size, steps, threads, cpu));
      }
      for (const mode of modes) {
        log(`round ${round}/${rounds}: octet ${size} ${mode}...`);
        push(octetRuns, `${size}/${mode}`, runOne(size, mode, steps, threads));
      }
    }
  }
  const rows = [...octetRuns.values()].map((runs) => medianRun(runs));
  const peers: Record<string, PeerResult | string> = {};
  for (const [size, runs] of peerRuns) {
    const ok = runs.filter((r): r is PeerResult => typeof r === 'object');
    peers[size] = ok.length > 0 ? medianRun(ok) : runs[0];
  }
  const perRound = {
    octet: Object.fromEntries([...octetRuns].map(([k, v]) => [k, v.map((r) => r.tokensPerSecond)])),
    pytorch: Object.fromEntries([...peerRuns].map(([k, v]) => [k, v.map((r) => (typeof r === 'object' ? r.tokensPerSecond : null))])),
  };
  const report = { benchmark: 'train', date: new Date().toISOString(), batch: 32, seq: 128, vocab: 30522, steps, threads, rounds, loadAverage: loadavg(), cpu, hugePageMalloc: hugePageMallocActive(withHugePageMalloc()), rows, pytorch: peers, perRound };
  const outPath = resolve(opts.out ?? 'bench-results/train.json');
  await writeJsonReport(outPath, report);
  if (opts.json) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  const table = formatTable(
    ['size', 'mode', 'tokens/s', 'step ms (p10-p90)', 'vs PyTorch', 'GEMM', 'quantize', 'elementwise (graphs)', 'optimizer', 'peak MB', 'PyTorch MB'],
    rows.map((r) => {
      const peer = peers[r.size];
      const p = typeof peer === 'object' ? peer : null;
      return [
        r.size, r.mode, r.tokensPerSecond, `${r.stepMs} (${r.stepP10Ms}-${r.stepP90Ms})`,
        p ? `${(r.tokensPerSecond / p.tokensPerSecond).toFixed(2)}x` : '-',
        r.breakdown.gemm.toFixed(0), r.breakdown.quantize.toFixed(0), `${r.breakdown.elementwise.toFixed(0)} (${(r.breakdown.normGraphs ?? 0).toFixed(0)})`, r.breakdown.optimizer.toFixed(0),
        r.peakRssMb, p ? p.peakRssMb : '-',
      ];
    }),
  );
  const peerLines = Object.entries(peers).map(([s, p]) => (typeof p === 'object' ? `  ${s}: ${p.tokensPerSecond} tokens/s (torch ${p.torch}, OPENBLAS_CORETYPE=${p.openblasCoretype ?? 'auto'}, ${p.threads} thread${p.threads > 1 ? 's' : ''}, best of 1 and ${threads})` : `  ${s}: ${p}`));
  process.stdout.write(
    `Training step benchmark: batch 32 x sequence 128, vocab 30522, ${threads} onnxruntime threads, median of ${steps} steps` +
      `${rounds > 1 ? `, median of ${rounds} interleaved rounds` : ''}${report.hugePageMalloc ? '; both sides with glibc.malloc.hugetlb=1' : ''}; load average at the end ${report.loadAverage.map((l) => l.toFixed(1)).join(' ')}.\n` +
      `Breakdown columns are median milliseconds per step (element-wise includes the part run as onnxruntime graphs); "vs PyTorch" is tokens/s against PyTorch fp32 measured in this run:\n` +
      `${peerLines.join('\n')}\n\n${table}\n\nJSON written to ${outPath}\n`,
  );
}
