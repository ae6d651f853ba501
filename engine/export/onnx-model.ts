// An exported model run by onnxruntime-node, with the same forward(batch) as BertModel so
// evaluation and prediction (engine/train, engine/squad) score it with the same code.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { readBertConfig, type BertConfig } from '../checkpoint/bert-config';
import { OctetError } from '../errors';
import type { TokenBatch } from '../model/batch';
import type { InferenceModel } from '../model/inference-model';
import { readSidecar, resolveOnnxPath, type ExportSidecar } from './sidecar';

export interface OnnxModelOptions {
  /** Intra-op threads; every core by default. */
  threads?: number;
}

/** Session settings as the engine's own backend uses them (ort-backend.ts). */
export function inferenceSessionOptions(threads?: number): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  };
}

export class OnnxBertModel implements InferenceModel {
  private constructor(
    readonly onnxFile: string,
    readonly folder: string,
    readonly sidecar: ExportSidecar,
    readonly config: BertConfig,
    private readonly session: ort.InferenceSession,
  ) {}

  /** `fileOrFolder`: the .onnx, or the folder octet export wrote it into. */
  static async load(fileOrFolder: string, o: OnnxModelOptions = {}): Promise<OnnxBertModel> {
    const onnxFile = resolveOnnxPath(fileOrFolder);
    const sidecar = readSidecar(onnxFile);
    const folder = path.dirname(onnxFile);
    const config = await readBertConfig(path.join(folder, 'config.json'));
    const session = await ort.InferenceSession.create(onnxFile, inferenceSessionOptions(o.threads)).catch((e: unknown) => {
      throw new OctetError('malformed-file', `onnxruntime cannot load it: ${(e as Error).message.split('\n')[0]}`, { file: onnxFile });
    });
    return new OnnxBertModel(onnxFile, folder, sidecar, config, session);
  }

  async forward(b: TokenBatch): Promise<Float32Array> {
    const dims = [b.batch, b.seq];
    const i64 = (a: ArrayLike<number>): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(Array.from(a, BigInt)), dims);
    const out = await this.session.run({
      input_ids: i64(b.inputIds),
      token_type_ids: i64(b.tokenTypeIds),
      attention_mask: i64(b.attentionMask),
    });
    return out.logits.data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
