/**
 * Hamming loss folded into potentials: out[t·L + l] = unary[t·L + l] + scale·c(y_t) for every l ≠ y_t,
 * where c is an optional per-class weight of the true label (1 by default). Maximising the augmented
 * score with an unchanged algorithm is margin-rescaled loss-augmented inference.
 */
export function addHammingLoss(
  unary: Float64Array,
  T: number,
  L: number,
  y: ArrayLike<number>,
  options: { classWeights?: ArrayLike<number>; scale?: number; out?: Float64Array } = {},
): Float64Array {
  if (y.length !== T) throw new RangeError(`labels length ${y.length} !== sequence length ${T}`);
  const out = options.out ?? new Float64Array(T * L);
  const scale = options.scale ?? 1;
  const cw = options.classWeights;
  for (let t = 0; t < T; t++) {
    const yt = y[t]!;
    const c = scale * (cw ? cw[yt]! : 1);
    const o = t * L;
    for (let l = 0; l < L; l++) out[o + l] = unary[o + l]! + (l === yt ? 0 : c);
  }
  return out;
}

/** Σ_t c(y_t)·[y_t ≠ ŷ_t] (class-weighted Hamming distance; plain count without weights). */
export function hammingLoss(y: ArrayLike<number>, yHat: ArrayLike<number>, classWeights?: ArrayLike<number>): number {
  if (y.length !== yHat.length) throw new RangeError(`labels length ${yHat.length} !== reference length ${y.length}`);
  let s = 0;
  for (let t = 0; t < y.length; t++) if (y[t] !== yHat[t]) s += classWeights ? classWeights[y[t]!]! : 1;
  return s;
}
