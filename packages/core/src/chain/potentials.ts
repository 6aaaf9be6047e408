/**
 * Potentials of a linear chain over T positions and L labels, as flat arrays of log-weights
 * (negative energies): score(y) = start[y_0] + Σ_t unary[t·L + y_t] + Σ_t transition[y_{t−1}·L + y_t] + end[y_{T−1}],
 * and p(y) = exp(score(y) − log Z). −∞ forbids a label or a transition.
 */
export interface ChainPotentials {
  readonly T: number;
  readonly L: number;
  /** [t·L + y], length T·L. */
  readonly unary: Float64Array;
  /** [a·L + b] for the transition a → b, length L·L. */
  readonly transition: Float64Array;
  /** Optional log-weight of starting in each label, length L. */
  readonly start?: Float64Array;
  /** Optional log-weight of ending in each label, length L. */
  readonly end?: Float64Array;
}

/** Checks shapes (not values, which may be −∞); throws a RangeError naming the mismatch. */
export function checkPotentials(p: ChainPotentials): void {
  const { T, L } = p;
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`chain length T must be a positive integer, got ${T}`);
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`number of labels L must be a positive integer, got ${L}`);
  if (p.unary.length < T * L) throw new RangeError(`unary length ${p.unary.length} < T·L = ${T}·${L} = ${T * L}`);
  if (p.transition.length < L * L) throw new RangeError(`transition length ${p.transition.length} < L·L = ${L * L}`);
  if (p.start && p.start.length < L) throw new RangeError(`start length ${p.start.length} < L = ${L}`);
  if (p.end && p.end.length < L) throw new RangeError(`end length ${p.end.length} < L = ${L}`);
}

/** Potentials from energies: each log-weight is the negated energy (p ∝ exp(−E)). */
export function potentialsFromEnergies(e: {
  T: number;
  L: number;
  unary: Float64Array;
  transition: Float64Array;
  start?: Float64Array;
  end?: Float64Array;
}): ChainPotentials {
  const neg = (a: Float64Array) => a.map((v) => -v);
  return {
    T: e.T,
    L: e.L,
    unary: neg(e.unary),
    transition: neg(e.transition),
    ...(e.start ? { start: neg(e.start) } : {}),
    ...(e.end ? { end: neg(e.end) } : {}),
  };
}

/** The score (log-weight) of one labelling y (length T, labels in [0, L)). */
export function sequenceScore(p: ChainPotentials, y: ArrayLike<number>): number {
  const { T, L, unary, transition } = p;
  if (y.length !== T) throw new RangeError(`labels length ${y.length} !== sequence length ${T}`);
  let s = 0;
  for (let t = 0; t < T; t++) {
    const b = y[t]!;
    if (!(b >= 0 && b < L && Number.isInteger(b))) throw new RangeError(`label ${b} at position ${t} is not in [0, ${L})`);
    s += unary[t * L + b]!;
    if (t > 0) s += transition[y[t - 1]! * L + b]!;
  }
  if (p.start) s += p.start[y[0]!]!;
  if (p.end) s += p.end[y[T - 1]!]!;
  return s;
}
