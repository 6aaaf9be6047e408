/** "Did you mean …?" suggestions for mistyped tasks, verbs, flags and corpus names. */

/** Edit distance counting insertions, deletions, substitutions and adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[] = new Array((m + 1) * (n + 1));
  const W = n + 1;
  for (let i = 0; i <= m; i++) d[i * W] = i;
  for (let j = 0; j <= n; j++) d[j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * W + j]! + 1, d[i * W + j - 1]! + 1, d[(i - 1) * W + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * W + j - 2]! + 1);
      d[i * W + j] = v;
    }
  }
  return d[m * W + n]!;
}

/** The candidate closest to `word` if it is close enough to be a plausible typo (or a unique prefix match), else undefined. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const prefixed = candidates.filter((c) => c.startsWith(word) && word.length >= 2);
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}
