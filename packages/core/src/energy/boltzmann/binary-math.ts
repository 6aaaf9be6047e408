/**
 * Scalar helpers shared by the Boltzmann-machine code: numerically stable softplus, sigmoid and
 * log-sum-exp in Float64, and a fast fill of float32 uniforms from an injected `Rng`.
 */
import { fillUniformPairs32, type Rng } from '../../rng.js';

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** 1 / (1 + e^−x). */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** log Σ_i exp(a[i]) over the first `n` entries (−Infinity for none). */
export function logSumExp(a: ArrayLike<number>, n = a.length): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (a[i]! > m) m = a[i]!;
  if (m === -Infinity || !Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(a[i]! - m);
  return m + Math.log(s);
}

/**
 * Fills `out` with uniforms on [0, 1) good to 26 bits (plenty for float32 Bernoulli draws): each `rng.uniform()`
 * (53 random bits) is split into two draws, halving the generator calls of `rng.fillUniform` (rng.ts
 * `fillUniformPairs32`, without a call per draw for the generators of `createRng`).
 */
export function fillUniform32(rng: Rng, out: Float32Array): Float32Array {
  return fillUniformPairs32(rng, out);
}

/** Index of the bit that changes between Gray codes g(k−1) and g(k) (k ≥ 1): the number of trailing zeros of k. */
export function grayFlipBit(k: number): number {
  let b = 0;
  while ((k & 1) === 0) {
    k >>>= 1;
    b++;
  }
  return b;
}
