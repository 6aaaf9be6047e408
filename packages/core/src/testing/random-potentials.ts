import type { ChainPotentials } from '../chain/potentials.js';
import type { Rng } from '../rng.js';

/** Options for `randomChainPotentials`. */
export interface RandomPotentialOptions {
  /** Standard deviation of the Gaussian log-weights (default 1). */
  scale?: number;
  /** Probability that a transition is forbidden (−∞); at least one transition into and out of every label stays allowed. Default 0. */
  forbidTransitions?: number;
  /** Also draw start/end potentials (default false). */
  startEnd?: boolean;
}

/** Random chain potentials with N(0, scale²) log-weights, for tests. */
export function randomChainPotentials(rng: Rng, T: number, L: number, options: RandomPotentialOptions = {}): ChainPotentials {
  const scale = options.scale ?? 1;
  const unary = rng.fillNormal(new Float64Array(T * L), 0, scale);
  const transition = rng.fillNormal(new Float64Array(L * L), 0, scale);
  const q = options.forbidTransitions ?? 0;
  if (q > 0) {
    for (let a = 0; a < L; a++) {
      const keep = rng.int(L); // a → keep stays allowed, and keep's row stays reachable
      for (let b = 0; b < L; b++) if (b !== keep && b !== a && rng.uniform() < q) transition[a * L + b] = -Infinity;
    }
  }
  if (options.startEnd) {
    return {
      T,
      L,
      unary,
      transition,
      start: rng.fillNormal(new Float64Array(L), 0, scale),
      end: rng.fillNormal(new Float64Array(L), 0, scale),
    };
  }
  return { T, L, unary, transition };
}
