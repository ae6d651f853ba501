// Residual connections. Forward is out = a + b; backward of an add is the identity to both
// inputs, so it needs no function of its own: the gradient arriving at the sum is passed to one
// branch and added (addInPlace) to the gradient that the other branch produces, because the
// layer backwards here overwrite their dx outputs rather than accumulate into them.

import { OctetError } from '../../errors';
import { requireLen } from './check';

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new OctetError('invalid-argument', `residual: n must be a non-negative integer, got ${n}`);
  }
}

/** out[i] = a[i] + b[i]. `out` may alias `a` or `b`. */
export function add(out: Float32Array, a: Float32Array, b: Float32Array, n: number): void {
  checkN(n);
  requireLen('residual', 'out', out, n);
  requireLen('residual', 'a', a, n);
  requireLen('residual', 'b', b, n);
  for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
}

/** dst[i] += src[i] (gradient accumulation at a fork). */
export function addInPlace(dst: Float32Array, src: Float32Array, n: number): void {
  checkN(n);
  requireLen('residual', 'dst', dst, n);
  requireLen('residual', 'src', src, n);
  for (let i = 0; i < n; i++) dst[i] += src[i];
}
