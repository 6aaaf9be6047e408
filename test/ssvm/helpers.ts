// Shared problem generators for the ssvm tests.
import { createRng, type Rng } from '@ebmkit/core';
import type { DenseSequence } from '@ebmkit/ssvm';

/** Random multiclass data: K Gaussian clusters in D dimensions (+ a constant feature). */
export function multiclassData(rng: Rng, n: number, K: number, D: number, spread = 1): { X: Float64Array[]; Y: number[] } {
  const centres = Array.from({ length: K }, () => rng.fillNormal(new Float64Array(D - 1), 0, 2));
  const X: Float64Array[] = [];
  const Y: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = rng.int(K);
    const x = new Float64Array(D);
    for (let f = 0; f < D - 1; f++) x[f] = centres[y]![f]! + spread * rng.normal();
    x[D - 1] = 1;
    X.push(x);
    Y.push(y);
  }
  return { X, Y };
}

/** Random chain data: labels from a Markov chain, features = noisy label prototypes. */
export function chainData(seed: number, n: number, L: number, D: number, opts: { minT?: number; maxT?: number; noise?: number } = {}) {
  const rng = createRng(seed);
  const protos = Array.from({ length: L }, () => rng.fillNormal(new Float64Array(D), 0, 1));
  const X: DenseSequence[] = [];
  const Y: Int32Array[] = [];
  const minT = opts.minT ?? 2;
  const maxT = opts.maxT ?? 4;
  for (let i = 0; i < n; i++) {
    const T = minT + rng.int(maxT - minT + 1);
    const y = new Int32Array(T);
    const features = new Float64Array(T * D);
    for (let t = 0; t < T; t++) {
      y[t] = t > 0 && rng.uniform() < 0.6 ? (y[t - 1]! + 1) % L : rng.int(L);
      for (let f = 0; f < D; f++) features[t * D + f] = protos[y[t]!]![f]! + (opts.noise ?? 1.5) * rng.normal();
    }
    X.push({ T, D, features });
    Y.push(y);
  }
  return { X, Y };
}
