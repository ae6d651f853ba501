// Mean, variance and kurtosis over many batches without keeping the batches: central moment sums
// per batch (two passes, exact in float64), merged with Pebay's pairwise formulas. Raw power sums
// would lose the fourth moment to cancellation whenever the mean is not small against the spread.

export interface Moments {
  n: number;
  mean: number;
  /** Sums of (x - mean)^2, ^3, ^4. */
  m2: number;
  m3: number;
  m4: number;
}

export function emptyMoments(): Moments {
  return { n: 0, mean: 0, m2: 0, m3: 0, m4: 0 };
}

/** Moments of a and b together (P. Pebay, SAND2008-6212, eq. 1.1-1.4). */
export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0) return { ...b };
  if (b.n === 0) return { ...a };
  const n = a.n + b.n;
  const d = b.mean - a.mean;
  const dn = d / n;
  const ab = a.n * b.n;
  return {
    n,
    mean: a.mean + dn * b.n,
    m2: a.m2 + b.m2 + d * dn * ab,
    m3: a.m3 + b.m3 + d * dn * dn * ab * (a.n - b.n) + 3 * dn * (a.n * b.m2 - b.n * a.m2),
    m4: a.m4 + b.m4 + d * dn * dn * dn * ab * (a.n * a.n - ab + b.n * b.n) +
      6 * dn * dn * (a.n * a.n * b.m2 + b.n * b.n * a.m2) + 4 * dn * (a.n * b.m3 - b.n * a.m3),
  };
}

/** Population standard deviation. */
export function stdOf(m: Moments): number {
  return m.n > 0 ? Math.sqrt(m.m2 / m.n) : 0;
}

/** Pearson kurtosis (3 for a Gaussian); null when every value is equal. */
export function kurtosisOf(m: Moments): number | null {
  return m.n > 0 && m.m2 > 0 ? (m.n * m.m4) / (m.m2 * m.m2) : null;
}
