import type { ChainPotentials } from '../chain/potentials.js';
import { sequenceScore } from '../chain/potentials.js';
import type { Semiring } from '../chain/semiring.js';

/** Every labelling of a chain of length T over L labels, in lexicographic order (L^T of them). */
export function* enumerateLabellings(T: number, L: number): Generator<Int32Array> {
  const y = new Int32Array(T);
  const n = L ** T;
  if (n > 5e6) throw new RangeError(`enumerateLabellings: L^T = ${L}^${T} is too many to enumerate`);
  for (let i = 0; i < n; i++) {
    let r = i;
    for (let t = T - 1; t >= 0; t--) {
      y[t] = r % L;
      r = Math.floor(r / L);
    }
    yield y.slice();
  }
}

/** Index of a labelling in the order of `enumerateLabellings`. */
export function labellingIndex(y: ArrayLike<number>, L: number): number {
  let i = 0;
  for (let t = 0; t < y.length; t++) i = i * L + y[t]!;
  return i;
}

/**
 * ⊕ over every labelling of ⊗ over its potentials, in any semiring, by enumeration; returned in the log
 * domain (`sr.lower`). With SumSemiring this is log Z, with MaxSemiring the best score.
 * Potentials are lifted without shifting, so keep them moderate (|score| ≲ 700) for the sum semiring.
 */
export function bruteForceSemiring(p: ChainPotentials, sr: Semiring): number {
  const { T, L } = p;
  let total = sr.zero;
  for (const y of enumerateLabellings(T, L)) {
    let v = sr.one;
    for (let t = 0; t < T; t++) {
      let w = p.unary[t * L + y[t]!]!;
      if (t > 0) w += p.transition[y[t - 1]! * L + y[t]!]!;
      if (t === 0 && p.start) w += p.start[y[0]!]!;
      if (t === T - 1 && p.end) w += p.end[y[T - 1]!]!;
      v = sr.times(v, sr.lift(w));
    }
    total = sr.plus(total, v);
  }
  return sr.lower(total);
}

/** Everything about a small chain's distribution, computed by enumerating all L^T labellings. */
export interface BruteForceChain {
  logZ: number;
  /** score of every labelling, in enumeration order. */
  scores: Float64Array;
  /** p(y) of every labelling, in enumeration order. */
  probs: Float64Array;
  /** [t·L + y] */
  node: Float64Array;
  /** [(t−1)·L·L + a·L + b] */
  edges: Float64Array;
  /** Σ_t edges */
  edgeSum: Float64Array;
  /** Best labelling (first in enumeration order among ties) and its score. */
  argmax: { labels: Int32Array; score: number };
  entropy: number;
  /** The k best labellings, by decreasing score, ties in enumeration order. */
  topK(k: number): { labels: Int32Array; score: number }[];
}

/** Enumerates every labelling of `p` (keep L^T small) and derives log Z, marginals, MAP, top-k, entropy. */
export function bruteForceChain(p: ChainPotentials): BruteForceChain {
  const { T, L } = p;
  const all = [...enumerateLabellings(T, L)];
  const scores = Float64Array.from(all, (y) => sequenceScore(p, y));
  const { max: m, best, logZ, probs } = normalizeScores(scores);
  const node = new Float64Array(T * L);
  const edges = new Float64Array(Math.max(0, T - 1) * L * L);
  const edgeSum = new Float64Array(L * L);
  let entropy = 0;
  all.forEach((y, i) => {
    const q = probs[i]!;
    if (q > 0) entropy -= q * Math.log(q);
    for (let t = 0; t < T; t++) {
      node[t * L + y[t]!]! += q;
      if (t > 0) {
        edges[(t - 1) * L * L + y[t - 1]! * L + y[t]!]! += q;
        edgeSum[y[t - 1]! * L + y[t]!]! += q;
      }
    }
  });
  return {
    logZ,
    scores,
    probs,
    node,
    edges,
    edgeSum,
    argmax: { labels: all[best]!, score: m },
    entropy,
    topK(k: number) {
      const order = [...scores.keys()].filter((i) => scores[i]! > -Infinity);
      order.sort((a, b) => scores[b]! - scores[a]! || a - b);
      return order.slice(0, k).map((i) => ({ labels: all[i]!, score: scores[i]! }));
    },
  };
}

/** The distribution exp(score − log Z) over enumerated structures: log Z, probabilities, best index (first on ties). */
export function normalizeScores(scores: Float64Array): { max: number; best: number; logZ: number; probs: Float64Array } {
  let max = -Infinity;
  let best = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > max) (max = scores[i]!), (best = i);
  let z = 0;
  for (const s of scores) z += Math.exp(s - max);
  const logZ = max + Math.log(z);
  return { max, best, logZ, probs: scores.map((s) => Math.exp(s - logZ)) };
}
