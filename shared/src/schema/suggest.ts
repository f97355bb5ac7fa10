/**
 * "Did you mean" for misspelt names (builtins, providers, rotators, keys): the closest
 * candidate by optimal-string-alignment distance (Levenshtein plus adjacent transposition),
 * accepted only when close enough relative to the name's length.
 */

/** Edit distance where insert, delete, substitute and swap-adjacent each cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2][j - 2] + 1);
      d[i][j] = best;
    }
  }
  return d[a.length][b.length];
}

/** Largest distance still treated as a typo of a name of this length. */
function tolerance(length: number): number {
  return Math.max(1, Math.min(3, Math.floor(length / 3)));
}

/**
 * The candidate `name` most likely misspells, or undefined when none is close enough (or
 * `name` is itself a candidate). Case differences count as half an edit, so `AWS-Login`
 * suggests `aws-login`. Ties go to the earlier candidate.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) return undefined;
    const folded = editDistance(name.toLowerCase(), candidate.toLowerCase());
    const score = folded + (editDistance(name, candidate) > folded ? 0.5 : 0);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  if (best === undefined) return undefined;
  return bestScore <= tolerance(Math.max(name.length, best.length)) ? best : undefined;
}
