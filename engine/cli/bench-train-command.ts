// `octet bench train`: each (size, mode) in a child process (its own peak memory), and the
// PyTorch fp32 peer (Debian's python3-torch, scripts/bench/pytorch_train_step.py) in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolve } from 'node:path';
import { OctetError } from '../errors';
import { formatTable, writeJsonReport } from '../bench/report';
import { benchTrainStep, isModelSize, TrainStepResult } from '../bench/train';
import { detectCpuFeatures } from '../kernels/cpu-features';
import { PRECISION_MODES, PrecisionMode } from '../nn/precision';
import type { BenchCommandOptions } from './bench-command';

interface PeerResult {
  size: string;
  threads: number;
  stepMs: number;
  tokensPerSecond: number;
  peakRssMb: number;
  torch: string;
}

const PYTHON = '/usr/bin/python3';

function peerScript(): string | null {
  for (const up of ['..', '../..', '../../..']) {
    const p = path.join(__dirname, up, 'scripts', 'bench', 'pytorch_train_step.py');
    if (existsSync(p)) return path.resolve(p);
  }
  return null;
}

/** The best of PyTorch's 1- and 2-thread runs (2 threads is often slower on this machine). */
function runPeer(size: string, steps: number, threads: number): PeerResult | string {
  const script = peerScript();
  if (!script) return 'scripts/bench/pytorch_train_step.py not found';
  const best: PeerResult[] = [];
  for (const t of [...new Set([1, threads])]) {
    const r = spawnSync(PYTHON, [script, size, String(t), String(steps)], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: String(t), OPENBLAS_NUM_THREADS: String(t) },
    });
    if (r.status !== 0) return `PyTorch peer failed (is Debian's python3-torch installed?): ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`;
    best.push(JSON.parse(r.stdout.trim().split('\n').at(-1)!) as PeerResult);
  }
  return best.reduce((a, b) => (b.tokensPerSecond > a.tokensPerSecond ? b : a));
}

function runOne(size: string, mode: string, steps: number, threads: number): TrainStepResult {
  const r = spawnSync(process.execPath, [process.argv[1], 'bench-train-one', '--size', size, '--mode', mode, '--steps', String(steps), '--threads', String(threads)], { encoding: 'utf8' });
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
  const log = (l: string): void => void process.stderr.write(l + '\n');
  const rows: TrainStepResult[] = [];
  const peers: Record<string, PeerResult | string> = {};
  for (const size of sizes) {
    if (opts.pytorch !== false) {
      log(`PyTorch fp32 ${size}...`);
      peers[size] = runPeer(size, steps, threads);
    }
    for (const mode of modes) {
      log(`octet ${size} ${mode}...`);
      rows.push(runOne(size, mode, steps, threads));
    }
  }
  const report = { benchmark: 'train', date: new Date().toISOString(), batch: 32, seq: 128, vocab: 30522, steps, threads, cpu: detectCpuFeatures(), rows, pytorch: peers };
  const outPath = resolve(opts.out ?? 'bench-results/train.json');
  await writeJsonReport(outPath, report);
  if (opts.json) {
    process.stdout.write(JSON.stringify(report) + '\n');
    return;
  }
  const table = formatTable(
    ['size', 'mode', 'tokens/s', 'step ms (p10-p90)', 'vs PyTorch', 'GEMM', 'quantize', 'elementwise', 'optimizer', 'peak MB', 'PyTorch MB'],
    rows.map((r) => {
      const peer = peers[r.size];
      const p = typeof peer === 'object' ? peer : null;
      return [
        r.size, r.mode, r.tokensPerSecond, `${r.stepMs} (${r.stepP10Ms}-${r.stepP90Ms})`,
        p ? `${(r.tokensPerSecond / p.tokensPerSecond).toFixed(2)}x` : '-',
        r.breakdown.gemm.toFixed(0), r.breakdown.quantize.toFixed(0), r.breakdown.elementwise.toFixed(0), r.breakdown.optimizer.toFixed(0),
        r.peakRssMb, p ? p.peakRssMb : '-',
      ];
    }),
  );
  const peerLines = Object.entries(peers).map(([s, p]) => (typeof p === 'object' ? `  ${s}: ${p.tokensPerSecond} tokens/s (torch ${p.torch}, ${p.threads} thread${p.threads > 1 ? 's' : ''}, best of 1 and ${threads})` : `  ${s}: ${p}`));
  process.stdout.write(
    `Training step benchmark: batch 32 x sequence 128, vocab 30522, ${threads} onnxruntime threads, median of ${steps} steps.\n` +
      `Breakdown columns are median milliseconds per step; "vs PyTorch" is tokens/s against PyTorch fp32 measured in this run:\n` +
      `${peerLines.join('\n')}\n\n${table}\n\nJSON written to ${outPath}\n`,
  );
}
