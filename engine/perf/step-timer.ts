// Where a training step's time goes, for `octet bench train`. Off unless a benchmark switches it
// on: then quantization and backend calls add their wall time to named buckets.
import type { GemmBackend } from '../kernels/backend';

export type StepBucket = 'gemm' | 'quantize' | 'normGraphs';

/** Backend methods that run element-wise graphs (norm-graphs.ts), not GEMMs. */
const NORM_METHODS = new Set<string | symbol>(['residualNormForward', 'residualNormBackward', 'geluForward']);

let active: Map<StepBucket, number> | null = null;

export function startStepTiming(): void {
  active = new Map();
}

export function stopStepTiming(): Map<StepBucket, number> {
  const t = active ?? new Map<StepBucket, number>();
  active = null;
  return t;
}

/** Runs fn, adding its time to `bucket` when timing is on; a plain call otherwise. */
export function timeSync<T>(bucket: StepBucket, fn: () => T): T {
  if (!active) return fn();
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    active.set(bucket, (active.get(bucket) ?? 0) + performance.now() - t0);
  }
}

async function timeAsync<T>(bucket: StepBucket, fn: () => Promise<T>): Promise<T> {
  if (!active) return fn();
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    active?.set(bucket, (active.get(bucket) ?? 0) + performance.now() - t0);
  }
}

/**
 * The same backend, with every call's time (operand transfer included) counted as 'gemm', except
 * the element-wise graphs, which count as 'normGraphs' (part of the step's element-wise time).
 */
export function timedBackend(inner: GemmBackend): GemmBackend {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'dispose') return v;
      const bucket: StepBucket = NORM_METHODS.has(prop) ? 'normGraphs' : 'gemm';
      return (...args: unknown[]) => timeAsync(bucket, () => (v as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}
