// Argument checks shared by the ops. They run once per call (O(1)), never per element, so they
// cost nothing measurable and turn a silent out-of-bounds typed-array read (which yields
// undefined -> NaN in JS) into a clear OctetError.

import { OctetError } from '../../errors';

/** Throws unless every named dimension is a positive integer. */
export function requireDims(op: string, dims: Record<string, number>): void {
  for (const key of Object.keys(dims)) {
    const v = dims[key];
    if (!Number.isInteger(v) || v <= 0) {
      throw new OctetError('invalid-argument', `${op}: ${key} must be a positive integer, got ${v}`);
    }
  }
}

/** Throws unless `a` holds at least `n` elements. */
export function requireLen(op: string, name: string, a: ArrayLike<number>, n: number): void {
  if (a.length < n) {
    throw new OctetError('shape-mismatch', `${op}: ${name} has ${a.length} elements, need at least ${n}`);
  }
}
