// The fp32 baseline's linear layers as whole graphs, like fused-graphs.ts does for the integer
// modes: layers that read the same x (query, key, value) in one run, GELU before the feed-forward
// output layer inside its graph, and a backward that gives dX (summed over the layers, with the
// residual branch, through GELU's derivative), dW and db in one run, instead of a Gemm per
// product and JS passes for the bias sums, the dX sums and GELU's derivative.
// The products are the Gemm nodes f32MatmulGraph runs, so y, dW and a lone layer's dX are the
// same numbers the one-product-per-run path gives.
import { GraphSpec, MS_DOMAIN, NodeSpec, ValueSpec } from './onnx-graph';
import { biasGradient, constantsNamed, dxFromParts, HELPER_CONSTANTS, part } from './fused-graphs';

const v = (name: string, type: ValueSpec['type'], shape: (number | string)[]): ValueSpec => ({ name, type, shape });
const n = (op: string, inputs: string[], outputs: string[], extra: Partial<NodeSpec> = {}): NodeSpec => ({ op, inputs, outputs, ...extra });

export interface F32LinearGraphOptions {
  /** Layers reading the same x; default 1. Names as fused-graphs.ts's `part`. */
  parts?: number;
  /** Every layer has a bias (BERT's do); without, no bias input or db output. */
  bias: boolean;
  /** Forward: the input is xPre and the layers read gelu(xPre). Backward: dx is d(pre). */
  geluInput?: boolean;
  /** Backward only: input dxAdd [M,K] is added into dx. */
  addToDx?: boolean;
  /** Backward only: no input x; x = gelu(geluX), as the forward made it inside its graph. */
  xFromGelu?: boolean;
}

function suffixesOf(o: F32LinearGraphOptions): string[] {
  const parts = o.parts ?? 1;
  return Array.from({ length: parts }, (_, i) => part(parts, i));
}

function nameOf(base: string, o: F32LinearGraphOptions): string {
  const parts = o.parts ?? 1;
  return `${base}${o.bias ? '-bias' : ''}${parts > 1 ? `-x${parts}` : ''}${o.geluInput ? '-gelu' : ''}${o.addToDx ? '-add' : ''}${o.xFromGelu ? '-remake' : ''}`;
}

/** Inputs x (or xPre) [M,K], w{s} [N{s},K], bias{s}; outputs y{s} [M,N{s}]. */
export function f32LinearForwardGraph(o: F32LinearGraphOptions): GraphSpec {
  const suffixes = suffixesOf(o);
  const inputs = [v(o.geluInput ? 'xPre' : 'x', 'float', ['M', 'K'])];
  const nodes: NodeSpec[] = o.geluInput ? [n('Gelu', ['xPre'], ['x'], { domain: MS_DOMAIN })] : [];
  for (const s of suffixes) {
    inputs.push(v(`w${s}`, 'float', [`N${s}`, 'K']));
    if (o.bias) inputs.push(v(`bias${s}`, 'float', [`N${s}`]));
    nodes.push(n('Gemm', o.bias ? ['x', `w${s}`, `bias${s}`] : ['x', `w${s}`], [`y${s}`], { attrs: { transB: 1 } }));
  }
  return { name: nameOf('f32-linear-forward', o), inputs, outputs: suffixes.map((s) => v(`y${s}`, 'float', ['M', `N${s}`])), nodes };
}

/**
 * Inputs dy{s} [M,N{s}], w{s} [N{s},K], x [M,K] (the forward's input, after GELU), geluX and
 * dxAdd as asked. Outputs dx [M,K], dw{s} [N{s},K] and db{s} [N{s}].
 */
export function f32LinearBackwardGraph(o: F32LinearGraphOptions): GraphSpec {
  const suffixes = suffixesOf(o);
  if (o.xFromGelu && !o.geluInput) throw new Error('xFromGelu needs geluInput');
  const inputs = o.xFromGelu ? [] : [v('x', 'float', ['M', 'K'])];
  const outputs = [v('dx', 'float', ['M', 'K'])];
  const nodes: NodeSpec[] = o.xFromGelu ? [n('Gelu', ['geluX'], ['x'], { domain: MS_DOMAIN })] : [];
  const direct = suffixes.length === 1 && !o.addToDx && !o.geluInput;
  for (const s of suffixes) {
    inputs.push(v(`dy${s}`, 'float', ['M', `N${s}`]), v(`w${s}`, 'float', [`N${s}`, 'K']));
    outputs.push(v(`dw${s}`, 'float', [`N${s}`, 'K']));
    // Through GELU the products come out halved (alpha, exact) for geluGradTimesHalf.
    nodes.push(
      n('Gemm', [`dy${s}`, `w${s}`], [direct ? 'dx' : `dx${s}Part`], o.geluInput ? { attrs: { alpha: 0.5 }, floatAttrs: ['alpha'] } : {}),
      n('Gemm', [`dy${s}`, 'x'], [`dw${s}`], { attrs: { transA: 1 } }),
    );
    if (o.bias) {
      outputs.push(v(`db${s}`, 'float', [`N${s}`]));
      nodes.push(...biasGradient(`dy${s}`, `db${s}`));
    }
  }
  if (o.geluInput) inputs.push(v('geluX', 'float', ['M', 'K']));
  if (o.addToDx) inputs.push(v('dxAdd', 'float', ['M', 'K']));
  if (!direct) nodes.push(...dxFromParts(suffixes.map((s) => `dx${s}Part`), o));
  return {
    name: nameOf('f32-linear-backward', o),
    inputs,
    outputs,
    nodes,
    constants: constantsNamed(...HELPER_CONSTANTS),
    opset: 18,
  };
}
