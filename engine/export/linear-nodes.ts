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
  checkExportable(l);
  const bias = g.constant(`${l.name}.bias`, 'float', [l.outFeatures], l.bias ?? new Float32Array(l.outFeatures));
  if (l.precision.mode === 'fp32') {
    const w = g.constant(`${l.name}.weight`, 'float', [l.outFeatures, l.inFeatures], l.weight);
    return g.add(inlineGraph(f32MatmulGraph('NT', true), { prefix: l.name, inputs: { A: x, B: w, bias }, outputs: ['C'] })).C;
  }
  const outliers = l.precision.mode === 'int8-outlier';
  const wq = quantizeDfp(l.weight, l.outFeatures, l.inFeatures, { bits: 8, granularity: 'tensor' });
  const codes = g.constant(`${l.name}.weight_codes`, 'int8', [l.outFeatures, l.inFeatures], wq.q as Int8Array);
  const scale = g.scalar(`${l.name}.weight_scale`, 2 ** wq.exponents[0]);
  const gamma = g.scalar(`${l.name}.threshold`, l.precision.threshold);
  const spec = fusedForwardGraph({ outliers, stdUnits: l.precision.thresholdUnits === 'std' });
  const inlined = inlineGraph(spec, {
    prefix: l.name,
    inputs: { x, bias, gamma },
    overrides: { wq: codes, wScale: scale },
    outputs: outliers ? ['y', 'rows', 'yOut'] : ['y'],
  });
  const out = g.add({ ...inlined, nodes: standardizeNodes(inlined.nodes) });
  if (!outliers) return out.y;
  const axisLast = g.constant('export/axisLast', 'int64', [1], [-1]);
  const rowIndex = g.node('Unsqueeze', [out.rows, axisLast], [`${l.name}/rowIndex`]);
  return g.node('ScatterND', [out.y, rowIndex, out.yOut], [`${l.name}/yWithOutliers`], { attrs: { reduction: 'add' } });
}
