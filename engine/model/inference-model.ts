// What evaluation and prediction need from a model: a config and a forward pass over a padded
// batch. BertModel is one; an exported ONNX model run by onnxruntime (engine/export) is another,
// so `octet eval` and `octet predict` score both with the same code.
import type { BertConfig } from '../checkpoint/bert-config';
import type { TokenBatch } from './batch';

export interface InferenceModel {
  readonly config: BertConfig;
  /** Logits, laid out as BertModel.forward's (see there); `training` false for inference. */
  forward(b: TokenBatch, training: boolean): Promise<Float32Array>;
}
