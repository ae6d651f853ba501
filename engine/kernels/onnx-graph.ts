// Builds small ONNX models in memory, so every fused kernel is one onnxruntime session whose
// graph is written next to the code that uses it (no .onnx files to keep in sync).
import { onnx } from 'onnx-proto';

export type ElemType = 'float' | 'int8' | 'uint8' | 'int32' | 'int64';

const ELEM: Record<ElemType, number> = {
  float: onnx.TensorProto.DataType.FLOAT,
  uint8: onnx.TensorProto.DataType.UINT8,
  int8: onnx.TensorProto.DataType.INT8,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
};

export interface ValueSpec {
  name: string;
  type: ElemType;
  /** Numbers are fixed sizes, strings name symbolic dimensions. */
  shape: (number | string)[];
}

export type AttrValue = number | string | number[];

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  domain?: string;
  /** Integers are written as INT attributes unless listed in `floatAttrs`. */
  attrs?: Record<string, AttrValue>;
  floatAttrs?: string[];
}

export interface ConstantSpec {
  name: string;
  type: ElemType;
  dims: number[];
  /** Small constants as numbers; large ones (exported weights) as a typed array, stored raw. */
  values: number[] | Float32Array | Int8Array;
}

export interface GraphSpec {
  name: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  constants?: ConstantSpec[];
  opset?: number;
}

const MS_DOMAIN = 'com.microsoft';

function valueInfo(v: ValueSpec): onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ELEM[v.type],
        shape: {
          dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

function attribute(name: string, value: AttrValue, isFloat: boolean): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') {
    return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  }
  if (Array.isArray(value)) {
    return isFloat ? { name, type: T.FLOATS, floats: value } : { name, type: T.INTS, ints: value };
  }
  return isFloat ? { name, type: T.FLOAT, f: value } : { name, type: T.INT, i: value };
}

function constant(c: ConstantSpec): onnx.ITensorProto {
  const t: onnx.ITensorProto = { name: c.name, dims: c.dims, dataType: ELEM[c.type] };
  if (!Array.isArray(c.values)) {
    // raw_data is little-endian, as typed arrays are on every platform Node runs on here; it
    // keeps a weight one (or four) bytes an element instead of a varint per value.
    const v = c.values;
    t.rawData = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return t;
  }
  switch (c.type) {
    case 'float':
      t.floatData = c.values;
      break;
    case 'int64':
      t.int64Data = c.values;
      break;
    default:
      // int8, uint8 and int32 all travel in int32_data per the ONNX spec.
      t.int32Data = c.values;
  }
  return t;
}

/** Serializes a graph into ONNX protobuf bytes, ready for InferenceSession.create. */
export function buildModel(spec: GraphSpec): Uint8Array {
  const usesMs = spec.nodes.some((n) => n.domain === MS_DOMAIN);
  const opsetImport: onnx.IOperatorSetIdProto[] = [{ domain: '', version: spec.opset ?? 17 }];
  if (usesMs) opsetImport.push({ domain: MS_DOMAIN, version: 1 });
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'octet',
    opsetImport,
    graph: {
      name: spec.name,
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: (spec.constants ?? []).map(constant),
      node: spec.nodes.map((n, i) => ({
        name: `${n.op}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) =>
          attribute(k, v, n.floatAttrs?.includes(k) ?? false),
        ),
      })),
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

export { MS_DOMAIN };
