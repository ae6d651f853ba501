// Multi-head self-attention as onnxruntime graphs: BERT's attention core (after the Q/K/V
// projections, before the output projection), the same math as engine/nn/ops/attention.ts
// (the plain-JS reference the tests hold it to), but multi-threaded and without JS passes for
// the head split, softmax and transposes.
//   S = Q K^T / sqrt(d) + maskBias;  P = softmax(S);  Pd = P * keep / (1 - p);  C = Pd V
import { GraphSpec, MS_DOMAIN, NodeSpec, ValueSpec } from './onnx-graph';

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

/**
 * Training's attention graphs: the same math with onnxruntime's FusedMatMul (com.microsoft), whose
 * transpose flags and alpha replace the [B,h,S,S] Transposes and scalings; dropout's 1/(1-p) rides
 * on the products' alpha too, so the 0/1 mask multiplies P as it is (a Where over the mask as bool
 * measured 2x slower than Cast + Mul). `scale` = 1/sqrt(d) and `keepScale` = 1/(1-p) are
 * constants of the graph. The export keeps attentionForwardGraph above: standard operators only.
 */
export interface TrainingAttentionConstants {
  scale: number;
  keepScale: number;
}

function fusedMatMul(a: string, b: string, out: string, o: { transA?: 1; transB?: 1; alpha?: number } = {}): NodeSpec {
  return n('FusedMatMul', [a, b], [out], {
    domain: MS_DOMAIN,
    attrs: { alpha: o.alpha ?? 1, transA: o.transA ?? 0, transB: o.transB ?? 0 },
    floatAttrs: ['alpha'],
  });
}

function trainingInputs(): ValueSpec[] {
  return [v('shape4', 'int64', [4]), v('shape2', 'int64', [2]), v('keep', 'uint8', ['B', 'h', 'S', 'S'])];
}

// DequantizeLinear(keep, 1, 0) is the mask as float: one multi-threaded pass, where Cast measured
// 2 ms per [32 x 4 x 128 x 128] mask.
const MASK_CONSTANTS = [
  { name: 'one', type: 'float' as const, dims: [], values: [1] },
  { name: 'zeroU8', type: 'uint8' as const, dims: [], values: [0] },
];

const constantsName = (c: TrainingAttentionConstants): string => `a${c.scale}-k${c.keepScale}`;

/** Inputs q, k, v [B*S, H], maskBias [B, 1, 1, S], keep [B, h, S, S] (bool), shapes. Outputs ctx and P. */
export function trainingAttentionForwardGraph(c: TrainingAttentionConstants): GraphSpec {
  return {
    name: `attention-forward-training-${constantsName(c)}`,
    inputs: [v('q', 'float', ['T', 'H']), v('k', 'float', ['T', 'H']), v('v', 'float', ['T', 'H']), v('maskBias', 'float', ['B', 1, 1, 'S']), ...trainingInputs()],
    outputs: [v('ctx', 'float', ['T', 'H']), v('probs', 'float', ['B', 'h', 'S', 'S'])],
    constants: MASK_CONSTANTS,
    nodes: [
      ...splitHeads('q', 'qh'),
      ...splitHeads('k', 'kh'),
      ...splitHeads('v', 'vh'),
      fusedMatMul('qh', 'kh', 'scaled', { transB: 1, alpha: c.scale }),
      n('Add', ['scaled', 'maskBias'], ['scores']),
      n('Softmax', ['scores'], ['probs'], { attrs: { axis: -1 } }),
      n('DequantizeLinear', ['keep', 'one', 'zeroU8'], ['keepF']),
      n('Mul', ['probs', 'keepF'], ['kept']),
      fusedMatMul('kept', 'vh', 'ctxh', { alpha: c.keepScale }),
      ...mergeHeads('ctxh', 'ctx'),
    ],
  };
}

/**
 * Gradients of the context with respect to q, k and v, from the forward's P and keep-mask. With
 * K = keep and r = 1/(1-p): dP = r K*(dC V^T), dS = P*dP - P*rowsum(P*dP), and r factors out of
 * dS, so the graph carries dS / r and puts r (with 1/sqrt d) into the last two products' alpha.
 */
export function attentionBackwardGraph(c: TrainingAttentionConstants): GraphSpec {
  return {
    name: `attention-backward-${constantsName(c)}`,
    inputs: [
      v('dctx', 'float', ['T', 'H']), v('q', 'float', ['T', 'H']), v('k', 'float', ['T', 'H']), v('v', 'float', ['T', 'H']),
      v('probs', 'float', ['B', 'h', 'S', 'S']), ...trainingInputs(),
    ],
    outputs: [v('dq', 'float', ['T', 'H']), v('dk', 'float', ['T', 'H']), v('dv', 'float', ['T', 'H'])],
    nodes: [
      ...splitHeads('dctx', 'dch'),
      ...splitHeads('q', 'qh'),
      ...splitHeads('k', 'kh'),
      ...splitHeads('v', 'vh'),
      n('DequantizeLinear', ['keep', 'one', 'zeroU8'], ['keepF']),
      n('Mul', ['probs', 'keepF'], ['kept']),
      fusedMatMul('kept', 'dch', 'dvh', { transA: 1, alpha: c.keepScale }),
      fusedMatMul('dch', 'vh', 'dKept', { transB: 1 }),
      // P*(dP/r) = (P*K)*dKept: the kept probabilities stand in for the mask, so the mask has one
      // reader (onnxruntime copies a DequantizeLinear per reader) and dP itself is never formed.
      n('Mul', ['kept', 'dKept'], ['dPP']),
      n('ReduceSum', ['dPP', 'lastAxis'], ['rowDot'], { attrs: { keepdims: 1 } }),
      n('Mul', ['probs', 'rowDot'], ['pRowDot']),
      // dS / r = P*(dP/r) - P*rowDot
      n('Sub', ['dPP', 'pRowDot'], ['dSr']),
      fusedMatMul('dSr', 'kh', 'dqh', { alpha: c.scale * c.keepScale }),
      fusedMatMul('dSr', 'qh', 'dkh', { transA: 1, alpha: c.scale * c.keepScale }),
      ...mergeHeads('dqh', 'dq'),
      ...mergeHeads('dkh', 'dk'),
      ...mergeHeads('dvh', 'dv'),
    ],
    constants: [...MASK_CONSTANTS, { name: 'lastAxis', type: 'int64', dims: [1], values: [-1] }],
  };
}
