// Seeded test data, so a failing case can be reproduced from its seed.
import { Rng } from '../../engine/nn/ops/rng';

export class TestRandom {
  private readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.rng.nextFloat();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng.nextFloat() * (hi - lo + 1));
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = Math.max(this.rng.nextFloat(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.rng.nextFloat());
  }
  floats(n: number, scale = 1): Float32Array {
    return Float32Array.from({ length: n }, () => this.normal() * scale);
  }
  int8s(n: number, lo = -128, hi = 127): Int8Array {
    return Int8Array.from({ length: n }, () => this.int(lo, hi));
  }
}

/**
 * Activations like a transformer's: mostly N(0, 1), with a few planted outlier columns. In BERT
 * the outliers sit on a few tokens ([SEP], '.', ','): `rowFraction` is the share of rows
 * (tokens) that carry them; 1 plants them on every row.
 */
export function plantedActivations(
  rnd: TestRandom,
  rows: number,
  cols: number,
  outlierCols: number[],
  magnitude: number,
  rowFraction = 1,
): Float32Array {
  const x = rnd.floats(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (rowFraction < 1 && rnd.uniform() >= rowFraction) continue;
    for (const c of outlierCols) x[r * cols + c] = (rnd.uniform() < 0.5 ? -1 : 1) * magnitude * (0.5 + rnd.uniform());
  }
  return x;
}
