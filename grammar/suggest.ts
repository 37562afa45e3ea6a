/**
 * "Did you mean ...?" suggestions for unknown names.
 *
 * Distance is the optimal-string-alignment variant of Damerau-Levenshtein
 * (insertions, deletions, substitutions and transpositions of neighbours each
 * cost 1), computed on lower-cased names so `ReLU` finds `relu`. A candidate is
 * suggested only when it is close enough for the suggestion to be useful.
 */

/** Optimal-string-alignment distance between `a` and `b` (case-sensitive). */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Three rolling rows: two back (for transpositions), one back, current.
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (prev2[j - 2] ?? 0) + 1);
      }
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m] ?? 0;
}

/**
 * The largest distance at which a candidate still counts as a likely typo of
 * a name of this length: 1 up to 4 characters, 2 up to 8, then 3.
 */
export function maxSuggestionDistance(length: number): number {
  if (length <= 4) return 1;
  if (length <= 8) return 2;
  return 3;
}

/**
 * The known name closest to `name`, or undefined when none is close enough.
 * Ties go to the candidate listed first, so results are deterministic.
 * An exact (case-sensitive) match is never suggested.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const limit = maxSuggestionDistance(name.length);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const d = editDistance(lower, candidate.toLowerCase());
    // A candidate must not be mostly rewritten: the distance stays below its length.
    if (d > limit || d >= Math.max(candidate.length, 1) || d >= bestDistance) continue;
    best = candidate;
    bestDistance = d;
  }
  return best;
}

/** `did you mean 'x'?` for the closest candidate, or undefined when none is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const best = closest(name, candidates);
  return best === undefined ? undefined : `did you mean '${best}'?`;
}
