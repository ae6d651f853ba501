// "Did you mean ...?" for misspelt property names and enum values: most manifest mistakes are
// typos (batchsize, int8_outlier), and naming the intended spelling saves a trip to the docs.

/** The candidate closest to `word`, if it is close enough to be a likely typo. */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    // Differences of case or of separators only (batch_size, BatchSize) count as nearly equal.
    const d = normalize(c) === normalize(word) ? 0.5 : editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

function normalize(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two neighbouring
 * letters as 1 each (optimal string alignment): swapped letters (modle) are the commonest typo.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
