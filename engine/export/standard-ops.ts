// The export's graph uses only operators of the default ONNX domain, so any ONNX runtime can run
// it. Octet's fused linear graph ends in onnxruntime's MatMulIntegerToFloat (com.microsoft); here
// it becomes the standard chain it stands for:
//   MatMulInteger(a, b, a_zp, b_zp) -> Cast(float) -> Mul(Mul(a_scale, b_scale)) -> Add(bias)
// which is exactly the pattern onnxruntime's MatMulIntegerToFloatFusion folds back into the
// contrib kernel at load (graph optimization 'all'), so onnxruntime loses no speed. The values are
// the same: the scales are powers of two, so float(acc) * scale is exact and the bias is added
// with one rounding either way (checked against Octet's inference in test/unit/export).
import { MS_DOMAIN, type NodeSpec } from '../kernels/onnx-graph';

const TO_FLOAT = 1;

export function standardizeNodes(nodes: NodeSpec[]): NodeSpec[] {
  return nodes.flatMap((n) => (n.domain === MS_DOMAIN && n.op === 'MatMulIntegerToFloat' ? expandMatMulIntegerToFloat(n) : [n]));
}

function expandMatMulIntegerToFloat(n: NodeSpec): NodeSpec[] {
  const [a, b, aScale, bScale, aZp = '', bZp = '', bias = ''] = n.inputs;
  const y = n.outputs[0];
  const mmiInputs = bZp ? [a, b, aZp, bZp] : aZp ? [a, b, aZp] : [a, b];
  const nodes: NodeSpec[] = [
    { op: 'MatMulInteger', inputs: mmiInputs, outputs: [`${y}/acc`] },
    { op: 'Mul', inputs: [aScale, bScale], outputs: [`${y}/scale`] },
    { op: 'Cast', inputs: [`${y}/acc`], outputs: [`${y}/accF`], attrs: { to: TO_FLOAT } },
    { op: 'Mul', inputs: [`${y}/accF`, `${y}/scale`], outputs: bias ? [`${y}/scaled`] : [y] },
  ];
  if (bias) nodes.push({ op: 'Add', inputs: [`${y}/scaled`, bias], outputs: [y] });
  return nodes;
}
