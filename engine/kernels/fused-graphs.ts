// Linear-layer graphs that take float tensors and do the dynamic fixed-point quantization, the
// outlier split, the int8 GEMMs, the dequantization and the bias in one onnxruntime run
// (performance-facts.md: elementwise passes in JS are what make a training step slow).
// Every integer they produce equals engine/quant's plain functions exactly (tested); only the
// stochastic rounding's noise comes from JS, so runs stay reproducible from a seed.
import { GraphSpec, MS_DOMAIN, NodeSpec, ValueSpec } from './onnx-graph';
import { DEFAULT_OUTLIER_EXPONENT, type OutlierExponentRule } from '../quant/outliers';

const v = (name: string, type: ValueSpec['type'], shape: (number | string)[]): ValueSpec => ({ name, type, shape });
const n = (op: string, inputs: string[], outputs: string[], extra: Partial<NodeSpec> = {}): NodeSpec => ({ op, inputs, outputs, ...extra });

const CONSTANTS = [
  { name: 'qmax8', type: 'float' as const, dims: [], values: [127] },
  { name: 'qmax12', type: 'float' as const, dims: [], values: [2047] },
  { name: 'ln2', type: 'float' as const, dims: [], values: [Math.LN2] },
  { name: 'two', type: 'float' as const, dims: [], values: [2] },
  { name: 'zero', type: 'float' as const, dims: [], values: [0] },
  { name: 'one', type: 'float' as const, dims: [], values: [1] },
  { name: 'half', type: 'float' as const, dims: [], values: [0.5] },
  { name: 'invSqrt2', type: 'float' as const, dims: [], values: [Math.SQRT1_2] },
  { name: 'lnTwoOverSqrtPi', type: 'float' as const, dims: [], values: [Math.log(2 / Math.sqrt(Math.PI))] },
  { name: 'f64', type: 'float' as const, dims: [], values: [64] },
  { name: 'f128', type: 'float' as const, dims: [], values: [128] },
  { name: 'i64', type: 'int32' as const, dims: [], values: [64] },
  { name: 'i128', type: 'int32' as const, dims: [], values: [128] },
  { name: 'zp128', type: 'uint8' as const, dims: [], values: [128] },
  { name: 'zpS8', type: 'int8' as const, dims: [], values: [0] },
  { name: 'axis0', type: 'int64' as const, dims: [1], values: [0] },
  { name: 'axis1', type: 'int64' as const, dims: [1], values: [1] },
  // Pad [rows x C] to [rows x (C + 1)] with a zero column: see PADDED_OUTLIER_COLUMN.
  { name: 'padOneColumn', type: 'int64' as const, dims: [4], values: [0, 0, 0, 1] },
];

/** Some of these graphs' constants, for another graph that uses their node helpers. */
export function constantsNamed(...names: string[]): typeof CONSTANTS {
  return CONSTANTS.filter((c) => names.includes(c.name));
}

/**
 * dx from the layers' dX parts: summed with the input dxAdd when asked, then through GELU's
 * derivative of the input geluX when asked; in that case the parts come in halved (a GEMM scale)
 * and an addend is halved here (one pass, only in that combination).
 */
export function dxFromParts(parts: string[], o: { addToDx?: boolean; geluInput?: boolean }): NodeSpec[] {
  const nodes: NodeSpec[] = [];
  if (o.geluInput && o.addToDx) nodes.push(n('Mul', ['dxAdd', 'half'], ['dxAddHalf']));
  const terms = [...parts, ...(o.addToDx ? [o.geluInput ? 'dxAddHalf' : 'dxAdd'] : [])];
  const sum = o.geluInput ? 'dxHalf' : 'dx';
  nodes.push(terms.length === 1 ? n('Identity', terms, [sum]) : n('Sum', terms, [sum]));
  if (o.geluInput) nodes.push(...geluGradTimesHalf('dxHalf', 'geluX', 'dx'));
  return nodes;
}

/** The constants that geluGradTimesHalf, dxFromParts and biasGradient read. */
export const HELPER_CONSTANTS = ['invSqrt2', 'lnTwoOverSqrtPi', 'one', 'half', 'axis0', 'axis1'];

/**
 * db = ones[1 x M] dy: onnxruntime's ReduceSum over axis 0 walks dy column by column and
 * measured 3-5x slower than this product in the training step (bench train).
 */
export function biasGradient(dy: string, db: string): NodeSpec[] {
  return [
    n('Shape', [dy], [`${dy}Rows`], { attrs: { end: 1 } }),
    n('Concat', ['axis1', `${dy}Rows`], [`${db}OnesShape`], { attrs: { axis: 0 } }),
    n('Expand', ['one', `${db}OnesShape`], [`${db}Ones`]),
    n('MatMul', [`${db}Ones`, dy], [`${db}Row`]),
    n('Squeeze', [`${db}Row`, 'axis0'], [db]),
  ];
}

/**
 * The outlier GEMMs contract over C + 1 columns, the last one zero: with no outliers C is 0, and
 * onnxruntime's MatMulInteger with K = 0 does not promise to zero its output. The padded column
 * adds exactly nothing; hi and lo keep it ([M x (C + 1)]), so the backward sees the same shapes.
 */
export const PADDED_OUTLIER_COLUMN = 1;

/** 18: ReduceMax takes its axes as an input from this opset on. */
const OPSET = 18;

const TO_FLOAT = 1;
const TO_UINT8 = 2;
const TO_INT8 = 3;
const TO_INT32 = 6;

/**
 * `${p}Scale` = the smallest power of two s with qmax * s >= a (engine/quant/dfp.ts's rule),
 * 1 when a = 0. log2 in float can be one off near a power of two; the two corrections, exact
 * comparisons against qmax * s, make the result exact.
 */
function dfpScale(p: string, a: string, qmax: 'qmax8' | 'qmax12'): NodeSpec[] {
  return [
    n('Div', [a, qmax], [`${p}R`]),
    n('Log', [`${p}R`], [`${p}Ln`]),
    n('Div', [`${p}Ln`, 'ln2'], [`${p}L2`]),
    n('Ceil', [`${p}L2`], [`${p}E0`]),
    n('Pow', ['two', `${p}E0`], [`${p}S0`]),
    n('Mul', [qmax, `${p}S0`], [`${p}Cap`]),
    n('Less', [`${p}Cap`, a], [`${p}Low`]),
    n('Mul', [`${p}S0`, 'two'], [`${p}S0x2`]),
    n('Where', [`${p}Low`, `${p}S0x2`, `${p}S0`], [`${p}S1`]),
    n('Div', [`${p}S1`, 'two'], [`${p}Half`]),
    n('Mul', [qmax, `${p}Half`], [`${p}CapHalf`]),
    n('GreaterOrEqual', [`${p}CapHalf`, a], [`${p}High`]),
    n('Where', [`${p}High`, `${p}Half`, `${p}S1`], [`${p}S2`]),
    n('Equal', [a, 'zero'], [`${p}IsZero`]),
    n('Where', [`${p}IsZero`, 'one', `${p}S2`], [`${p}Scale`]),
  ];
}

function maxAbs(p: string, x: string): NodeSpec[] {
  return [n('Abs', [x], [`${p}Abs`]), n('ReduceMax', [`${p}Abs`], [`${p}Max`], { attrs: { keepdims: 0 } })];
}

export interface FusedForwardOptions {
  outliers: boolean;
  /** Threshold in units of the tensor's standard deviation instead of absolute. */
  stdUnits: boolean;
  /** engine/quant/outliers.ts's rule; default 'own'. */
  outlierExponent?: OutlierExponentRule;
  /**
   * Layers that read the same x (attention's query, key and value): x is quantized and split
   * once, each weight gets its own scale and product. Default 1. See `part` for the names.
   */
  parts?: number;
  /**
   * The graph's input is `xPre` and the layers read x = gelu(xPre) (com.microsoft Gelu, the op
   * norm-graphs.ts's GELU runs): the feed-forward block's output layer, whose input would otherwise
   * come out of one graph as [M x K] floats only to go into the next.
   */
  geluInput?: boolean;
}

/**
 * Suffix of a per-layer tensor name when a graph serves several layers (w0, w1, y2...); none
 * for one layer, so single-layer graphs keep their plain names.
 */
export function part(parts: number, i: number): string {
  return parts === 1 ? '' : String(i);
}

/**
 * Inputs x [M,K], w [N,K], bias [N], gamma (scalar). Outputs y [M,N] (with outliers, the rows
 * `rows` of y still need `yOut` added: see below); for the backward xq
 * (int8 [M,K], inliers), wq (int8 [N,K]), and the scales; with outliers also cols [C], hi and
 * lo (int8 [M,C]) and the outlier scale; and statistics (max |x|, outlier count, threshold).
 */
export function fusedForwardGraph(o: FusedForwardOptions): GraphSpec {
  const floorOutliers = (o.outlierExponent ?? DEFAULT_OUTLIER_EXPONENT) === 'at-least-inlier';
  const parts = o.parts ?? 1;
  const suffixes = Array.from({ length: parts }, (_, i) => part(parts, i));
  const inputs = [v(o.geluInput ? 'xPre' : 'x', 'float', ['M', 'K']), ...suffixes.flatMap((s) => [v(`w${s}`, 'float', [`N${s}`, 'K']), v(`bias${s}`, 'float', [`N${s}`])]), v('gamma', 'float', [])];
  const outputs = [
    ...suffixes.map((s) => v(`y${s}`, 'float', ['M', `N${s}`])), v('xq', 'int8', ['M', 'K']), ...suffixes.map((s) => v(`wq${s}`, 'int8', [`N${s}`, 'K'])),
    v('xScale', 'float', []), ...suffixes.map((s) => v(`w${s}Scale`, 'float', [])), v('xMax', 'float', []), v('xSum', 'float', []),
  ];
  const nodes: NodeSpec[] = [
    ...(o.geluInput ? [n('Gelu', ['xPre'], ['x'], { domain: MS_DOMAIN })] : []),
    ...suffixes.flatMap((s) => [
      ...maxAbs(`w${s}`, `w${s}`),
      ...dfpScale(`w${s}`, `w${s}Max`, 'qmax8'),
      n('QuantizeLinear', [`w${s}`, `w${s}Scale`, 'zpS8'], [`wq${s}`]),
      n('Transpose', [`wq${s}`], [`wt${s}`]),
    ]),
    // NaN and infinity survive a sum (ReduceMax may skip a NaN): the caller checks xSum and only
    // then scans for the element to name.
    n('ReduceSum', ['x'], ['xSum'], { attrs: { keepdims: 0 } }),
  ];
  if (!o.outliers) {
    // max |x| from two read-only reductions: no [M x K] tensor is written.
    nodes.push(...maxAbsByExtremes('x', 'x'), ...dfpScale('x', 'xMax', 'qmax8'));
    nodes.push(
      n('QuantizeLinear', ['x', 'xScale', 'zp128'], ['xu8']),
      n('QuantizeLinear', ['x', 'xScale', 'zpS8'], ['xq']),
    );
  } else {
    nodes.push(...outlierSplit(o.stdUnits, floorOutliers), ...suffixes.flatMap((s) => outlierProduct(s)));
    outputs.push(
      v('cols', 'int64', ['C']), v('hi', 'int8', ['M', 'C1']), v('lo', 'int8', ['M', 'C1']),
      v('oScale', 'float', []), v('outlierCount', 'float', []), v('threshold', 'float', []),
      v('rows', 'int64', ['R']), ...suffixes.map((s) => v(`yOut${s}`, 'float', ['R', `N${s}`])),
    );
  }
  for (const s of suffixes) {
    nodes.push(n('MatMulIntegerToFloat', ['xu8', `wt${s}`, 'xScale', `w${s}Scale`, 'zp128', '', `bias${s}`], [`y${s}`], { domain: MS_DOMAIN }));
  }
  const name = `fused-forward${o.outliers ? '-outliers' : ''}${o.stdUnits ? '-std' : ''}${o.outliers && !floorOutliers ? '-own-exponent' : ''}${parts > 1 ? `-x${parts}` : ''}${o.geluInput ? '-gelu' : ''}`;
  return { name, inputs, outputs, nodes, constants: CONSTANTS, opset: OPSET };
}

/**
 * The outlier split inside the forward graph, producing what the plain path does (xu8, xq,
 * xScale, xMax) plus the outlier part. Outliers sit on few tokens, and onnxruntime reduces rows
 * fast but columns slowly, so the search goes rows first: row maxima over [M x K] (as fast as
 * the plain path's global maximum), then the columns from only the rows R that have an outlier.
 * Past that, everything runs on the gathered [R x K] rows or [M x C] columns; the other [M x K]
 * passes are the plain path's two QuantizeLinear and two byte copies that write the outlier
 * columns' inlier codes back (QuantizeLinear saturates the outliers there first).
 */
function outlierSplit(stdUnits: boolean, floorOutliers: boolean): NodeSpec[] {
  const nodes: NodeSpec[] = [
    n('ReduceMax', ['x', 'axis1'], ['rowHi'], { attrs: { keepdims: 0 } }),
    n('ReduceMin', ['x', 'axis1'], ['rowLo'], { attrs: { keepdims: 0 } }),
    n('Neg', ['rowLo'], ['rowNegLo']),
    n('Max', ['rowHi', 'rowNegLo'], ['rowMax']),
    n('ReduceMax', ['rowMax'], ['xMax'], { attrs: { keepdims: 0 } }),
  ];
  if (stdUnits) {
    nodes.push(
      n('ReduceMean', ['x'], ['xMean'], { attrs: { keepdims: 0 } }),
      n('Mul', ['x', 'x'], ['xSq']),
      n('ReduceMean', ['xSq'], ['xMeanSq'], { attrs: { keepdims: 0 } }),
      n('Mul', ['xMean', 'xMean'], ['xMean2']),
      n('Sub', ['xMeanSq', 'xMean2'], ['xVarRaw']),
      n('Max', ['xVarRaw', 'zero'], ['xVar']),
      n('Sqrt', ['xVar'], ['xStd']),
      n('Mul', ['gamma', 'xStd'], ['threshold']),
    );
  } else {
    nodes.push(n('Identity', ['gamma'], ['threshold']));
  }
  nodes.push(
    // The rows R with an outlier (the tokens the outlier product runs on), then the columns.
    n('Greater', ['rowMax', 'threshold'], ['rowIsOut']),
    n('NonZero', ['rowIsOut'], ['rowsNz']),
    n('Squeeze', ['rowsNz', 'axis0'], ['rows']),
    n('Gather', ['x', 'rows'], ['xr'], { attrs: { axis: 0 } }),
    n('Abs', ['xr'], ['xrAbs']),
    n('Greater', ['xrAbs', 'threshold'], ['xrIsOut']),
    n('Cast', ['xrIsOut'], ['xrIsOutF'], { attrs: { to: TO_FLOAT } }),
    // Over no rows ReduceMax gives -inf: no column then.
    n('ReduceMax', ['xrIsOutF', 'axis0'], ['colHit'], { attrs: { keepdims: 0 } }),
    n('Greater', ['colHit', 'zero'], ['colIsOut']),
    n('NonZero', ['colIsOut'], ['colsNz']),
    n('Squeeze', ['colsNz', 'axis0'], ['cols']),
    // max |inlier|: the maxima of the rows without outliers, and the inliers of the rows R.
    n('Where', ['rowIsOut', 'zero', 'rowMax'], ['plainRowMax']),
    n('ReduceMax', ['plainRowMax'], ['plainInMax'], { attrs: { keepdims: 0 } }),
    n('Where', ['xrIsOut', 'zero', 'xrAbs'], ['xrInAbs']),
    n('ReduceMax', ['xrInAbs'], ['splitInMax'], { attrs: { keepdims: 0 } }),
    n('Max', ['plainInMax', 'splitInMax'], ['xInMax']),
    // Only the outlier columns from here on: M x C, small.
    n('Gather', ['x', 'cols'], ['xc'], { attrs: { axis: 1 } }),
    n('Abs', ['xc'], ['xcAbs']),
    n('Greater', ['xcAbs', 'threshold'], ['mc']),
    n('Where', ['mc', 'zero', 'xc'], ['xcIn']),
    n('Cast', ['mc'], ['mcF'], { attrs: { to: TO_FLOAT } }),
    n('ReduceSum', ['mcF'], ['outlierCount'], { attrs: { keepdims: 0 } }),
    n('Where', ['mc', 'xc', 'zero'], ['xoRaw']),
    n('Pad', ['xoRaw', 'padOneColumn'], ['xo']),
    // ReduceMax over no columns is -inf: clamp so an empty outlier set gets scale 1, not NaN.
    n('Abs', ['xo'], ['oAbs']),
    n('ReduceMax', ['oAbs'], ['oMaxRaw'], { attrs: { keepdims: 0 } }),
    n('Max', ['oMaxRaw', 'zero'], ['oMax']),
    ...dfpScale('oOwn', 'oMax', 'qmax12'),
    // The inliers' scale comes first: the outliers' may be raised to it (outlierExponent).
    ...dfpScale('x', 'xInMax', 'qmax8'),
    ...(floorOutliers
      ? [
          // outlierExponentFloor: all-zero inliers have only a nominal scale, so no floor then.
          n('Max', ['oOwnScale', 'xScale'], ['oFloored']),
          n('Equal', ['xInMax', 'zero'], ['xInZero']),
          n('Where', ['xInZero', 'oOwnScale', 'oFloored'], ['oScale']),
        ]
      : [n('Identity', ['oOwnScale'], ['oScale'])]),
    // Inlier codes: QuantizeLinear over all of x saturates the outliers, then the outlier
    // columns get their inlier codes (outliers zeroed) written back, byte tensors only.
    n('QuantizeLinear', ['x', 'xScale', 'zp128'], ['xu8Sat']),
    n('QuantizeLinear', ['x', 'xScale', 'zpS8'], ['xqSat']),
    n('QuantizeLinear', ['xcIn', 'xScale', 'zp128'], ['xcU8']),
    n('QuantizeLinear', ['xcIn', 'xScale', 'zpS8'], ['xcS8']),
    n('Shape', ['xc'], ['xcShape']),
    n('Expand', ['cols', 'xcShape'], ['colIndex']),
    n('ScatterElements', ['xu8Sat', 'colIndex', 'xcU8'], ['xu8'], { attrs: { axis: 1 } }),
    n('ScatterElements', ['xqSat', 'colIndex', 'xcS8'], ['xq'], { attrs: { axis: 1 } }),
    // The 12-bit codes and their int8 pieces.
    n('Div', ['xo', 'oScale'], ['oScaled']),
    n('Round', ['oScaled'], ['oq']),
    n('Div', ['oq', 'f64'], ['oq64']),
    n('Floor', ['oq64'], ['hiF']),
    n('Mul', ['hiF', 'f64'], ['hi64']),
    n('Sub', ['oq', 'hi64'], ['loF']),
    n('Cast', ['hiF'], ['hi'], { attrs: { to: TO_INT8 } }),
    n('Cast', ['loF'], ['lo'], { attrs: { to: TO_INT8 } }),
    n('Add', ['hiF', 'f128'], ['hiOffF']),
    n('Cast', ['hiOffF'], ['hiU8'], { attrs: { to: TO_UINT8 } }),
    n('Cast', ['loF'], ['loU8'], { attrs: { to: TO_UINT8 } }),
    // Multiply only the rows R ([R x N] instead of [M x N]). The caller adds yOut into those
    // rows of y: onnxruntime's ScatterND would copy all of y to do it.
    n('Gather', ['hiU8', 'rows'], ['hiR'], { attrs: { axis: 0 } }),
    n('Gather', ['loU8', 'rows'], ['loR'], { attrs: { axis: 0 } }),
  );
  return nodes;
}

/** One layer's outlier product on the rows R: yOut{s} [R x N] from the shared hiR, loR and cols. */
function outlierProduct(s: string): NodeSpec[] {
  return [
    n('Gather', [`wq${s}`, 'cols'], [`wcRaw${s}`], { attrs: { axis: 1 } }),
    n('Pad', [`wcRaw${s}`, 'padOneColumn'], [`wc${s}`]),
    n('Transpose', [`wc${s}`], [`wct${s}`]),
    n('MatMulInteger', ['hiR', `wct${s}`, 'zp128'], [`accHi${s}`]),
    n('MatMulInteger', ['loR', `wct${s}`], [`accLo${s}`]),
    n('Mul', [`accHi${s}`, 'i64'], [`accHi64${s}`]),
    n('Add', [`accHi64${s}`, `accLo${s}`], [`accOut${s}`]),
    n('Cast', [`accOut${s}`], [`accOutF${s}`], { attrs: { to: TO_FLOAT } }),
    n('Mul', ['oScale', `w${s}Scale`], [`outScale${s}`]),
    n('Mul', [`accOutF${s}`, `outScale${s}`], [`yOut${s}`]),
  ];
}

export interface FusedBackwardOptions {
  outliers: boolean;
  /** Stochastic rounding of dY (noise input) or nearest. */
  stochastic: boolean;
  /** Also output dY's codes (int8) for verification; production graphs skip that pass. */
  withCodes?: boolean;
  /**
   * Input geluX [M,K] with x = gelu(geluX): dx becomes dX * gelu'(geluX), the gradient of the
   * feed-forward block's pre-activation, so the [M x K] derivative pass runs on onnxruntime's
   * threads instead of a JS loop (measured 15 against 18-24 ms at 4096x1024).
   */
  geluInput?: boolean;
  /** Layers that read the same x (fusedForwardGraph's `parts`): dx is the sum of their dX. Default 1. */
  parts?: number;
  /** Input dxAdd [M,K], added into dx (attention's residual branch), instead of a JS pass. */
  addToDx?: boolean;
}

/**
 * gelu'(x) = Phi(x) + x phi(x), applied to d, in nine [M x K] passes (each one costs a read and a
 * write of 16 MB at 4096 x 1024, so the count is what matters). With t = x / sqrt 2:
 *   2 gelu'(x) = 1 + erf(t) + t * exp(ln(2 / sqrt pi) - t^2)
 * (the constant inside the Exp, so no pass scales it), and the 1/2 rides on `dHalf`, which the
 * caller makes by halving a GEMM's scale (exact). Float32 Erf and Exp: within 1.2e-7 of gelu.ts's
 * geluGrad (tested).
 */
function geluGradTimesHalf(dHalf: string, x: string, out: string): NodeSpec[] {
  return [
    n('Mul', [x, 'invSqrt2'], ['gT']),
    n('Erf', ['gT'], ['gErf']),
    n('Mul', ['gT', 'gT'], ['gT2']),
    n('Sub', ['lnTwoOverSqrtPi', 'gT2'], ['gExpArg']),
    n('Exp', ['gExpArg'], ['gExp']),
    n('Mul', ['gT', 'gExp'], ['gTExp']),
    n('Add', ['gErf', 'gTExp'], ['gSum']),
    n('Add', ['gSum', 'one'], ['gTwiceGrad']),
    n('Mul', [dHalf, 'gTwiceGrad'], [out]),
  ];
}

/** max |t| from two read-only reductions (no Abs tensor is written). */
function maxAbsByExtremes(p: string, t: string): NodeSpec[] {
  return [
    n('ReduceMax', [t], [`${p}Hi`], { attrs: { keepdims: 0 } }),
    n('ReduceMin', [t], [`${p}Lo`], { attrs: { keepdims: 0 } }),
    n('Neg', [`${p}Lo`], [`${p}NegLo`]),
    n('Max', [`${p}Hi`, `${p}NegLo`], [`${p}Max`]),
  ];
}

/**
 * Inputs dy [M,N] (and noise [M,N], uniform in [-1/2, 1/2), for stochastic rounding), the
 * forward's wq, xq and scales (and hi, lo, oScale). Outputs dx [M,K], dw [N,K], db [N], dY's
 * scale and dySum (NaN check), and with outliers dwOut [N,C+1] for the caller to add into
 * columns C.
 * Stochastic rounding is QuantizeLinear(dy + noise * s): round(v + u - 1/2) = floor(v + u)
 * except on exact ties, so each code is floor(v) + Bernoulli(frac v), unbiased up to float32's
 * rounding of v + u (below 2^-17 of a step for |v| < 128) and the noise's resolution (Linear
 * draws 16-bit midpoints, Rng.fillUniform16: also within 2^-17).
 */
export function fusedBackwardGraph(o: FusedBackwardOptions): GraphSpec {
  const parts = o.parts ?? 1;
  const suffixes = Array.from({ length: parts }, (_, i) => part(parts, i));
  const inputs = [
    ...suffixes.flatMap((s) => [v(`dy${s}`, 'float', ['M', `N${s}`]), v(`wq${s}`, 'int8', [`N${s}`, 'K']), v(`w${s}Scale`, 'float', [])]),
    v('xq', 'int8', ['M', 'K']), v('xScale', 'float', []),
  ];
  if (o.stochastic) inputs.push(...suffixes.map((s) => v(`noise${s}`, 'float', ['M', `N${s}`])));
  if (o.geluInput) inputs.push(v('geluX', 'float', ['M', 'K']));
  if (o.addToDx) inputs.push(v('dxAdd', 'float', ['M', 'K']));
  const outputs = [
    v('dx', 'float', ['M', 'K']),
    ...suffixes.flatMap((s) => [v(`dw${s}`, 'float', [`N${s}`, 'K']), v(`db${s}`, 'float', [`N${s}`]), v(`dy${s}Scale`, 'float', []), v(`dy${s}Sum`, 'float', [])]),
  ];
  // One layer without extras writes its product straight to dx; otherwise the parts (and dxAdd)
  // are summed first, then GELU's derivative is applied.
  const direct = parts === 1 && !o.addToDx && !o.geluInput;
  const nodes: NodeSpec[] = suffixes.flatMap((s) => [
    ...biasGradient(`dy${s}`, `db${s}`),
    // NaN and infinity survive the sums: dySum is the caller's check.
    n('ReduceSum', [`db${s}`], [`dy${s}Sum`], { attrs: { keepdims: 0 } }),
    ...maxAbsByExtremes(`dy${s}`, `dy${s}`),
    ...dfpScale(`dy${s}`, `dy${s}Max`, 'qmax8'),
    ...(o.stochastic
      ? [
          n('Mul', [`noise${s}`, `dy${s}Scale`], [`dither${s}`]),
          n('Add', [`dy${s}`, `dither${s}`], [`dy${s}Dithered`]),
          n('QuantizeLinear', [`dy${s}Dithered`, `dy${s}Scale`, 'zp128'], [`dy${s}U8`]),
        ]
      : [n('QuantizeLinear', [`dy${s}`, `dy${s}Scale`, 'zp128'], [`dy${s}U8`])]),
    // Through GELU, dX comes out halved (exactly: a power of two on the scale) for geluGradTimesHalf.
    ...(o.geluInput ? [n('Mul', [`dy${s}Scale`, 'half'], [`dy${s}DxScale`])] : []),
    n('MatMulIntegerToFloat', [`dy${s}U8`, `wq${s}`, o.geluInput ? `dy${s}DxScale` : `dy${s}Scale`, `w${s}Scale`, 'zp128'], [direct ? 'dx' : `dx${s}Part`], { domain: MS_DOMAIN }),
    n('Transpose', [`dy${s}U8`], [`dy${s}T`]),
    n('MatMulIntegerToFloat', [`dy${s}T`, 'xq', `dy${s}Scale`, 'xScale', 'zp128'], [`dw${s}`], { domain: MS_DOMAIN }),
  ]);
  if (!direct) nodes.push(...dxFromParts(suffixes.map((s) => `dx${s}Part`), o));
  if (o.withCodes) {
    outputs.push(...suffixes.map((s) => v(`dy${s}q`, 'int8', ['M', `N${s}`])));
    for (const s of suffixes) {
      nodes.push(n('Cast', [`dy${s}U8`], [`dy${s}I32`], { attrs: { to: TO_INT32 } }), n('Sub', [`dy${s}I32`, 'i128'], [`dy${s}Centered`]), n('Cast', [`dy${s}Centered`], [`dy${s}q`], { attrs: { to: TO_INT8 } }));
    }
  }
  if (o.outliers) {
    inputs.push(v('hi', 'int8', ['M', 'C1']), v('lo', 'int8', ['M', 'C1']), v('oScale', 'float', []));
    outputs.push(...suffixes.map((s) => v(`dw${s}Out`, 'float', [`N${s}`, 'C1'])));
    for (const s of suffixes) {
      nodes.push(
        n('MatMulInteger', [`dy${s}T`, 'hi', 'zp128'], [`acc${s}Hi`]),
        n('MatMulInteger', [`dy${s}T`, 'lo', 'zp128'], [`acc${s}Lo`]),
        n('Mul', [`acc${s}Hi`, 'i64'], [`acc${s}Hi64`]),
        n('Add', [`acc${s}Hi64`, `acc${s}Lo`], [`acc${s}`]),
        n('Cast', [`acc${s}`], [`acc${s}F`], { attrs: { to: TO_FLOAT } }),
        n('Mul', [`dy${s}Scale`, 'oScale'], [`out${s}Scale`]),
        n('Mul', [`acc${s}F`, `out${s}Scale`], [`dw${s}Out`]),
      );
    }
  }
  const name = `fused-backward${o.outliers ? '-outliers' : ''}${o.stochastic ? '-stochastic' : ''}${o.withCodes ? '-codes' : ''}${o.geluInput ? '-gelu' : ''}${parts > 1 ? `-x${parts}` : ''}${o.addToDx ? '-add' : ''}`;
  return { name, inputs, outputs, nodes, constants: CONSTANTS, opset: OPSET };
}
