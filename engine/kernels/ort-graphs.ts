// The ONNX graphs behind the onnxruntime backend. Each is a shape family (symbolic M, K, N, C):
// one session serves every shape. Activations enter as uint8 with zero point 128 (x + 128), the
// operand order that onnxruntime's fast VNNI kernels take (../shared/notes/performance-facts.md).
// Dequantization, bias and the outlier combine are fused into the same graph so no elementwise
// pass over the output runs in JS.
import { GraphSpec, MS_DOMAIN, NodeSpec, ValueSpec } from './onnx-graph';
import type { MatmulLayout } from './backend';

/**
 * 'u8s8': uint8 activations x int8 weights, exact on CPUs with VNNI (or ARM dot products).
 * 'u8u8': both operands uint8 with zero point 128: slower, but exact on AVX2-only CPUs where the
 * u8s8 kernel's pairwise int16 step can saturate (255 * 127 * 2 > 32767).
 */
export type IntPath = 'u8s8' | 'u8u8';

const v = (name: string, type: ValueSpec['type'], shape: (number | string)[]): ValueSpec => ({ name, type, shape });

const ZERO_POINTS = [
  { name: 'zp128', type: 'uint8' as const, dims: [], values: [128] },
  { name: 'one', type: 'float' as const, dims: [], values: [1] },
  { name: 'c64', type: 'int32' as const, dims: [], values: [64] },
];

/** The B operand's element type and zero point for a path. */
function bOperand(path: IntPath): { type: 'int8' | 'uint8'; zp: string } {
  return path === 'u8u8' ? { type: 'uint8', zp: 'zp128' } : { type: 'int8', zp: '' };
}

function node(op: string, inputs: string[], outputs: string[], extra: Partial<NodeSpec> = {}): NodeSpec {
  return { op, inputs, outputs, ...extra };
}

function mmi(a: string, b: string, out: string, aZp: string, bZp: string): NodeSpec {
  const inputs = bZp ? [a, b, aZp, bZp] : aZp ? [a, b, aZp] : [a, b];
  return node('MatMulInteger', inputs, [out]);
}

function mmitf(a: string, b: string, aScale: string, bScale: string, out: string, aZp: string, bZp: string, bias?: string): NodeSpec {
  const inputs = [a, b, aScale, bScale, aZp, bZp];
  if (bias) inputs.push(bias);
  return node('MatMulIntegerToFloat', inputs, [out], { domain: MS_DOMAIN });
}

export function int8MatmulGraph(layout: MatmulLayout, path: IntPath): GraphSpec {
  const b = bOperand(path);
  const aShape = layout === 'TN' ? ['K', 'M'] : ['M', 'K'];
  const bShape = layout === 'NT' ? ['N', 'K'] : ['K', 'N'];
  const nodes: NodeSpec[] = [];
  let a = 'A';
  let bb = 'B';
  if (layout === 'TN') nodes.push(node('Transpose', ['A'], ['At'])), (a = 'At');
  if (layout === 'NT') nodes.push(node('Transpose', ['B'], ['Bt'])), (bb = 'Bt');
  nodes.push(mmi(a, bb, 'C', 'zp128', b.zp));
  return {
    name: `int8-matmul-${layout}-${path}`,
    inputs: [v('A', 'uint8', aShape), v('B', b.type, bShape)],
    outputs: [v('C', 'int32', ['M', 'N'])],
    nodes,
    constants: ZERO_POINTS,
  };
}

export interface ForwardGraphOptions {
  path: IntPath;
  /** Activation exponents per row: the scale is applied after the GEMM, then the bias. */
  perRowX: boolean;
  outliers: boolean;
  /** Output the integer accumulators instead of the float result (verification). */
  parts: boolean;
}

/**
 * Y = MMITF(x, W^T) * s_x s_w + b  [+ MMITF(H, W_C^T) * 64 s_out s_w + MMITF(L, W_C^T) * s_out s_w].
 * The parts differ in scale by powers of two that can be large, so they are combined in float,
 * never by shifting int32 into int32. The `parts` variant outputs the exact integer
 * accumulators instead (64 * H W_C^T + L W_C^T combined in int32: exact while
 * C <= MAX_OUTLIER_COLUMNS).
 */
export function linearForwardGraph(o: ForwardGraphOptions): GraphSpec {
  const b = bOperand(o.path);
  const inputs: ValueSpec[] = [
    v('x', 'uint8', ['M', 'K']),
    v('w', b.type, ['N', 'K']),
    v('sx', 'float', o.perRowX ? ['M', 1] : []),
    v('sw', 'float', ['SW']),
    v('bias', 'float', ['N']),
  ];
  const nodes: NodeSpec[] = [node('Transpose', ['w'], ['wt'])];
  const outputs: ValueSpec[] = [];
  if (o.parts) {
    nodes.push(mmi('x', 'wt', 'inlier', 'zp128', b.zp));
    outputs.push(v('inlier', 'int32', ['M', 'N']));
  } else if (o.perRowX) {
    nodes.push(mmitf('x', 'wt', 'one', 'sw', 'yRaw', 'zp128', b.zp));
    nodes.push(node('Mul', ['yRaw', 'sx'], ['yScaled']), node('Add', ['yScaled', 'bias'], ['yIn']));
  } else {
    nodes.push(mmitf('x', 'wt', 'sx', 'sw', 'yIn', 'zp128', b.zp, 'bias'));
  }
  if (o.outliers) {
    inputs.push(v('hi', 'uint8', ['M', 'C']), v('lo', 'uint8', ['M', 'C']), v('cols', 'int64', ['C']), v('sOutW', 'float', ['SW']), v('sOutW64', 'float', ['SW']));
    nodes.push(node('Gather', ['w', 'cols'], ['wc'], { attrs: { axis: 1 } }), node('Transpose', ['wc'], ['wct']));
    if (o.parts) {
      nodes.push(
        mmi('hi', 'wct', 'accHi', 'zp128', b.zp),
        mmi('lo', 'wct', 'accLo', '', b.zp),
        node('Mul', ['accHi', 'c64'], ['accHi64']),
        node('Add', ['accHi64', 'accLo'], ['outlier']),
      );
      outputs.push(v('outlier', 'int32', ['M', 'N']));
    } else {
      // Each outlier product comes out of MatMulIntegerToFloat already scaled (64 s_out s_w for
      // hi, s_out s_w for lo), and one Sum adds the three: the fewest passes over [M x N].
      nodes.push(
        mmitf('hi', 'wct', 'one', 'sOutW64', 'yHi', 'zp128', b.zp),
        mmitf('lo', 'wct', 'one', 'sOutW', 'yLo', '', b.zp),
        node('Sum', ['yIn', 'yHi', 'yLo'], ['y']),
      );
    }
  } else if (!o.parts) {
    nodes.push(node('Identity', ['yIn'], ['y']));
  }
  if (!o.parts) outputs.push(v('y', 'float', ['M', 'N']));
  return {
    name: `linear-forward-${o.path}${o.perRowX ? '-rowx' : ''}${o.outliers ? '-outliers' : ''}${o.parts ? '-parts' : ''}`,
    inputs: o.parts ? inputs.filter((i) => !['sx', 'sw', 'bias', 'sOutW', 'sOutW64'].includes(i.name)) : inputs,
    outputs,
    nodes,
    constants: ZERO_POINTS,
  };
}

/**
 * The int8-outlier forward folded into one GEMM (outlier-fold.ts): X' = [x | Tile(hi) | Tile(lo)],
 * W' = [w | Tile(W_C) | Tile(W_C)] (the same column order on both sides), then
 * Y = MMITF(X', W'^T) * s_x s_w + b. The `parts` variant outputs the exact int32 accumulator.
 */
export function foldedForwardGraph(path: IntPath, parts: boolean): GraphSpec {
  const b = bOperand(path);
  const inputs: ValueSpec[] = [
    v('x', 'uint8', ['M', 'K']), v('w', b.type, ['N', 'K']),
    v('hi', 'uint8', ['M', 'C']), v('lo', 'uint8', ['M', 'C']), v('cols', 'int64', ['C']),
    v('hiRepeats', 'int64', [2]), v('loRepeats', 'int64', [2]),
  ];
  const nodes: NodeSpec[] = [
    node('Tile', ['hi', 'hiRepeats'], ['hiTiled']),
    node('Tile', ['lo', 'loRepeats'], ['loTiled']),
    node('Concat', ['x', 'hiTiled', 'loTiled'], ['xFolded'], { attrs: { axis: 1 } }),
    node('Gather', ['w', 'cols'], ['wc'], { attrs: { axis: 1 } }),
    node('Tile', ['wc', 'hiRepeats'], ['wcHi']),
    node('Tile', ['wc', 'loRepeats'], ['wcLo']),
    node('Concat', ['w', 'wcHi', 'wcLo'], ['wFolded'], { attrs: { axis: 1 } }),
    node('Transpose', ['wFolded'], ['wt']),
  ];
  if (parts) {
    nodes.push(mmi('xFolded', 'wt', 'acc', 'zp128', b.zp));
    return { name: `linear-forward-folded-${path}-parts`, inputs, outputs: [v('acc', 'int32', ['M', 'N'])], nodes, constants: ZERO_POINTS };
  }
  inputs.push(v('sx', 'float', []), v('sw', 'float', ['SW']), v('bias', 'float', ['N']));
  nodes.push(mmitf('xFolded', 'wt', 'sx', 'sw', 'y', 'zp128', b.zp, 'bias'));
  return { name: `linear-forward-folded-${path}`, inputs, outputs: [v('y', 'float', ['M', 'N'])], nodes, constants: ZERO_POINTS };
}

/** dX = MMITF(dY, W) * s_dy s_w, optionally scaled per row of dY afterwards. */
export function gradInputGraph(path: IntPath, perRowDy: boolean): GraphSpec {
  const b = bOperand(path);
  const nodes: NodeSpec[] = perRowDy
    ? [mmitf('dy', 'w', 'one', 'sw', 'raw', 'zp128', b.zp), node('Mul', ['raw', 'sdy'], ['dx'])]
    : [mmitf('dy', 'w', 'sdy', 'sw', 'dx', 'zp128', b.zp)];
  return {
    name: `grad-input-${path}${perRowDy ? '-rowdy' : ''}`,
    inputs: [v('dy', 'uint8', ['M', 'N']), v('w', b.type, ['N', 'K']), v('sdy', 'float', perRowDy ? ['M', 1] : []), v('sw', 'float', [])],
    outputs: [v('dx', 'float', ['M', 'K'])],
    nodes,
    constants: ZERO_POINTS,
  };
}

/**
 * dW = MMITF(dY^T, X) * s_dy s_x, [N x K]; with outliers also the [N x C] outlier-column part
 * s_dy s_out (dY^T (64 H + L)), which the caller adds into columns C.
 */
export function gradWeightGraph(path: IntPath, outliers: boolean): GraphSpec {
  const b = bOperand(path);
  const inputs: ValueSpec[] = [v('dy', 'uint8', ['M', 'N']), v('x', b.type, ['M', 'K']), v('s', 'float', [])];
  const outputs: ValueSpec[] = [v('dw', 'float', ['N', 'K'])];
  const nodes: NodeSpec[] = [node('Transpose', ['dy'], ['dyt']), mmitf('dyt', 'x', 's', 'one', 'dw', 'zp128', b.zp)];
  if (outliers) {
    inputs.push(v('hi', b.type, ['M', 'C']), v('lo', b.type, ['M', 'C']), v('sOut', 'float', []));
    outputs.push(v('dwOut', 'float', ['N', 'C']));
    nodes.push(
      mmi('dyt', 'hi', 'accHi', 'zp128', b.zp),
      mmi('dyt', 'lo', 'accLo', 'zp128', b.zp),
      node('Mul', ['accHi', 'c64'], ['accHi64']),
      node('Add', ['accHi64', 'accLo'], ['acc']),
      node('Cast', ['acc'], ['accF'], { attrs: { to: 1 } }),
      node('Mul', ['accF', 'sOut'], ['dwOut']),
    );
  }
  return { name: `grad-weight-${path}${outliers ? '-outliers' : ''}`, inputs, outputs, nodes, constants: ZERO_POINTS };
}

export function f32MatmulGraph(layout: MatmulLayout, withBias: boolean): GraphSpec {
  const aShape = layout === 'TN' ? ['K', 'M'] : ['M', 'K'];
  const bShape = layout === 'NT' ? ['N', 'K'] : ['K', 'N'];
  const inputs = [v('A', 'float', aShape), v('B', 'float', bShape)];
  if (withBias) inputs.push(v('bias', 'float', ['N']));
  return {
    name: `f32-matmul-${layout}${withBias ? '-bias' : ''}`,
    inputs,
    outputs: [v('C', 'float', ['M', 'N'])],
    nodes: [
      node('Gemm', withBias ? ['A', 'B', 'bias'] : ['A', 'B'], ['C'], {
        attrs: { transA: layout === 'TN' ? 1 : 0, transB: layout === 'NT' ? 1 : 0 },
      }),
    ],
  };
}

/** Batched float product for attention: A [B x M x K] times B [B x K x N] (or its transpose). */
export function f32BatchedMatmulGraph(transB: boolean): GraphSpec {
  const nodes: NodeSpec[] = transB
    ? [node('Transpose', ['B'], ['Bt'], { attrs: { perm: [0, 2, 1] } }), node('MatMul', ['A', 'Bt'], ['C'])]
    : [node('MatMul', ['A', 'B'], ['C'])];
  return {
    name: `f32-batched-matmul${transB ? '-tb' : ''}`,
    inputs: [v('A', 'float', ['BATCH', 'M', 'K']), v('B', 'float', transB ? ['BATCH', 'N', 'K'] : ['BATCH', 'K', 'N'])],
    outputs: [v('C', 'float', ['BATCH', 'M', 'N'])],
    nodes,
  };
}

/** LLM.int8()-style: int8 GEMM with row and column scales, plus an fp32 GEMM over the outlier columns. */
export function llmInt8Graph(withOutliers: boolean): GraphSpec {
  const inputs = [
    v('xq', 'uint8', ['M', 'K']),
    v('xScale', 'float', ['M', 1]),
    v('wq', 'int8', ['N', 'K']),
    v('wScale', 'float', ['N']),
    v('bias', 'float', ['N']),
  ];
  const nodes: NodeSpec[] = [
    node('Transpose', ['wq'], ['wt']),
    mmitf('xq', 'wt', 'one', 'wScale', 'raw', 'zp128', ''),
    node('Mul', ['raw', 'xScale'], ['yInt']),
  ];
  if (withOutliers) {
    inputs.push(v('xo', 'float', ['M', 'C']), v('wo', 'float', ['N', 'C']));
    nodes.push(node('Gemm', ['xo', 'wo', 'bias'], ['yFp'], { attrs: { transB: 1 } }), node('Add', ['yInt', 'yFp'], ['y']));
  } else {
    nodes.push(node('Add', ['yInt', 'bias'], ['y']));
  }
  return { name: `llm-int8${withOutliers ? '-outliers' : ''}`, inputs, outputs: [v('y', 'float', ['M', 'N'])], nodes, constants: ZERO_POINTS };
}
