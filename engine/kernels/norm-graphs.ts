// The encoder layer's element-wise work as onnxruntime graphs: dropout + residual add + LayerNorm
// (forward and backward) and GELU. The same math as engine/nn/ops (layernorm.ts, dropout.ts,
// gelu.ts: the plain-JS references the tests hold these to), but in native multi-threaded
// passes: in single-threaded JS these passes took about a third of a training step.
// The dropout keep-mask comes from JS (the seeded generator), so runs stay reproducible.
import { GraphSpec, MS_DOMAIN, NodeSpec, ValueSpec } from './onnx-graph';

const v = (name: string, type: ValueSpec['type'], shape: (number | string)[]): ValueSpec => ({ name, type, shape });
const n = (op: string, inputs: string[], outputs: string[], extra: Partial<NodeSpec> = {}): NodeSpec => ({ op, inputs, outputs, ...extra });

const TO_FLOAT = 1;
const OPSET = 18;
const CONSTANTS = [
  { name: 'lastAxis', type: 'int64' as const, dims: [1], values: [-1] },
  { name: 'rowsAxis', type: 'int64' as const, dims: [1], values: [0] },
];

/** a * keep * keepScale: inverted dropout with the mask drawn in JS (dropout.ts). */
function applyKeep(src: string, dst: string): NodeSpec[] {
  return [
    n('Cast', ['keep'], [`${dst}KeepF`], { attrs: { to: TO_FLOAT } }),
    n('Mul', [`${dst}KeepF`, 'keepScale'], [`${dst}KeepScaled`]),
    n('Mul', [src, `${dst}KeepScaled`], [dst]),
  ];
}

export interface ResidualNormOptions {
  /** With a keep-mask input (training with dropout > 0); without, dropout is the identity. */
  dropout: boolean;
}

/**
 * Inputs a, residual [M,H], gamma, beta [H], eps (and keep uint8 [M,H], keepScale). Outputs
 * sum = dropout(a) + residual, y = LayerNorm(sum), and the row statistics mean, rstd [M,1].
 * Two passes for the variance (mean, then squared deviations) as layernorm.ts does, rather than
 * onnxruntime's LayerNormalization, which takes E[x^2] - E[x]^2 in float32 and cancels when
 * |mean| >> std.
 */
export function residualNormForwardGraph(o: ResidualNormOptions): GraphSpec {
  const inputs = [v('a', 'float', ['M', 'H']), v('residual', 'float', ['M', 'H']), v('gamma', 'float', ['H']), v('beta', 'float', ['H']), v('eps', 'float', [])];
  if (o.dropout) inputs.push(v('keep', 'uint8', ['M', 'H']), v('keepScale', 'float', []));
  return {
    name: `residual-norm-forward${o.dropout ? '-dropout' : ''}`,
    inputs,
    outputs: [v('y', 'float', ['M', 'H']), v('sum', 'float', ['M', 'H']), v('mean', 'float', ['M', 1]), v('rstd', 'float', ['M', 1])],
    nodes: [
      ...(o.dropout ? applyKeep('a', 'dropped') : [n('Identity', ['a'], ['dropped'])]),
      n('Add', ['dropped', 'residual'], ['sum']),
      n('ReduceMean', ['sum', 'lastAxis'], ['mean']),
      n('Sub', ['sum', 'mean'], ['centred']),
      n('Mul', ['centred', 'centred'], ['squares']),
      n('ReduceMean', ['squares', 'lastAxis'], ['variance']),
      n('Add', ['variance', 'eps'], ['varianceEps']),
      n('Sqrt', ['varianceEps'], ['std']),
      n('Reciprocal', ['std'], ['rstd']),
      n('Mul', ['centred', 'rstd'], ['xhat']),
      n('Mul', ['xhat', 'gamma'], ['scaled']),
      n('Add', ['scaled', 'beta'], ['y']),
    ],
    constants: CONSTANTS,
    opset: OPSET,
  };
}

export interface ResidualNormBackwardOptions extends ResidualNormOptions {
  /** A second gradient arriving at the LayerNorm's output (the residual fork), summed first. */
  twoGradients: boolean;
}

/**
 * Inputs dOut [M,H] (and dOut2), the forward's sum, mean, rstd, gamma (and keep, keepScale).
 * Outputs dSum (the gradient at the residual sum, which the residual branch takes as is),
 * dGamma, dBeta [H] for the caller to accumulate, and with dropout dA = dropout'(dSum).
 *   xhat = (sum - mean) rstd;  g = dOut gamma;
 *   dSum = rstd (g - mean(g) - xhat mean(g xhat));  dGamma = sum_rows dOut xhat;  dBeta = sum_rows dOut
 */
export function residualNormBackwardGraph(o: ResidualNormBackwardOptions): GraphSpec {
  const inputs = [
    v('dOut', 'float', ['M', 'H']), v('sum', 'float', ['M', 'H']), v('mean', 'float', ['M', 1]), v('rstd', 'float', ['M', 1]), v('gamma', 'float', ['H']),
  ];
  if (o.twoGradients) inputs.push(v('dOut2', 'float', ['M', 'H']));
  if (o.dropout) inputs.push(v('keep', 'uint8', ['M', 'H']), v('keepScale', 'float', []));
  const outputs = [v('dSum', 'float', ['M', 'H']), v('dGamma', 'float', ['H']), v('dBeta', 'float', ['H'])];
  if (o.dropout) outputs.push(v('dA', 'float', ['M', 'H']));
  return {
    name: `residual-norm-backward${o.dropout ? '-dropout' : ''}${o.twoGradients ? '-two' : ''}`,
    inputs,
    outputs,
    nodes: [
      o.twoGradients ? n('Add', ['dOut', 'dOut2'], ['d']) : n('Identity', ['dOut'], ['d']),
      n('Sub', ['sum', 'mean'], ['centred']),
      n('Mul', ['centred', 'rstd'], ['xhat']),
      n('Mul', ['d', 'gamma'], ['g']),
      n('ReduceMean', ['g', 'lastAxis'], ['meanG']),
      n('Mul', ['g', 'xhat'], ['gx']),
      n('ReduceMean', ['gx', 'lastAxis'], ['meanGX']),
      n('Mul', ['xhat', 'meanGX'], ['xhatMeanGX']),
      n('Sub', ['g', 'meanG'], ['gCentred']),
      n('Sub', ['gCentred', 'xhatMeanGX'], ['dNorm']),
      n('Mul', ['dNorm', 'rstd'], ['dSum']),
      n('Mul', ['d', 'xhat'], ['dxhat']),
      n('ReduceSum', ['dxhat', 'rowsAxis'], ['dGamma'], { attrs: { keepdims: 0 } }),
      n('ReduceSum', ['d', 'rowsAxis'], ['dBeta'], { attrs: { keepdims: 0 } }),
      ...(o.dropout ? applyKeep('dSum', 'dA') : []),
    ],
    constants: CONSTANTS,
    opset: OPSET,
  };
}

/**
 * Exact (erf) GELU, onnxruntime's com.microsoft Gelu: 0.5 x (1 + erf(x / sqrt 2)) in one native
 * pass. Its derivative stays in JS (gelu.ts, from the saved input): as a graph of Erf, Exp and
 * products it took as long as the JS table (measured) and held 11 intermediate tensors.
 */
export function geluForwardGraph(): GraphSpec {
  return {
    name: 'gelu-forward',
    inputs: [v('x', 'float', ['M', 'N'])],
    outputs: [v('y', 'float', ['M', 'N'])],
    nodes: [n('Gelu', ['x'], ['y'], { domain: MS_DOMAIN })],
    opset: OPSET,
  };
}
