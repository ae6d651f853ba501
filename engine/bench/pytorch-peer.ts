// The PyTorch fp32 peer of `octet bench train`: Debian's python3-torch running
// scripts/bench/pytorch_train_step.py in a child process, set up the way it runs best here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CpuFeatures } from '../kernels/cpu-features';
import { withHugePageMalloc } from '../perf/allocator-env';

export interface PeerResult {
  size: string;
  threads: number;
  stepMs: number;
  tokensPerSecond: number;
  peakRssMb: number;
  torch: string;
  /** The OpenBLAS kernel family forced for the run; null when OpenBLAS chose on its own. */
  openblasCoretype: string | null;
}

const PYTHON = '/usr/bin/python3';

/**
 * Debian's OpenBLAS 0.3.21 does not recognise newer AVX-512 Xeons (Sapphire Rapids) and falls
 * back to its SSE3 kernels, which made the peer about 2x slower than it really is. On a CPU with
 * AVX-512 we name the kernel family ourselves: Cooperlake (AVX-512 + BF16), else SkylakeX.
 * A coretype already set in the environment wins: the person running the bench chose it.
 */
export function openblasCoretype(cpu: CpuFeatures, env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.OPENBLAS_CORETYPE) return env.OPENBLAS_CORETYPE;
  if (!cpu.avx512) return null;
  return cpu.avx512Bf16 ? 'Cooperlake' : 'SkylakeX';
}

/**
 * The peer's environment: OpenBLAS, OpenMP and torch all on the same number of threads, and the
 * same malloc setting as Octet's runs (allocator-env.ts), so neither side has the other's pages.
 */
export function peerEnv(threads: number, cpu: CpuFeatures, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const coretype = openblasCoretype(cpu, env);
  return {
    ...withHugePageMalloc(env),
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    ...(coretype ? { OPENBLAS_CORETYPE: coretype } : {}),
  };
}

function peerScript(): string | null {
  for (const up of ['..', '../..', '../../..']) {
    const p = path.join(__dirname, up, 'scripts', 'bench', 'pytorch_train_step.py');
    if (existsSync(p)) return path.resolve(p);
  }
  return null;
}

/**
 * The best of PyTorch's 1- and `threads`-thread runs: with 2 threads the small sizes are slower
 * than with 1 here (OpenBLAS's thread handoff costs more than it gains), so the peer gets
 * whichever suits it. Returns an error line instead of throwing: Octet's rows still count.
 */
export function runPytorchPeer(size: string, steps: number, threads: number, cpu: CpuFeatures): PeerResult | string {
  const script = peerScript();
  if (!script) return 'scripts/bench/pytorch_train_step.py not found';
  const runs: PeerResult[] = [];
  for (const t of [...new Set([1, threads])]) {
    const env = peerEnv(t, cpu);
    const r = spawnSync(PYTHON, [script, size, String(t), String(steps)], { encoding: 'utf8', env });
    if (r.status !== 0) return `PyTorch peer failed (is Debian's python3-torch installed?): ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`;
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Omit<PeerResult, 'openblasCoretype'>;
    runs.push({ ...result, openblasCoretype: env.OPENBLAS_CORETYPE ?? null });
  }
  return runs.reduce((a, b) => (b.tokensPerSecond > a.tokensPerSecond ? b : a));
}
