// Timing helpers for benchmarks. Kernels are timed in interleaved rounds (A B C, A B C, ...)
// so that a noisy neighbour on this shared machine hits every kernel alike and the ratios,
// which are what we report, stay meaningful.

export interface TimingSummary {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  samples: number;
}

export function summarize(samples: number[]): TimingSummary {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
  return { medianMs: at(0.5), p10Ms: at(0.1), p90Ms: at(0.9), samples: s.length };
}

export interface TimedCase {
  id: string;
  run: () => Promise<unknown>;
}

/** Runs `warmup` untimed rounds, then `rounds` interleaved timed rounds; medians per case. */
export async function timeInterleaved(cases: TimedCase[], rounds: number, warmup = 2): Promise<Map<string, TimingSummary>> {
  const samples = new Map<string, number[]>(cases.map((c) => [c.id, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    for (const c of cases) {
      const t0 = performance.now();
      await c.run();
      const dt = performance.now() - t0;
      if (r >= warmup) samples.get(c.id)!.push(dt);
    }
  }
  return new Map([...samples].map(([id, s]) => [id, summarize(s)]));
}
