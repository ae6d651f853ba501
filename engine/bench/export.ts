// `octet bench export`: inference of the exported model in onnxruntime, fp32 export against the
// int8 and int8-outlier exports of the same network (a mini BERT, random weights, batch 32 x 128),
// timed in interleaved rounds; plus the files' sizes.
import * as ort from 'onnxruntime-node';
import { parseBertConfig } from '../checkpoint/bert-config';
import { exportBertModel } from '../export/export-model';
import { inferenceSessionOptions } from '../export/onnx-model';
import { ReferenceBackend } from '../kernels/reference';
import { bertConfigJson } from '../model/create-model';
import { BertModel } from '../model/bert-model';
import { Rng } from '../nn/ops/rng';
import { PRECISION_MODES, type PrecisionMode } from '../nn/precision';
import { timeInterleaved } from './timing';

export const EXPORT_BENCH = { size: 'mini', batch: 32, seq: 128, vocab: 30522, numLabels: 2, threshold: 5 } as const;

export interface ExportBenchRow {
  precision: PrecisionMode;
  fileBytes: number;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  sequencesPerSecond: number;
  tokensPerSecond: number;
  /** fp32 export's median time / this one's (higher is faster). */
  speedupVsFp32: number;
  /** This file's size / the fp32 file's. */
  sizeVsFp32: number;
}

function randomBatch(rng: Rng, batch: number, seq: number, vocab: number): Record<string, ort.Tensor> {
  const n = batch * seq;
  const u = new Float32Array(n);
  rng.fillUniform(u);
  const ids = BigInt64Array.from(u, (x, i) => BigInt(i % seq === 0 ? 101 : 1000 + Math.floor(x * (vocab - 1000))));
  const dims = [batch, seq];
  return {
    input_ids: new ort.Tensor('int64', ids, dims),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(n), dims),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), dims),
  };
}

export async function benchExport(rounds: number, threads: number, log: (l: string) => void): Promise<ExportBenchRow[]> {
  const b = EXPORT_BENCH;
  const config = parseBertConfig({ ...bertConfigJson(b.vocab, { size: b.size }), num_labels: b.numLabels }, 'bench-config.json');
  const model = new BertModel(config, 'sequence-classification', new ReferenceBackend(), {
    seed: 1, precisionFor: () => ({ threshold: b.threshold }),
  });
  const feeds = randomBatch(new Rng(2), b.batch, b.seq, b.vocab);
  const sessions = new Map<PrecisionMode, { session: ort.InferenceSession; bytes: number }>();
  try {
    for (const mode of PRECISION_MODES) {
      const bytes = exportBertModel(model, mode).bytes;
      sessions.set(mode, { session: await ort.InferenceSession.create(bytes, inferenceSessionOptions(threads)), bytes: bytes.length });
      log(`exported ${mode}: ${(bytes.length / 2 ** 20).toFixed(1)} MiB`);
    }
    const timings = await timeInterleaved(
      PRECISION_MODES.map((mode) => ({ id: mode, run: () => sessions.get(mode)!.session.run(feeds) })),
      rounds,
    );
    const fp32 = timings.get('fp32')!.medianMs;
    const fp32Bytes = sessions.get('fp32')!.bytes;
    return PRECISION_MODES.map((mode) => {
      const t = timings.get(mode)!;
      const bytes = sessions.get(mode)!.bytes;
      return {
        precision: mode, fileBytes: bytes,
        medianMs: round(t.medianMs), p10Ms: round(t.p10Ms), p90Ms: round(t.p90Ms),
        sequencesPerSecond: Math.round((b.batch * 1000) / t.medianMs),
        tokensPerSecond: Math.round((b.batch * b.seq * 1000) / t.medianMs),
        speedupVsFp32: round(fp32 / t.medianMs, 2), sizeVsFp32: round(bytes / fp32Bytes, 3),
      };
    });
  } finally {
    for (const s of sessions.values()) await s.session.release();
  }
}

function round(x: number, digits = 1): number {
  return Number(x.toFixed(digits));
}
