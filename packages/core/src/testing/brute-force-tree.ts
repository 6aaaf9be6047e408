import type { Rng } from '../rng.js';
import { normalizeScores } from './brute-force.js';
import { treeError, treeScore, type TreeOptions, type TreePotentials } from '../tree/potentials.js';

/**
 * Every dependency tree over n words (head arrays, heads[0] = −1), in lexicographic order of heads[1..n]: every
 * head assignment (n+1)^n filtered to trees (and to single-root / projective trees as asked). n ≤ 7.
 */
export function* enumerateTrees(n: number, options: TreeOptions = {}): Generator<Int32Array> {
  if (n > 7) throw new RangeError(`enumerateTrees: n = ${n} is too many words to enumerate (at most 7)`);
  const N = n + 1;
  const total = N ** n;
  const heads = new Int32Array(N);
  heads[0] = -1;
  for (let i = 0; i < total; i++) {
    let r = i;
    for (let d = n; d >= 1; d--) {
      heads[d] = r % N;
      r = Math.floor(r / N);
    }
    if (treeError(heads, n, options) === null) yield heads.slice();
  }
}

/** Index of a head array in the order of `enumerateTrees` before filtering (a key for counting samples). */
export function treeKey(heads: ArrayLike<number>): number {
  const N = heads.length;
  let k = 0;
  for (let d = 1; d < N; d++) k = k * N + heads[d]!;
  return k;
}

/** Everything about a small tree distribution, computed by enumerating every tree. */
export interface BruteForceTree {
  trees: Int32Array[];
  scores: Float64Array;
  probs: Float64Array;
  logZ: number;
  /** Arc marginals [h·(n+1) + d]. */
  marginals: Float64Array;
  /** Best tree (first in enumeration order among ties) and its score. */
  argmax: { heads: Int32Array; score: number };
  entropy: number;
}

/** Enumerates every tree allowed by `options` for potentials `p` (n ≤ 7) and derives log Z, marginals, MAP, entropy. */
export function bruteForceTree(p: TreePotentials, options: TreeOptions = {}): BruteForceTree {
  const N = p.n + 1;
  const trees = [...enumerateTrees(p.n, options)];
  const scores = Float64Array.from(trees, (t) => treeScore(p, t));
  const { max: m, best, logZ, probs } = normalizeScores(scores);
  const marginals = new Float64Array(N * N);
  let entropy = 0;
  trees.forEach((t, i) => {
    const q = probs[i]!;
    if (q > 0) entropy -= q * Math.log(q);
    for (let d = 1; d < N; d++) marginals[t[d]! * N + d]! += q;
  });
  return { trees, scores, probs, logZ, marginals, argmax: { heads: trees[best]!, score: m }, entropy };
}

/** Random arc potentials with N(0, scale²) log-weights, for tests. */
export function randomTreePotentials(rng: Rng, n: number, options: { scale?: number } = {}): TreePotentials {
  const N = n + 1;
  const arcs = rng.fillNormal(new Float64Array(N * N), 0, options.scale ?? 1);
  for (let h = 0; h < N; h++) arcs[h * N] = -Infinity;
  for (let d = 0; d < N; d++) arcs[d * N + d] = -Infinity;
  return { n, arcs };
}
