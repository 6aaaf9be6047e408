/**
 * Gibbs sampling from p(y) ∝ exp(−E(y) / T) on a grid: sweep the pixels in scan order, drawing each label from its
 * conditional distribution given the neighbours. Randomness comes from an injected `Rng`.
 */
import type { Rng } from '@ebmkit/core';
import { unaryArgmin } from './alpha-expansion.js';
import { checkGridEnergy, checkLabels, type GridEnergy } from '../grid/grid-energy.js';
import { conditionalEnergies, localFieldContext } from './local-field.js';

/** Options of `gibbsSample`. */
export interface GibbsOptions {
  /** Random numbers (required: library code never uses Math.random). */
  rng: Rng;
  /** Full sweeps (default 10). */
  sweeps?: number;
  /** Sweeps discarded before marginal counts start (default 0). */
  burnIn?: number;
  /** Temperature T > 0 (default 1). */
  temperature?: number;
  /** Starting labelling (default: the per-pixel minimum of the unaries). It is not modified. */
  init?: ArrayLike<number>;
  /** Also estimate the marginals from the states after burn-in (one count per sweep). */
  marginals?: boolean;
}

/** The final state of the chain, and marginal estimates when asked for. */
export interface GibbsResult {
  labels: Uint8Array;
  /** `marginals[p·K + k]`, the fraction of counted sweeps with y_p = k. */
  marginals?: Float64Array;
}

/** Runs a Gibbs chain on the grid energy. */
export function gibbsSample(e: GridEnergy, options: GibbsOptions): GibbsResult {
  checkGridEnergy(e);
  const { width, height, numLabels: K } = e;
  const N = width * height;
  const sweeps = options.sweeps ?? 10;
  const burnIn = options.burnIn ?? 0;
  const T = options.temperature ?? 1;
  if (!(T > 0)) throw new RangeError(`temperature must be > 0, got ${T}`);
  if (!Number.isInteger(sweeps) || sweeps < 1) throw new RangeError(`sweeps must be an integer ≥ 1, got ${sweeps}`);
  const labels = new Uint8Array(N);
  if (options.init) {
    checkLabels(e, options.init);
    for (let p = 0; p < N; p++) labels[p] = options.init[p]!;
  } else unaryArgmin(e, labels);
  const counts = options.marginals ? new Float64Array(N * K) : undefined;
  const ctx = localFieldContext(e);
  const field = new Float64Array(K);
  const rng = options.rng;
  let counted = 0;
  for (let s = 0; s < sweeps; s++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        conditionalEnergies(ctx, labels, x, y, field);
        let min = Infinity;
        for (let k = 0; k < K; k++) if (field[k]! < min) min = field[k]!;
        let z = 0;
        for (let k = 0; k < K; k++) {
          const v = Math.exp(-(field[k]! - min) / T);
          field[k] = v;
          z += v;
        }
        let u = rng.uniform() * z;
        let k = 0;
        for (; k < K - 1; k++) {
          u -= field[k]!;
          if (u < 0) break;
        }
        labels[y * width + x] = k;
      }
    }
    if (counts && s >= burnIn) {
      counted++;
      for (let p = 0; p < N; p++) counts[p * K + labels[p]!]++;
    }
  }
  if (counts && counted > 0) for (let i = 0; i < counts.length; i++) counts[i] /= counted;
  return counts ? { labels, marginals: counts } : { labels };
}
