// `octet bench profile`: how long `octet profile` takes on a mini BERT (4 layers, 256 hidden,
// 1024 feed-forward, vocab 30522) over 8 calibration batches of 32 x 128 tokens, next to the bare
// fp32 forward passes it cannot avoid. The model gets SYNTHETIC planted outliers so the tiled
// SQNR products run too (a random model has none, which would skip them).
import { parseBertConfig } from '../checkpoint/bert-config';
import { plantOutliers } from '../fixtures/plant-outliers';
import { OrtBackend } from '../kernels/ort-backend';
import type { TokenBatch } from '../model/batch';
import { BertModel } from '../model/bert-model';
import { bertConfigJson } from '../model/create-model';
import { Rng } from '../nn/ops/rng';
import { profileModel } from '../profile/profile-model';
import { summarize } from './timing';

export const PROFILE_BENCH = { size: 'mini', batches: 8, batch: 32, seq: 128, vocab: 30522, dims: [40, 200], gain: 20 } as const;

export interface ProfileBenchResult {
  threads: number;
  rounds: number;
  /** Median wall time of profileModel over the 8 batches. */
  profileMs: number;
  profileP10Ms: number;
  profileP90Ms: number;
  /** Median time of the same 8 fp32 forward passes without the profiler. */
  forwardMs: number;
  tokens: number;
  tokensPerSecond: number;
  outlierHeavyLayers: number;
  verdict: string;
}

function batches(): TokenBatch[] {
  const rng = new Rng(5);
  const { batch, seq } = PROFILE_BENCH;
  const n = batch * seq;
  return Array.from({ length: PROFILE_BENCH.batches }, () => ({
    batch, seq,
    inputIds: Int32Array.from({ length: n }, (_, i) => (i % seq === 0 ? 101 : i % seq === seq - 1 ? 102 : 1000 + (rng.nextU32() % 29000))),
    tokenTypeIds: new Int32Array(n),
    attentionMask: new Uint8Array(n).fill(1),
  }));
}

export async function benchProfile(rounds: number, threads: number): Promise<ProfileBenchResult> {
  const backend = await OrtBackend.create({ threads });
  try {
    const config = parseBertConfig({ ...bertConfigJson(PROFILE_BENCH.vocab, { size: PROFILE_BENCH.size }), id2label: { 0: 'a', 1: 'b' } }, 'mini-config.json');
    const model = new BertModel(config, 'sequence-classification', backend, { precisionFor: () => ({ mode: 'int8-outlier' }), seed: 1 });
    const planted = plantOutliers(config, new Map([...model.params].map(([k, p]) => [k, { data: p.data, shape: p.shape }])), { dims: PROFILE_BENCH.dims, gain: PROFILE_BENCH.gain, head: 'sequence-classification' });
    model.loadTensors(planted.tensors);
    const data = batches();
    const vocab = Array.from({ length: PROFILE_BENCH.vocab }, (_, i) => `#${i}`);
    const profileTimes: number[] = [];
    const forwardTimes: number[] = [];
    let last = null;
    for (let r = 0; r < rounds + 1; r++) {
      const t0 = performance.now();
      last = await profileModel(model, { batches: data, vocab, criteria: { sqnrGapDb: 6 }, threshold: { gamma: 5, units: 'absolute' } });
      const t1 = performance.now();
      for (const l of model.linears.values()) l.precision = { ...l.precision, mode: 'fp32' };
      for (const b of data) await model.forward(b, false);
      for (const l of model.linears.values()) l.precision = { ...l.precision, mode: 'int8-outlier' };
      const t2 = performance.now();
      if (r === 0) continue; // warm-up: onnxruntime builds its sessions
      profileTimes.push(t1 - t0);
      forwardTimes.push(t2 - t1);
    }
    const p = summarize(profileTimes);
    const tokens = PROFILE_BENCH.batches * PROFILE_BENCH.batch * PROFILE_BENCH.seq;
    return {
      threads, rounds,
      profileMs: Math.round(p.medianMs), profileP10Ms: Math.round(p.p10Ms), profileP90Ms: Math.round(p.p90Ms),
      forwardMs: Math.round(summarize(forwardTimes).medianMs),
      tokens, tokensPerSecond: Math.round((tokens * 1000) / p.medianMs),
      outlierHeavyLayers: last!.outlierHeavyLayers.length, verdict: last!.verdict,
    };
  } finally {
    await backend.dispose();
  }
}
