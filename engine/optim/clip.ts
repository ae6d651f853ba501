// Global gradient-norm clipping, torch.nn.utils.clip_grad_norm_(params, max_norm) with the
// default L2 norm: the norm is taken over all gradients as one vector, and if it exceeds maxNorm
// every gradient is scaled by maxNorm / (norm + 1e-6) (torch's epsilon). Below the limit nothing is
// written (torch multiplies by a clamped coefficient of 1.0, which changes nothing).
//
// The sum of squares is accumulated in float64: BERT-base has ~110M gradient entries and a
// float32 running sum would lose the small ones entirely.

import { OctetError } from '../errors';

export interface ClipOptions {
  /**
   * Throw OctetError('non-finite') if the norm is NaN or Infinity (torch's
   * error_if_nonfinite=True). Otherwise a non-finite norm is returned and the gradients are left
   * untouched, so the caller can skip the step or stop the run.
   */
  errorIfNonfinite?: boolean;
}

/** L2 norm of all gradients taken together. */
export function globalGradNorm(grads: readonly Float32Array[]): number {
  let sumSq = 0;
  for (const g of grads) {
    const n = g.length;
    for (let i = 0; i < n; i++) {
      const v = g[i];
      sumSq += v * v;
    }
  }
  return Math.sqrt(sumSq);
}

/** Clips in place so the global L2 norm is at most maxNorm; returns the norm before clipping. */
export function clipGradNorm(grads: readonly Float32Array[], maxNorm: number, opts: ClipOptions = {}): number {
  if (!(maxNorm > 0)) {
    throw new OctetError('invalid-argument', `clip: maxNorm must be > 0, got ${maxNorm}`);
  }
  const norm = globalGradNorm(grads);
  if (!Number.isFinite(norm)) {
    if (opts.errorIfNonfinite) {
      throw new OctetError('non-finite', `gradient norm is ${norm}; cannot clip`);
    }
    return norm;
  }
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (const g of grads) {
      const n = g.length;
      for (let i = 0; i < n; i++) g[i] *= coef;
    }
  }
  return norm;
}
