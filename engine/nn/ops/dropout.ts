// Inverted dropout with a saved mask.
//
// Why inverted: kept values are scaled by 1/(1-p) at training time so evaluation is the identity
// (torch.nn.Dropout semantics). Why a saved Uint8 mask rather than recomputing from the RNG in
// backward: the RNG has moved on by then, and one byte per element is a quarter of saving the
// scaled output. The mask is 1 = kept, 0 = dropped.
//
// Reproducibility: dropoutMask takes its draws from `rng` in index order, as Rng.fillKeepMask
// says (two elements per draw, P(keep) = 1 - ceil(p * 2^24) / 2^24).

import { OctetError } from '../../errors';
import { requireLen } from './check';
import type { Rng } from './rng';

function checkArgs(n: number, p: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new OctetError('invalid-argument', `dropout: n must be a non-negative integer, got ${n}`);
  }
  if (!(p >= 0 && p < 1)) {
    throw new OctetError('invalid-argument', `dropout probability must be in [0, 1), got ${p}`);
  }
}

/** Draws a keep-mask for n elements: mask[i] = 1 with probability 1 - p. */
export function dropoutMask(mask: Uint8Array, n: number, p: number, rng: Rng): void {
  checkArgs(n, p);
  requireLen('dropout', 'mask', mask, n);
  if (p === 0) {
    // No draws at p = 0, so switching dropout off does not shift the RNG stream for later consumers.
    mask.fill(1, 0, n);
    return;
  }
  rng.fillKeepMask(mask, n, p);
}

/**
 * out[i] = x[i] * mask[i] / (1 - p). `out` may alias `x`. The scale is computed in float64 and the
 * product rounded once on store, like torch's x * (mask * (1/(1-p))).
 */
export function dropoutApply(out: Float32Array, x: Float32Array, mask: Uint8Array, n: number, p: number): void {
  checkArgs(n, p);
  requireLen('dropout', 'out', out, n);
  requireLen('dropout', 'x', x, n);
  requireLen('dropout', 'mask', mask, n);
  const scale = 1 / (1 - p);
  for (let i = 0; i < n; i++) out[i] = mask[i] !== 0 ? x[i] * scale : 0;
}

/**
 * Training-time dropout: draws a fresh mask into `mask` (saved for backward) and writes
 * out = x * mask / (1 - p). With p = 0 it copies and sets the mask to all ones without touching
 * the RNG. `out` may alias `x`.
 */
export function dropoutForward(
  out: Float32Array,
  mask: Uint8Array,
  x: Float32Array,
  n: number,
  p: number,
  rng: Rng,
): void {
  dropoutMask(mask, n, p, rng);
  dropoutApply(out, x, mask, n, p);
}

/** dx = dout * mask / (1 - p) (the same linear map as forward). `dx` may alias `dout`. */
export function dropoutBackward(dx: Float32Array, dout: Float32Array, mask: Uint8Array, n: number, p: number): void {
  dropoutApply(dx, dout, mask, n, p);
}
