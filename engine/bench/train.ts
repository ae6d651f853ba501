// `octet bench train`: a fine-tuning step (forward, backward, AdamW) of a BERT classifier at
// batch 32 x sequence 128, vocab 30522, per size and precision mode, with where its time goes.
// Each configuration runs in its own process so its peak memory is its own.
import { parseBertConfig } from '../checkpoint/bert-config';
import { OrtBackend } from '../kernels/ort-backend';
import { BertModel } from '../model/bert-model';
import { bertConfigJson, MODEL_SIZES, ModelSize } from '../model/create-model';
import type { PrecisionMode } from '../nn/precision';
import { Rng } from '../nn/ops/rng';
import { AdamW } from '../optim/adamw';
import { startStepTiming, stopStepTiming, timedBackend } from '../perf/step-timer';
import { lossAndGrad } from '../train/task-head';
import { summarize } from './timing';

export const BENCH_BATCH = 32;
export const BENCH_SEQ = 128;
export const BENCH_VOCAB = 30522;

export interface TrainStepResult {
  size: ModelSize;
  mode: PrecisionMode;
  threads: number;
  steps: number;
  stepMs: number;
  stepP10Ms: number;
  stepP90Ms: number;
  tokensPerSecond: number;
  /** Median milliseconds per step in each part. */
  /** elementwise includes normGraphs, the part of it that runs in onnxruntime graphs. */
  breakdown: { gemm: number; quantize: number; optimizer: number; elementwise: number; normGraphs: number };
  peakRssMb: number;
}

export async function benchTrainStep(size: ModelSize, mode: PrecisionMode, steps: number, threads: number, spinning = false): Promise<TrainStepResult> {
  const backend = await OrtBackend.create({ threads, spinning });
  const config = parseBertConfig({ ...bertConfigJson(BENCH_VOCAB, { size }), id2label: { 0: 'a', 1: 'b' } }, `${size}-config.json`);
  const model = new BertModel(config, 'sequence-classification', timedBackend(backend), { precisionFor: () => ({ mode }), seed: 1 });
  const rng = new Rng(5);
  const n = BENCH_BATCH * BENCH_SEQ;
  const inputIds = Int32Array.from({ length: n }, (_, i) => (i % BENCH_SEQ === 0 ? 101 : 1000 + (rng.nextU32() % 29000)));
  const batch = { batch: BENCH_BATCH, seq: BENCH_SEQ, inputIds, tokenTypeIds: new Int32Array(n), attentionMask: new Uint8Array(n).fill(1) };
  const labels = Float32Array.from({ length: BENCH_BATCH }, (_, i) => i % 2);
  const optimizer = new AdamW([...model.params.values()], { lr: 1e-5 });
  const totals: number[] = [];
  const parts = { gemm: [] as number[], quantize: [] as number[], optimizer: [] as number[], elementwise: [] as number[], normGraphs: [] as number[] };
  const warmup = 2;
  for (let s = 0; s < warmup + steps; s++) {
    startStepTiming();
    const t0 = performance.now();
    const logits = await model.forward(batch, true);
    await model.backward(lossAndGrad('classification', logits, labels, 2).dLogits, true);
    const t1 = performance.now();
    optimizer.step();
    model.zeroGrad();
    const t2 = performance.now();
    const buckets = stopStepTiming();
    if (s < warmup) continue;
    const gemm = buckets.get('gemm') ?? 0;
    const quantize = buckets.get('quantize') ?? 0;
    totals.push(t2 - t0);
    parts.gemm.push(gemm);
    parts.quantize.push(quantize);
    parts.optimizer.push(t2 - t1);
    parts.elementwise.push(t1 - t0 - gemm - quantize);
    parts.normGraphs.push(buckets.get('normGraphs') ?? 0);
  }
  await backend.dispose();
  const t = summarize(totals);
  const med = (a: number[]): number => Math.round(summarize(a).medianMs * 10) / 10;
  return {
    size, mode, threads, steps,
    stepMs: Math.round(t.medianMs), stepP10Ms: Math.round(t.p10Ms), stepP90Ms: Math.round(t.p90Ms),
    tokensPerSecond: Math.round((n * 1000) / t.medianMs),
    breakdown: { gemm: med(parts.gemm), quantize: med(parts.quantize), optimizer: med(parts.optimizer), elementwise: med(parts.elementwise), normGraphs: med(parts.normGraphs) },
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

export function isModelSize(s: string): s is ModelSize {
  return s in MODEL_SIZES;
}
