import { LogSemiring, MaxSemiring } from '../chain/semiring.js';
import type { Rng } from '../rng.js';
import { chuLiuEdmonds } from './chu-liu-edmonds.js';
import { eisnerBacktrace, eisnerInside, eisnerOutside } from './eisner.js';
import { matrixTree } from './matrix-tree.js';
import { checkTreePotentials, treeError, treeScore, type TreeOptions, type TreePotentials } from './potentials.js';
import { wilsonSample } from './wilson.js';

/** A tree as head array (heads[0] = −1) with its score. */
export interface ScoredTree {
  heads: Int32Array;
  score: number;
}

/**
 * The distribution p(tree | x) ∝ exp(Σ_arcs θ(h → d)) over dependency trees, given arc potentials (log-weights,
 * i.e. negative energies). The same surface as `ChainDistribution`: log Z, arc marginals, MAP, samples,
 * log-probabilities and entropy.
 *
 * - projective: Eisner's inside–outside over semirings (`eisner.ts`): LogSemiring for log Z and marginals,
 *   MaxSemiring for the MAP tree, LogSemiring's stochastic `select` on the same chart for exact samples. O(n³).
 * - non-projective (default): the matrix-tree theorem (`matrix-tree.ts`) for log Z and marginals (O(n³)),
 *   Chu–Liu–Edmonds for the MAP tree, Wilson's algorithm for exact samples (the root word first drawn from its
 *   marginal when exactly one root word is required).
 *
 * Exactly one word attaches to the root unless `multiRoot`. Results are computed lazily and cached.
 */
export class TreeDistribution {
  readonly n: number;
  readonly potentials: TreePotentials;
  readonly projective: boolean;
  readonly multiRoot: boolean;
  private logZ: number | undefined;
  private cachedMarginals: Float64Array | undefined;

  constructor(potentials: TreePotentials, options: TreeOptions = {}) {
    checkTreePotentials(potentials);
    this.n = potentials.n;
    this.potentials = potentials;
    this.projective = options.projective ?? false;
    this.multiRoot = options.multiRoot ?? false;
  }

  /** log Z = log Σ_tree exp(score(tree)); −∞ when no tree is allowed. */
  get logPartition(): number {
    if (this.logZ === undefined) {
      this.logZ = this.projective
        ? eisnerInside(LogSemiring, this.potentials, !this.multiRoot).total
        : matrixTree(this.potentials, !this.multiRoot, false).logZ;
    }
    return this.logZ;
  }

  /** Arc marginals p(h → d) at [h·(n+1) + d] (zero where d = 0 or h = d); each dependent's column sums to 1. */
  marginals(): Float64Array {
    if (this.cachedMarginals) return this.cachedMarginals;
    const N = this.n + 1;
    let mu: Float64Array;
    if (this.projective) {
      const chart = eisnerInside(LogSemiring, this.potentials, !this.multiRoot);
      this.logZ = chart.total;
      if (chart.total === -Infinity) throw new RangeError('marginals: no tree has non-zero probability');
      mu = eisnerOutside(LogSemiring, chart, new Float64Array(N * N));
      for (let i = 0; i < mu.length; i++) mu[i] = Math.exp(mu[i]! - chart.total);
    } else {
      const r = matrixTree(this.potentials, !this.multiRoot, true);
      this.logZ = r.logZ;
      if (r.logZ === -Infinity) throw new RangeError('marginals: no tree has non-zero probability');
      mu = r.marginals!;
    }
    for (let h = 0; h < N; h++) mu[h * N] = 0;
    this.cachedMarginals = mu;
    return mu;
  }

  /** The most probable tree (Eisner in the max semiring, or Chu–Liu–Edmonds) and its score. */
  argmax(): ScoredTree {
    const N = this.n + 1;
    let heads: Int32Array;
    if (this.projective) {
      const chart = eisnerInside(MaxSemiring, this.potentials, !this.multiRoot);
      if (chart.total === -Infinity) throw new RangeError('argmax: no tree has non-zero probability');
      heads = eisnerBacktrace(MaxSemiring, chart, undefined, new Int32Array(N));
    } else {
      heads = chuLiuEdmonds(this.potentials.arcs, N, !this.multiRoot);
    }
    const score = treeScore(this.potentials, heads);
    if (score === -Infinity || treeError(heads, this.n, this) !== null) {
      throw new RangeError('argmax: no tree has non-zero probability');
    }
    return { heads, score };
  }

  /** One exact sample from p(tree | x). */
  sample(rng: Rng): Int32Array {
    const N = this.n + 1;
    const heads = new Int32Array(N);
    heads[0] = -1;
    if (this.projective) {
      const chart = eisnerInside(LogSemiring, this.potentials, !this.multiRoot);
      this.logZ = chart.total;
      if (chart.total === -Infinity) throw new RangeError('sample: no tree has non-zero probability');
      return eisnerBacktrace(LogSemiring, chart, rng, heads);
    }
    if (this.logPartition === -Infinity) throw new RangeError('sample: no tree has non-zero probability');
    const arcs = this.potentials.arcs;
    // Column-major log-weights: colLog[d·N + h] = θ(h → d).
    const colLog = new Float64Array(N * N).fill(-Infinity);
    for (let d = 1; d < N; d++) for (let h = 0; h < N; h++) if (h !== d) colLog[d * N + h] = arcs[h * N + d]!;
    const inTree = new Uint8Array(N);
    const nodes = Int32Array.from({ length: this.n }, (_, i) => i + 1);
    if (this.multiRoot) {
      inTree[0] = 1;
      return wilsonSample(colLog, N, nodes, inTree, heads, rng);
    }
    // Exactly one root word: draw it from its marginal, then a tree over the words rooted there.
    const mu = this.marginals();
    const r = 1 + rng.categorical(mu, 1, this.n);
    heads[r] = 0;
    inTree[r] = 1;
    inTree[0] = 1;
    for (let d = 1; d < N; d++) colLog[d * N] = -Infinity;
    return wilsonSample(colLog, N, nodes, inTree, heads, rng);
  }

  /** The score (sum of arc log-weights, −energy) of a tree. */
  score(heads: ArrayLike<number>): number {
    return treeScore(this.potentials, heads);
  }

  /** log p(tree | x); −∞ for a tree outside the support (non-projective when projective). Throws for a non-tree. */
  logProb(heads: ArrayLike<number>): number {
    const err = treeError(heads, this.n, { multiRoot: this.multiRoot });
    if (err !== null) throw new RangeError(`logProb: ${err}`);
    if (this.projective && treeError(heads, this.n, this) !== null) return -Infinity;
    return this.score(heads) - this.logPartition;
  }

  /** Shannon entropy H = log Z − Σ_arcs p(arc) θ(arc), in nats. */
  entropy(): number {
    const N = this.n + 1;
    const mu = this.marginals();
    const arcs = this.potentials.arcs;
    let expected = 0;
    for (let h = 0; h < N; h++) {
      for (let d = 1; d < N; d++) {
        const q = mu[h * N + d]!;
        if (q !== 0 && h !== d) expected += q * arcs[h * N + d]!;
      }
    }
    return Math.max(0, this.logPartition - expected);
  }
}
