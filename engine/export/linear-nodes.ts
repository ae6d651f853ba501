// One linear layer of the exported network, in the precision Octet ran it:
//   fp32          Gemm(x, W^T) + b, the graph Octet's fp32 Linear runs (ort-graphs.ts).
//   int8          Octet's fused forward graph (fused-graphs.ts): x quantized in-graph to DFP-8 with
//                 one power-of-two scale per tensor (the batch's max |x|), uint8 codes with zero
//                 point 128 times the int8 weight codes, rescaled, plus the bias.
//   int8-outlier  the same graph's outlier path: |x| > threshold split off, its 12-bit codes cut
//                 into hi/lo int8 pieces, the outlier columns gathered, two int8 products,
//                 rescaled and added into the rows that have outliers (ScatterND add, which is what
//                 Octet's ort-backend does in JS after the run).
// The weight codes and their scale are computed here with engine/quant's quantizeDfp (the exact
// rule the fused graph applies in-graph) and stored as initializers, so the file holds int8
// weights, not float ones.
import { OctetError } from '../errors';
import { fusedForwardGraph } from '../kernels/fused-graphs';
import { f32MatmulGraph } from '../kernels/ort-graphs';
import type { LinearPrecision } from '../nn/precision';
import { quantizeDfp } from '../quant/dfp';
import type { GraphBuilder } from './graph-builder';
import { inlineGraph } from './inline-graph';
import { standardizeNodes } from './standard-ops';

export interface ExportLinear {
  name: string;
  inFeatures: number;
  outFeatures: number;
  /** [out x in], row-major, as Linear keeps it. */
  weight: Float32Array;
  bias: Float32Array | null;
  precision: LinearPrecision;
}

/**
 * The settings the export reproduces: those Octet's fused inference path runs. Others (per-row
 * exponents, stochastic forward rounding) quantize in JS in Octet and are not exported.
 */
export function checkExportable(l: ExportLinear): void {
  const p = l.precision;
  if (p.mode === 'fp32') return;
  if (p.granularity !== 'tensor') {
    throw new OctetError('unsupported', `${l.name}: export supports one exponent per tensor (granularity "tensor"), not "${p.granularity}"`);
  }
  if (p.forwardRounding !== 'nearest') {
    throw new OctetError('unsupported', `${l.name}: export supports nearest forward rounding, not "${p.forwardRounding}" (inference should not draw random numbers)`);
  }
}

/** Appends the layer's nodes reading `x` [rows x in]; returns the name of y [rows x out]. */
export function addLinear(g: GraphBuilder, l: ExportLinear, x: string): string {
  return addLinearGroup(g, [l], x)[0];
}

/**
 * Layers that read the same input with the same precision settings (BERT's query, key and value)
 * run as one product over their stacked weights, split afterwards: the input is quantized (and
 * its outliers split) once, and one GEMM with N = 3 * hidden keeps the cores busier than three.
 * Each output column still gets its own layer's weight scale (a per-column scale vector), so
 * every value equals the separate layers' (the quantization of x depends on x alone).
 */
export function addLinearGroup(g: GraphBuilder, layers: ExportLinear[], x: string): string[] {
  for (const l of layers) checkExportable(l);
  const first = layers[0];
  const same = layers.every((l) => l.inFeatures === first.inFeatures && JSON.stringify(l.precision) === JSON.stringify(first.precision));
  if (!same) return layers.map((l) => addLinearGroup(g, [l], x)[0]);
  const name = layers.map((l) => l.name).join('+');
  const k = first.inFeatures;
  const n = layers.reduce((s, l) => s + l.outFeatures, 0);
  const stack = <T extends Float32Array | Int8Array>(parts: T[], make: (len: number) => T): T => {
    const out = make(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) out.set(p, o), (o += p.length);
    return out;
  };
  const bias = g.constant(`${name}.bias`, 'float', [n], stack(layers.map((l) => l.bias ?? new Float32Array(l.outFeatures)), (len) => new Float32Array(len)));
  const y = first.precision.mode === 'fp32'
    ? g.add(inlineGraph(f32MatmulGraph('NT', true), {
        prefix: name,
        inputs: { A: x, B: g.constant(`${name}.weight`, 'float', [n, k], stack(layers.map((l) => l.weight), (len) => new Float32Array(len))), bias },
        outputs: ['C'],
      })).C
    : addInt8(g, name, layers, x, bias);
  if (layers.length === 1) return [y];
  const sizes = g.constant(`${name}.split`, 'int64', [layers.length], layers.map((l) => l.outFeatures));
  const outs = layers.map((l) => `${l.name}/y`);
  g.node('Split', [y, sizes], outs, { attrs: { axis: 1 } });
  return outs;
}

function addInt8(g: GraphBuilder, name: string, layers: ExportLinear[], x: string, bias: string): string {
  const l = layers[0];
  const k = l.inFeatures;
  const n = layers.reduce((s, m) => s + m.outFeatures, 0);
  const codesData = new Int8Array(n * k);
  const scales = new Float32Array(n);
  let row = 0;
  for (const m of layers) {
    const wq = quantizeDfp(m.weight, m.outFeatures, m.inFeatures, { bits: 8, granularity: 'tensor' });
    codesData.set(wq.q as Int8Array, row * k);
    scales.fill(2 ** wq.exponents[0], row, row + m.outFeatures);
    row += m.outFeatures;
  }
  const outliers = l.precision.mode === 'int8-outlier';
  const codes = g.constant(`${name}.weight_codes`, 'int8', [n, k], codesData);
  // One scale: a scalar, as in Octet's graph; stacked layers: one per output column.
  const scale = layers.length === 1 ? g.scalar(`${name}.weight_scale`, scales[0]) : g.constant(`${name}.weight_scale`, 'float', [n], scales);
  const spec = fusedForwardGraph({ outliers, stdUnits: l.precision.thresholdUnits === 'std', outlierExponent: l.precision.outlierExponent });
  const inlined = inlineGraph(spec, {
    prefix: name,
    inputs: outliers ? { x, bias, gamma: g.scalar(`${name}.threshold`, l.precision.threshold) } : { x, bias },
    overrides: { wq: codes, wScale: scale },
    outputs: outliers ? ['y', 'rows', 'yOut'] : ['y'],
  });
  const out = g.add({ ...inlined, nodes: standardizeNodes(inlined.nodes) });
  if (!outliers) return out.y;
  const axisLast = g.constant('export/axisLast', 'int64', [1], [-1]);
  const rowIndex = g.node('Unsqueeze', [out.rows, axisLast], [`${name}/rowIndex`]);
  return g.node('ScatterND', [out.y, rowIndex, out.yOut], [`${name}/yWithOutliers`], { attrs: { reduction: 'add' } });
}
