// The whole fine-tuned network as one ONNX graph, computing what BertModel.forward(batch, false)
// computes: embeddings, the encoder layers (post-LayerNorm), and the task head. Linear layers
// are integer (linear-nodes.ts); embeddings, LayerNorm, softmax, GELU, tanh and attention's two
// batched products (Q K^T and P V) stay float32, as they are in Octet's own integer inference
// (method.md section 2; attention runs the graph in engine/kernels/attention-graphs.ts, inlined
// here). The int8 activation scales are per tensor, i.e. per batch: a row's result depends on the
// batch it is run in, as in Octet; run the same batches to get the same numbers.
import type { BertConfig } from '../checkpoint/bert-config';
import { OctetError } from '../errors';
import { attentionForwardGraph } from '../kernels/attention-graphs';
import type { GraphSpec, ValueSpec } from '../kernels/onnx-graph';
import { ATTENTION_MASK_BIAS } from '../nn/ops/attention';
import { GraphBuilder } from './graph-builder';
import { inlineGraph } from './inline-graph';
import { addLinear, addLinearGroup, type ExportLinear } from './linear-nodes';

/** 18: ReduceMax with axes as an input (the fused linear graph) and LayerNormalization (17). */
export const EXPORT_OPSET = 18;

export type ExportHead = 'sequence-classification' | 'question-answering';

export interface BertGraphParts {
  config: BertConfig;
  head: ExportHead;
  /** Float parameters by Octet name (embeddings, LayerNorm). */
  param(name: string): Float32Array;
  /** The linear layers by name (e.g. encoder.layer.0.attention.self.query), precision resolved. */
  linear(name: string): ExportLinear;
}

export const GRAPH_INPUTS = ['input_ids', 'token_type_ids', 'attention_mask'] as const;

export interface BertGraph {
  spec: GraphSpec;
  opTypes: string[];
}

const TO_FLOAT = 1;

export function buildBertGraph(p: BertGraphParts): BertGraph {
  const c = p.config;
  const h = c.hiddenSize;
  const heads = c.numAttentionHeads;
  if (h % heads !== 0) throw new OctetError('invalid-argument', `hidden size ${h} is not a multiple of ${heads} heads`);
  const d = h / heads;
  const g = new GraphBuilder();
  const param = (name: string, dims: number[]): string => g.constant(name, 'float', dims, p.param(name));
  const i64 = (name: string, values: number[]): string => g.constant(name, 'int64', [values.length], values);

  // Embeddings: (word + token type) + position, in Octet's order of float32 additions.
  const shapeBS = g.node('Shape', ['input_ids'], ['shapeBS']);
  const seqLen = g.node('Gather', [shapeBS, g.scalar('one_i64', 1, 'int64')], ['seqLen'], { attrs: { axis: 0 } });
  const positions = g.node('Range', [g.scalar('zero_i64', 0, 'int64'), seqLen, 'one_i64'], ['positions']);
  const word = g.node('Gather', [param('embeddings.word_embeddings.weight', [c.vocabSize, h]), 'input_ids'], ['wordEmb']);
  const type = g.node('Gather', [param('embeddings.token_type_embeddings.weight', [c.typeVocabSize, h]), 'token_type_ids'], ['typeEmb']);
  const pos = g.node('Gather', [param('embeddings.position_embeddings.weight', [c.maxPositionEmbeddings, h]), positions], ['posEmb']);
  const wordType = g.node('Add', [word, type], ['wordType']);
  const embSum = g.node('Add', [wordType, pos], ['embSum']);
  const rows = g.node('Reshape', [embSum, i64('shapeRows', [-1, h])], ['embRows']);
  const layerNorm = (x: string, prefix: string, out: string): string =>
    g.node('LayerNormalization', [x, param(`${prefix}.weight`, [h]), param(`${prefix}.bias`, [h])], [out], {
      attrs: { axis: -1, epsilon: c.layerNormEps }, floatAttrs: ['epsilon'],
    });
  let x = layerNorm(rows, 'embeddings.LayerNorm', 'embeddings');

  // Attention's inputs: the key-padding bias [B,1,1,S] (0 or -10000 as Octet's), no dropout.
  const maskF = g.node('Cast', ['attention_mask'], ['maskF'], { attrs: { to: TO_FLOAT } });
  const notMask = g.node('Sub', [g.scalar('oneF', 1), maskF], ['notMask']);
  const bias2 = g.node('Mul', [notMask, g.scalar('maskBias', ATTENTION_MASK_BIAS)], ['maskBias2']);
  const maskBias = g.node('Unsqueeze', [bias2, i64('axes12', [1, 2])], ['maskBias4']);
  const shape4 = g.node('Concat', [shapeBS, i64('headsAndDim', [heads, d])], ['shape4'], { attrs: { axis: 0 } });
  const attnInputs = {
    maskBias, shape4, shape2: 'shapeRows',
    scale: g.scalar('attentionScale', 1 / Math.sqrt(d)),
    keep: g.constant('keepAll', 'uint8', [1, 1, 1, 1], [1]),
    keepScale: 'oneF',
  };

  for (let i = 0; i < c.numHiddenLayers; i++) {
    const pre = `encoder.layer.${i}`;
    const lin = (name: string, input: string): string => addLinear(g, p.linear(`${pre}.${name}`), input);
    const [q, k, v] = addLinearGroup(g, ['query', 'key', 'value'].map((n) => p.linear(`${pre}.attention.self.${n}`)), x);
    const ctx = g.add(inlineGraph(attentionForwardGraph(), { prefix: `${pre}.attention`, inputs: { q, k, v, ...attnInputs }, outputs: ['ctx'] })).ctx;
    const ao = lin('attention.output.dense', ctx);
    const res1 = g.node('Add', [ao, x], [`${pre}/res1`]);
    const h1 = layerNorm(res1, `${pre}.attention.output.LayerNorm`, `${pre}/h1`);
    const inter = lin('intermediate.dense', h1);
    const act = gelu(g, inter, `${pre}/gelu`);
    const o = lin('output.dense', act);
    const res2 = g.node('Add', [o, h1], [`${pre}/res2`]);
    x = layerNorm(res2, `${pre}.output.LayerNorm`, `${pre}/out`);
  }

  let logits: string;
  let outShape: (string | number)[];
  if (p.head === 'question-answering') {
    // Start and end logits of every token, padding included: [batch*seq x 2], as BertModel's.
    logits = addLinear(g, p.linear('qa_outputs'), x);
    outShape = ['tokens', 2];
  } else {
    // The pooler reads [CLS], each sequence's first token.
    const shapeBSH = g.node('Concat', [shapeBS, i64('hidden', [h])], ['shapeBSH'], { attrs: { axis: 0 } });
    const seqs = g.node('Reshape', [x, shapeBSH], ['sequences']);
    const cls = g.node('Gather', [seqs, 'zero_i64'], ['cls'], { attrs: { axis: 1 } });
    const pooledPre = addLinear(g, p.linear('pooler.dense'), cls);
    const pooled = g.node('Tanh', [pooledPre], ['pooled']);
    logits = addLinear(g, p.linear('classifier'), pooled);
    outShape = ['batch', c.numLabels];
  }
  g.node('Identity', [logits], ['logits']);
  const ids = (name: string): ValueSpec => ({ name, type: 'int64', shape: ['batch', 'seq'] });
  const spec = g.build(`octet-bert-${p.head}`, GRAPH_INPUTS.map(ids), [{ name: 'logits', type: 'float', shape: outShape }], EXPORT_OPSET);
  return { spec, opTypes: g.opTypes() };
}

/** BERT's exact GELU: x * 0.5 * (1 + erf(x / sqrt 2)) (onnxruntime fuses it into one kernel). */
function gelu(g: GraphBuilder, x: string, p: string): string {
  const scaled = g.node('Div', [x, g.scalar('sqrt2', Math.SQRT2)], [`${p}/scaled`]);
  const erf = g.node('Erf', [scaled], [`${p}/erf`]);
  const onePlus = g.node('Add', [erf, 'oneF'], [`${p}/onePlus`]);
  const half = g.node('Mul', [x, g.scalar('half', 0.5)], [`${p}/half`]);
  return g.node('Mul', [half, onePlus], [`${p}/out`]);
}
