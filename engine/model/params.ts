// Named parameters with their gradients: what the optimizer, checkpoints and the profiler see.

export interface Param {
  /** Octet name: Hugging Face's without the `bert.` prefix, e.g. `encoder.layer.0.output.dense.weight`. */
  name: string;
  shape: number[];
  data: Float32Array;
  grad: Float32Array;
}

export function newParam(name: string, shape: number[]): Param {
  const size = shape.reduce((a, b) => a * b, 1);
  return { name, shape, data: new Float32Array(size), grad: new Float32Array(size) };
}

