// `octet export`: the fine-tuned model (a run's final model or a checkpoint) as an ONNX file with
// its sidecar. The network is set up exactly as `octet eval` sets it up (same setup code, same
// per-layer precision from the manifest), then written as one graph (bert-graph.ts).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { OctetError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import { ReferenceBackend } from '../kernels/reference';
import { buildModel } from '../kernels/onnx-graph';
import type { Manifest } from '../manifest/types';
import type { BertModel } from '../model/bert-model';
import type { PrecisionMode } from '../nn/precision';
import { loadSquadModel } from '../squad/setup';
import { setupRun } from '../train/setup';
import { buildBertGraph, EXPORT_OPSET, GRAPH_INPUTS, type ExportHead } from './bert-graph';
import type { ExportLinear } from './linear-nodes';
import { sidecarPath, writeSidecar, type ExportSidecar, type LayerExportInfo } from './sidecar';

export interface ExportedGraph {
  bytes: Uint8Array;
  head: ExportHead;
  operators: string[];
  layers: Record<string, LayerExportInfo>;
}

/** The model as ONNX bytes; `precision` replaces every linear layer's mode (the rest of its settings stay). */
export function exportBertModel(model: BertModel, precision?: PrecisionMode): ExportedGraph {
  if (model.head === 'masked-lm') throw new OctetError('unsupported', 'export covers classification, regression and question-answering models, not masked-LM pretraining');
  const head: ExportHead = model.head;
  const layers: Record<string, LayerExportInfo> = {};
  const linear = (name: string): ExportLinear => {
    const l = model.linear(name);
    const p = precision ? { ...l.precision, mode: precision } : l.precision;
    layers[name] = p.mode === 'int8-outlier' ? { mode: p.mode, threshold: p.threshold, thresholdUnits: p.thresholdUnits, outlierExponent: p.outlierExponent } : { mode: p.mode };
    return { name, inFeatures: l.inFeatures, outFeatures: l.outFeatures, weight: l.weight, bias: l.bias, precision: p };
  };
  const graph = buildBertGraph({ config: model.config, head, param: (name) => model.param(name).data, linear });
  return { bytes: buildModel(graph.spec), head, operators: graph.opTypes, layers };
}

export interface ExportRequest {
  manifest: Manifest;
  /** The fine-tuned model folder (config.json, model.safetensors, tokenizer files). */
  modelDir: string;
  onnxFile: string;
  precision?: PrecisionMode;
}

export interface ExportResult {
  onnxFile: string;
  sidecarFile: string;
  bytes: number;
  operators: string[];
  notes: string[];
}

export async function exportModel(r: ExportRequest): Promise<ExportResult> {
  const { manifest, modelDir } = r;
  if (!r.onnxFile.endsWith('.onnx')) throw new OctetError('invalid-argument', `the output file must end in .onnx: ${r.onnxFile}`);
  const onnxFile = path.resolve(r.onnxFile);
  // Building the model computes nothing: the plain-JS backend is enough.
  const backend = new ReferenceBackend();
  const { model, notes, labels } = await loadModel(manifest, backend, modelDir);
  const g = exportBertModel(model, r.precision);
  // onnxruntime's load checks the graph: every node's operator and types, and shape inference
  // over the whole graph; a graph it refuses is never written.
  const session = await ort.InferenceSession.create(g.bytes).catch((e: unknown) => {
    throw new Error(`onnxruntime refused the exported graph (a bug in the export): ${(e as Error).message}`);
  });
  await session.release();
  const c = model.config;
  const sidecar: ExportSidecar = {
    format: 'octet-onnx-export', version: 1,
    onnx: path.basename(onnxFile), opset: EXPORT_OPSET,
    precision: r.precision ?? 'manifest',
    task: manifest.task.type, head: g.head,
    inputs: GRAPH_INPUTS.map((name) => ({ name, type: 'int64', shape: ['batch', 'seq'] })),
    output: g.head === 'question-answering'
      ? { name: 'logits', shape: ['batch*seq', 2], meaning: 'start and end logit of every token, padding included' }
      : { name: 'logits', shape: ['batch', c.numLabels], meaning: manifest.task.type === 'regression' ? 'the predicted value' : 'one logit per label, in the order of labels' },
    maxSeqLength: manifest.train.maxSeqLength, maxPositionEmbeddings: c.maxPositionEmbeddings,
    batchSize: manifest.train.batchSize,
    labels, layers: g.layers, operators: g.operators,
    source: path.resolve(modelDir),
  };
  await mkdir(path.dirname(onnxFile), { recursive: true });
  await writeFileAtomic(onnxFile, g.bytes);
  await writeSidecar(onnxFile, sidecar, c, modelDir);
  return { onnxFile, sidecarFile: sidecarPath(onnxFile), bytes: g.bytes.length, operators: g.operators, notes };
}

async function loadModel(manifest: Manifest, backend: ReferenceBackend, modelDir: string): Promise<{ model: BertModel; notes: string[]; labels: string[] }> {
  switch (manifest.task.type) {
    case 'squad': {
      const s = await loadSquadModel(manifest, backend, modelDir);
      return { model: s.model, notes: s.notes, labels: [] };
    }
    case 'mlm':
      throw new OctetError('unsupported', 'export covers classification, regression and squad models, not mlm pretraining', { file: manifest.manifestPath, field: 'task.type' });
    default: {
      const s = await setupRun(manifest, backend, { modelDir, loadTrain: false, loadEval: false });
      return { model: s.model, notes: s.notes, labels: s.task === 'classification' ? s.id2label : [] };
    }
  }
}
