import type { Rng } from '../rng.js';
import { ChainWorkspace } from './inference.js';
import { kBest, type ScoredLabels } from './kbest.js';
import { checkPotentials, sequenceScore, type ChainPotentials } from './potentials.js';

/** Node marginals p(y_t = y) and edge marginals p(y_{t−1} = a, y_t = b). */
export interface ChainMarginals {
  /** [t·L + y], length T·L. */
  node: Float64Array;
  /** Σ over positions of the edge marginals, [a·L + b] (expected transition counts). */
  edgeSum: Float64Array;
  /** Per-position edge marginals [(t−1)·L·L + a·L + b], length (T−1)·L·L; only when asked for (`edges: true`). */
  edges?: Float64Array;
}

/**
 * The distribution p(y | x) ∝ exp(score(y)) of a linear chain, given its potentials (log-weights,
 * i.e. negative energies). Exact: log Z, marginals, MAP, k-best, samples, log-probabilities and entropy
 * all come from the one semiring dynamic program (`dp.ts`); results are computed lazily and cached.
 * Numerically stable for long chains (rows are rescaled at every step).
 */
export class ChainDistribution {
  readonly T: number;
  readonly L: number;
  readonly potentials: ChainPotentials;
  private readonly ws = new ChainWorkspace();
  private logZ: number | undefined;
  private cachedMarginals: ChainMarginals | undefined;

  constructor(potentials: ChainPotentials) {
    checkPotentials(potentials);
    const { T, L } = potentials;
    checkValues('unary', potentials.unary, T * L, L);
    checkValues('transition', potentials.transition, L * L, L);
    if (potentials.start) checkValues('start', potentials.start, L, L);
    if (potentials.end) checkValues('end', potentials.end, L, L);
    this.T = T;
    this.L = L;
    this.potentials = potentials;
  }

  /** log Z = log Σ_y exp(score(y)); −∞ when every labelling is forbidden. */
  get logPartition(): number {
    if (this.logZ === undefined) this.logZ = this.ws.logPartition(this.potentials);
    return this.logZ;
  }

  /** Node marginals and summed edge marginals; with `{edges: true}` also per-position edge marginals. */
  marginals(options: { edges?: boolean } = {}): ChainMarginals {
    const { T, L } = this;
    if (this.cachedMarginals && (!options.edges || this.cachedMarginals.edges)) return this.cachedMarginals;
    const node = new Float64Array(T * L);
    const edgeSum = new Float64Array(L * L);
    const edges = options.edges ? new Float64Array(Math.max(0, T - 1) * L * L) : null;
    const logZ = this.ws.sumProduct(this.potentials, node, edgeSum, edges);
    if (logZ === -Infinity) throw new RangeError('marginals: no labelling has non-zero probability');
    this.logZ = logZ;
    this.cachedMarginals = edges ? { node, edgeSum, edges } : { node, edgeSum };
    return this.cachedMarginals;
  }

  /** The most probable labelling (Viterbi) and its score. */
  argmax(): ScoredLabels {
    const labels = new Int32Array(this.T);
    const score = this.ws.viterbi(this.potentials, labels);
    if (score === -Infinity) throw new RangeError('argmax: no labelling has non-zero probability');
    return { labels, score };
  }

  /** The k most probable labellings in decreasing order (fewer if fewer are possible). */
  topK(k: number): ScoredLabels[] {
    return kBest(this.potentials, k);
  }

  /** One exact sample from p(y | x). */
  sample(rng: Rng): Int32Array {
    const out = new Int32Array(this.T);
    this.logZ = this.ws.sample(this.potentials, rng, out);
    return out;
  }

  /** The score (log-weight, −energy) of a labelling. */
  score(y: ArrayLike<number>): number {
    return sequenceScore(this.potentials, y);
  }

  /** log p(y | x). */
  logProb(y: ArrayLike<number>): number {
    return this.score(y) - this.logPartition;
  }

  /** Shannon entropy H = log Z − E_p[score(y)] in nats. */
  entropy(): number {
    const { T, L, potentials: p } = this;
    const m = this.marginals();
    let expected = 0;
    for (let t = 0; t < T; t++) {
      for (let y = 0; y < L; y++) {
        const q = m.node[t * L + y]!;
        if (q === 0) continue;
        let v = p.unary[t * L + y]!;
        if (t === 0 && p.start) v += p.start[y]!;
        if (t === T - 1 && p.end) v += p.end[y]!;
        expected += q * v;
      }
    }
    for (let k = 0; k < L * L; k++) {
      const q = m.edgeSum[k]!;
      if (q !== 0) expected += q * p.transition[k]!;
    }
    return Math.max(0, this.logPartition - expected);
  }
}

function checkValues(name: string, a: Float64Array, n: number, L: number): void {
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    if (Number.isNaN(v) || v === Infinity) {
      const where = name === 'transition' ? `[${Math.floor(i / L)}→${i % L}]` : name === 'unary' ? `[t=${Math.floor(i / L)}, y=${i % L}]` : `[${i}]`;
      throw new RangeError(`${name}${where} is ${v}; potentials must be finite or −∞`);
    }
  }
}
