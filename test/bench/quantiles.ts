/** Nearest-rank quantiles of benchmark samples. */

/** The q-quantile of `samples` (0 ≤ q ≤ 1): the sample at rank ⌊q·n⌋ of the sorted samples, the largest for q = 1. */
export function quantiles(samples: readonly number[]): (q: number) => number {
  const sorted = [...samples].sort((a, b) => a - b);
  return (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
