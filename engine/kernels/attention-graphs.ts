// Multi-head self-attention as onnxruntime graphs: BERT's attention core (after the Q/K/V
// projections, before the output projection), the same math as engine/nn/ops/attention.ts
// (the plain-JS reference the tests hold it to), but multi-threaded and without JS passes for
// the head split, softmax and transposes.
//   S = Q K^T / sqrt(d) + maskBias;  P = softmax(S);  Pd = P * keep / (1 - p);  C = Pd V
import { GraphSpec, NodeSpec, ValueSpec } from './onnx-graph';

const v = (name: string, type: ValueSpec['type'], shape: (number | string)[]): ValueSpec => ({ name, type, shape });
const n = (op: string, inputs: string[], outputs: string[], extra: Partial<NodeSpec> = {}): NodeSpec => ({ op, inputs, outputs, ...extra });

const TO_FLOAT = 1;
const HEADS_FIRST = [0, 2, 1, 3];
const LAST_TWO_SWAPPED = [0, 1, 3, 2];

/** [B*S, H] token rows -> [B, h, S, d]; `shape4` holds [B, S, h, d]. */
function splitHeads(src: string, dst: string): NodeSpec[] {
  return [n('Reshape', [src, 'shape4'], [`${dst}Rows`]), n('Transpose', [`${dst}Rows`], [dst], { attrs: { perm: HEADS_FIRST } })];
}

/** [B, h, S, d] -> [B*S, H]; `shape2` holds [B*S, H]. */
function mergeHeads(src: string, dst: string): NodeSpec[] {
  return [n('Transpose', [src], [`${dst}Rows`], { attrs: { perm: HEADS_FIRST } }), n('Reshape', [`${dst}Rows`, 'shape2'], [dst])];
}

function commonInputs(): ValueSpec[] {
  return [v('shape4', 'int64', [4]), v('shape2', 'int64', [2]), v('scale', 'float', []), v('keepScale', 'float', [])];
}

/**
 * Inputs q, k, v [B*S, H], maskBias [B, 1, 1, S] (0 or -10000), keep [B, h, S, S] (uint8, 1 =
 * kept; all ones without dropout), shapes and scales. Outputs the context [B*S, H] and P.
 */
export function attentionForwardGraph(): GraphSpec {
  return {
    name: 'attention-forward',
    inputs: [
      v('q', 'float', ['T', 'H']), v('k', 'float', ['T', 'H']), v('v', 'float', ['T', 'H']),
      v('maskBias', 'float', ['B', 1, 1, 'S']), v('keep', 'uint8', ['B', 'h', 'S', 'S']), ...commonInputs(),
    ],
    outputs: [v('ctx', 'float', ['T', 'H']), v('probs', 'float', ['B', 'h', 'S', 'S'])],
    nodes: [
      ...splitHeads('q', 'qh'),
      ...splitHeads('k', 'kh'),
      ...splitHeads('v', 'vh'),
      n('Transpose', ['kh'], ['khT'], { attrs: { perm: LAST_TWO_SWAPPED } }),
      n('MatMul', ['qh', 'khT'], ['raw']),
      n('Mul', ['raw', 'scale'], ['scaled']),
      n('Add', ['scaled', 'maskBias'], ['scores']),
      n('Softmax', ['scores'], ['probs'], { attrs: { axis: -1 } }),
      n('Cast', ['keep'], ['keepF'], { attrs: { to: TO_FLOAT } }),
      n('Mul', ['keepF', 'keepScale'], ['keepScaled']),
      n('Mul', ['probs', 'keepScaled'], ['dropped']),
      n('MatMul', ['dropped', 'vh'], ['ctxh']),
      ...mergeHeads('ctxh', 'ctx'),
    ],
  };
}

/** Gradients of the context with respect to q, k and v, from the forward's P and keep-mask. */
export function attentionBackwardGraph(): GraphSpec {
  return {
    name: 'attention-backward',
    inputs: [
      v('dctx', 'float', ['T', 'H']), v('q', 'float', ['T', 'H']), v('k', 'float', ['T', 'H']), v('v', 'float', ['T', 'H']),
      v('probs', 'float', ['B', 'h', 'S', 'S']), v('keep', 'uint8', ['B', 'h', 'S', 'S']), ...commonInputs(),
    ],
    outputs: [v('dq', 'float', ['T', 'H']), v('dk', 'float', ['T', 'H']), v('dv', 'float', ['T', 'H'])],
    nodes: [
      ...splitHeads('dctx', 'dch'),
      ...splitHeads('q', 'qh'),
      ...splitHeads('k', 'kh'),
      ...splitHeads('v', 'vh'),
      n('Cast', ['keep'], ['keepF'], { attrs: { to: TO_FLOAT } }),
      n('Mul', ['keepF', 'keepScale'], ['keepScaled']),
      n('Mul', ['probs', 'keepScaled'], ['dropped']),
      // dV = Pd^T dC;  dPd = dC V^T;  dP = dPd * keep / (1 - p)
      n('Transpose', ['dropped'], ['droppedT'], { attrs: { perm: LAST_TWO_SWAPPED } }),
      n('MatMul', ['droppedT', 'dch'], ['dvh']),
      n('Transpose', ['vh'], ['vhT'], { attrs: { perm: LAST_TWO_SWAPPED } }),
      n('MatMul', ['dch', 'vhT'], ['dDropped']),
      n('Mul', ['dDropped', 'keepScaled'], ['dP']),
      // Softmax backward: dS = P * (dP - sum_j dP_j P_j), then the 1/sqrt(d) scale.
      n('Mul', ['dP', 'probs'], ['dPP']),
      n('ReduceSum', ['dPP', 'lastAxis'], ['rowDot'], { attrs: { keepdims: 1 } }),
      n('Sub', ['dP', 'rowDot'], ['centered']),
      n('Mul', ['probs', 'centered'], ['dScores']),
      n('Mul', ['dScores', 'scale'], ['dRaw']),
      // dQ = dS K;  dK = dS^T Q
      n('MatMul', ['dRaw', 'kh'], ['dqh']),
      n('Transpose', ['dRaw'], ['dRawT'], { attrs: { perm: LAST_TWO_SWAPPED } }),
      n('MatMul', ['dRawT', 'qh'], ['dkh']),
      ...mergeHeads('dqh', 'dq'),
      ...mergeHeads('dkh', 'dk'),
      ...mergeHeads('dvh', 'dv'),
    ],
    constants: [{ name: 'lastAxis', type: 'int64', dims: [1], values: [-1] }],
  };
}
