// Synthetic training runs, outlier profiles and comparisons for the dashboard tests. Deterministic
// (seeded), shaped like the real thing: a decaying noisy loss with a spike, warm-up then linear
// decay of the learning rate, one evaluation per epoch.

import type { ComparisonRow, LayerProfile, RunEvent, RunSummary } from '../../../webview/protocol';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface SyntheticRunOptions {
  mode: 'fp32' | 'int8' | 'int8-outlier';
  seed?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Stop after this many steps (the run is still running). */
  stopAt?: number;
  startTime?: number;
}

/** Metric quality per mode: int8 loses ~2.5 F1 points, int8-outlier recovers most of it. */
const QUALITY: Record<SyntheticRunOptions['mode'], number> = { fp32: 0, int8: -0.025, 'int8-outlier': -0.004 };

export function syntheticRun(options: SyntheticRunOptions): RunEvent[] {
  const epochs = options.epochs ?? 3;
  const perEpoch = options.stepsPerEpoch ?? 200;
  const total = epochs * perEpoch;
  const stop = Math.min(options.stopAt ?? total, total);
  const seed = options.seed ?? 1;
  const rand = rng(seed * 7919 + options.mode.length);
  const t0 = options.startTime ?? Date.UTC(2025, 2, 4, 13, 0, 0);
  const msPerStep = options.mode === 'fp32' ? 240 : 180;
  const events: RunEvent[] = [];
  events.push({
    type: 'start',
    step: 0,
    epoch: 0,
    time: t0,
    totalSteps: total,
    mode: options.mode,
    task: 'mrpc',
    resumedFrom: null,
    trainExamples: 3668,
    evalExamples: 408,
    truncated: 12,
  });
  const q = QUALITY[options.mode];
  const warmup = Math.round(total * 0.1);
  for (let step = 1; step <= stop; step++) {
    const epoch = step / perEpoch;
    const progress = step / total;
    const base = 0.18 + 0.52 * Math.exp(-progress * 3.2) - q * 2;
    const spike = step === Math.round(total * 0.37) ? 0.9 : 0;
    const loss = Math.max(0.02, base + (rand() - 0.5) * 0.22 + spike);
    const lr = step <= warmup ? (2e-5 * step) / warmup : 2e-5 * Math.max(0, (total - step) / (total - warmup));
    const tps = (options.mode === 'fp32' ? 3100 : 4200) * (0.92 + rand() * 0.16);
    const time = t0 + step * msPerStep;
    events.push({
      type: 'train',
      step,
      epoch,
      time,
      loss,
      learningRate: lr,
      gradNorm: 1 + rand(),
      tokensPerSecond: tps,
      etaMs: (total - step) * msPerStep,
    });
    if (step % perEpoch === 0) {
      const e = step / perEpoch;
      const f1 = 0.84 + 0.025 * e + q + (rand() - 0.5) * 0.004;
      const accuracy = f1 - 0.055 + (rand() - 0.5) * 0.004;
      events.push({
        type: 'eval',
        step,
        epoch,
        time: time + 900,
        loss: 0.46 - 0.035 * e - q * 2,
        metrics: { accuracy, f1 },
        best: true,
      });
      events.push({ type: 'checkpoint', step, epoch, time: time + 1200, path: `checkpoints/step-${step}` });
    }
    if (step === Math.round(total * 0.5)) {
      events.push({
        type: 'outliers',
        step,
        epoch,
        time,
        layers: [
          { name: 'bert.encoder.layer.10.output.dense', maxAbs: 61.2, outlierCount: 1840, outlierColumns: [308, 381, 77], rows: 4096 },
          { name: 'bert.encoder.layer.3.attention.self.query', maxAbs: 4.1, outlierCount: 0, outlierColumns: [], rows: 4096 },
        ],
      });
    }
  }
  if (stop === total) {
    const last = events.filter((e) => e.type === 'eval').pop();
    events.push({
      type: 'end',
      step: total,
      epoch: epochs,
      time: t0 + total * msPerStep + 2000,
      state: 'completed',
      metrics: last && last.type === 'eval' ? last.metrics : undefined,
    });
  }
  return events;
}

export function syntheticRuns(): { runs: RunSummary[]; events: Map<string, RunEvent[]> } {
  const specs: { runId: string; label: string; mode: SyntheticRunOptions['mode']; start: number; stopAt?: number }[] = [
    { runId: 'run-fp32', label: 'mrpc-fp32-s1', mode: 'fp32', start: Date.UTC(2025, 2, 4, 9, 0) },
    { runId: 'run-int8', label: 'mrpc-int8-s1', mode: 'int8', start: Date.UTC(2025, 2, 4, 10, 0) },
    { runId: 'run-int8-outlier', label: 'mrpc-int8-outlier-s1', mode: 'int8-outlier', start: Date.UTC(2025, 2, 4, 11, 0), stopAt: 480 },
  ];
  const events = new Map<string, RunEvent[]>();
  const runs: RunSummary[] = specs.map((s) => {
    const ev = syntheticRun({ mode: s.mode, seed: 1, startTime: s.start, stopAt: s.stopAt });
    events.set(s.runId, ev);
    const end = ev.find((e) => e.type === 'end');
    return {
      runId: s.runId,
      label: s.label,
      mode: s.mode,
      task: 'mrpc',
      state: end && end.type === 'end' ? end.state : 'running',
      startedAt: s.start,
      endedAt: end?.time,
      seed: 1,
      metrics: end && end.type === 'end' ? end.metrics : undefined,
    };
  });
  return { runs, events };
}

/** 12 layers of BERT-base-like stats; the FFN output projections of blocks 10 and 11 are heavy. */
export function syntheticProfile(): LayerProfile[] {
  const rand = rng(42);
  const out: LayerProfile[] = [];
  for (let block = 0; block < 6; block++) {
    for (const part of ['attention.self.query', 'output.dense']) {
      const heavy = part === 'output.dense' && block >= 4;
      const columns = heavy
        ? [
            { column: 308, count: 900 + Math.round(rand() * 300) },
            { column: 381, count: 400 + Math.round(rand() * 200) },
            { column: 77, count: 60 },
            { column: 590, count: 25 },
          ]
        : block % 2 === 1
          ? [{ column: 308, count: 3 }]
          : [];
      out.push({
        name: `bert.encoder.layer.${block * 2}.${part}`,
        maxAbs: heavy ? 40 + rand() * 30 : 3 + rand() * 4,
        std: 0.4 + rand() * 0.4,
        kurtosis: heavy ? 180 + rand() * 120 : 3 + rand() * 6,
        outlierFraction: heavy ? 0.0021 + rand() * 0.001 : columns.length > 0 ? 0.000004 : 0,
        outlierColumns: columns,
        inputColumns: part === 'output.dense' ? 3072 : 768,
        sqnrInt8Db: heavy ? 14 + rand() * 4 : 31 + rand() * 3,
        sqnrTiledDb: heavy ? 33 + rand() * 3 : 31.5 + rand() * 3,
        verdict: heavy ? 'outlier-heavy' : 'ok',
        recommendedMode: heavy ? 'int8-outlier' : 'int8',
      });
    }
  }
  return out;
}

export function syntheticComparison(): ComparisonRow[] {
  const fp32 = { f1: 0.9012, accuracy: 0.8593 };
  const int8 = { f1: 0.8771, accuracy: 0.8311 };
  const outlier = { f1: 0.8968, accuracy: 0.8548 };
  const rows: ComparisonRow[] = [];
  for (const metric of ['f1', 'accuracy'] as const) {
    const f = fp32[metric];
    const i = int8[metric];
    for (const [mode, mean, std, runId] of [
      ['fp32', f, 0.0031, 'run-fp32'],
      ['int8', i, 0.0062, 'run-int8'],
      ['int8-outlier', outlier[metric], 0.0035, 'run-int8-outlier'],
    ] as const) {
      rows.push({
        mode,
        metric,
        mean,
        std,
        seeds: [1, 2, 3],
        gapToFp32: mean - f,
        gapClosed: mode === 'fp32' ? 1 : (mean - i) / (f - i),
        runIds: [runId],
      });
    }
  }
  return rows;
}
