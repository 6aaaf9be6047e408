import type { Rng } from '../rng.js';

/**
 * A semiring for the chain dynamic program, in a numerically safe representation.
 *
 * Potentials are log-weights (negative energies). `lift` maps a (shifted) log-weight into the
 * semiring's representation and `lower` maps a value back to the log domain. After every step the
 * DP calls `normalize`, which rescales a row in place and returns the log of the factor taken out,
 * so values stay in range for any sequence length.
 *
 * - `SumSemiring` (the log semiring, computed in scaled probability space: ⊕ = +, ⊗ = ×) gives
 *   log Z and, with its stochastic `select`, exact samples (forward filtering, backward sampling).
 * - `MaxSemiring` (max-plus on log-weights: ⊕ = max, ⊗ = +) gives the Viterbi score, and with its
 *   `select` (argmax) the Viterbi path.
 *
 * The backtrace is the same for both: at each step it `select`s a predecessor from the weights
 * α_t(a) ⊗ ψ(a, y_{t+1}); argmax gives MAP, a categorical draw gives a sample.
 */
export interface Semiring {
  readonly name: string;
  /** Additive identity (the value of an impossible path). */
  readonly zero: number;
  /** Multiplicative identity. */
  readonly one: number;
  plus(a: number, b: number): number;
  times(a: number, b: number): number;
  /** Log-weight → representation. */
  lift(logWeight: number): number;
  /** Representation → log-weight. */
  lower(value: number): number;
  /** Optional fast path: row[offset + i] = lift(row[offset + i] − shift) for i < length. */
  liftRow?(row: Float64Array, offset: number, length: number, shift: number): void;
  /**
   * Rescales `row[offset .. offset+length)` in place so its largest entry is O(1); returns the log of the
   * factor removed (so that lower(original) = lower(rescaled) + returned value). Returns −∞ if every
   * entry is `zero` (the row is impossible).
   */
  normalize(row: Float64Array, offset: number, length: number): number;
  /** Chooses an index among `weights[offset .. offset+length)` (argmax, or a draw proportional to weight). */
  select(weights: Float64Array, offset: number, length: number, rng: Rng | undefined): number;
  /**
   * The semiring matrix–vector product the DP is made of:
   * out[outOff + j] = (⊕_i N[j·L + i] ⊗ v[vOff + i]) ⊗ u[uOff + j] for i, j < L (`u` null: ⊗ one).
   * N is row-major L×L with row j holding the weights into j (so rows are read contiguously);
   * `out` must not overlap `v`.
   * Each built-in semiring implements it as its own monomorphic loop (the hot loop of every chain
   * algorithm); `genericMatvec` builds one from `plus`/`times` for a custom semiring.
   */
  matvec(
    L: number,
    v: Float64Array,
    vOff: number,
    N: Float64Array,
    u: Float64Array | null,
    uOff: number,
    out: Float64Array,
    outOff: number,
  ): void;
}

/** The semiring matrix–vector product of any semiring from its scalar `plus` and `times` (slower). */
export function genericMatvec(sr: Pick<Semiring, 'zero' | 'plus' | 'times'>): Semiring['matvec'] {
  return (L, v, vOff, N, u, uOff, out, outOff) => {
    for (let j = 0; j < L; j++) {
      let acc = sr.zero;
      for (let i = 0; i < L; i++) acc = sr.plus(acc, sr.times(N[j * L + i]!, v[vOff + i]!));
      out[outOff + j] = u === null ? acc : sr.times(acc, u[uOff + j]!);
    }
  };
}

/** The log semiring (sum-product), represented as rescaled probabilities; `select` samples. */
export const SumSemiring: Semiring = {
  name: 'sum',
  zero: 0,
  one: 1,
  plus: (a, b) => a + b,
  times: (a, b) => a * b,
  lift: (w) => Math.exp(w),
  lower: (v) => Math.log(v),
  liftRow(row, offset, length, shift) {
    for (let i = offset; i < offset + length; i++) row[i] = Math.exp(row[i]! - shift);
  },
  normalize(row, offset, length) {
    let s = 0;
    for (let i = 0; i < length; i++) s += row[offset + i]!;
    if (s === 0) return -Infinity;
    const inv = 1 / s;
    for (let i = 0; i < length; i++) row[offset + i]! *= inv;
    return Math.log(s);
  },
  select(weights, offset, length, rng) {
    if (!rng) throw new TypeError('SumSemiring.select needs an rng (sampling)');
    return rng.categorical(weights, offset, length);
  },
  matvec(L, v, vOff, N, u, uOff, out, outOff) {
    // Four output rows at a time, two accumulators each: every v[i] load serves four rows and eight
    // independent sums hide the add latency (about 2× faster in V8 than one dot product per row).
    let j = 0;
    for (; j + 3 < L; j += 4) {
      const r0 = j * L;
      const r1 = r0 + L;
      const r2 = r1 + L;
      const r3 = r2 + L;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      let i = 0;
      for (; i + 1 < L; i += 2) {
        const x = v[vOff + i]!;
        const y = v[vOff + i + 1]!;
        a0 += N[r0 + i]! * x;
        a1 += N[r1 + i]! * x;
        a2 += N[r2 + i]! * x;
        a3 += N[r3 + i]! * x;
        b0 += N[r0 + i + 1]! * y;
        b1 += N[r1 + i + 1]! * y;
        b2 += N[r2 + i + 1]! * y;
        b3 += N[r3 + i + 1]! * y;
      }
      if (i < L) {
        const x = v[vOff + i]!;
        a0 += N[r0 + i]! * x;
        a1 += N[r1 + i]! * x;
        a2 += N[r2 + i]! * x;
        a3 += N[r3 + i]! * x;
      }
      if (u === null) {
        out[outOff + j] = a0 + b0;
        out[outOff + j + 1] = a1 + b1;
        out[outOff + j + 2] = a2 + b2;
        out[outOff + j + 3] = a3 + b3;
      } else {
        out[outOff + j] = (a0 + b0) * u[uOff + j]!;
        out[outOff + j + 1] = (a1 + b1) * u[uOff + j + 1]!;
        out[outOff + j + 2] = (a2 + b2) * u[uOff + j + 2]!;
        out[outOff + j + 3] = (a3 + b3) * u[uOff + j + 3]!;
      }
    }
    for (; j < L; j++) {
      const r = j * L;
      let a0 = 0;
      let a1 = 0;
      let i = 0;
      for (; i + 1 < L; i += 2) {
        a0 += N[r + i]! * v[vOff + i]!;
        a1 += N[r + i + 1]! * v[vOff + i + 1]!;
      }
      if (i < L) a0 += N[r + i]! * v[vOff + i]!;
      out[outOff + j] = u === null ? a0 + a1 : (a0 + a1) * u[uOff + j]!;
    }
  },
};

/**
 * The log semiring in the log domain (⊕ = log-sum-exp, ⊗ = +). Exact for any range of potentials but
 * slower than `SumSemiring` (an exp per cell); chain inference switches to it when potentials span more
 * than `SCALED_RANGE_LIMIT` nats, where the rescaled probabilities of `SumSemiring` could underflow.
 */
export const LogSemiring: Semiring = {
  name: 'log',
  zero: -Infinity,
  one: 0,
  plus: (a, b) => {
    if (a === -Infinity) return b;
    if (b === -Infinity) return a;
    return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
  },
  times: (a, b) => a + b,
  lift: (w) => w,
  lower: (v) => v,
  liftRow: subtractShift,
  normalize: (row, offset, length) => shiftByMax(row, offset, length),
  select(weights, offset, length, rng) {
    if (!rng) throw new TypeError('LogSemiring.select needs an rng (sampling)');
    return rng.categoricalLog(weights, offset, length);
  },
  matvec(L, v, vOff, N, u, uOff, out, outOff) {
    for (let j = 0; j < L; j++) {
      const r = j * L;
      let mx = -Infinity;
      for (let i = 0; i < L; i++) {
        const x = N[r + i]! + v[vOff + i]!;
        if (x > mx) mx = x;
      }
      let acc = -Infinity;
      if (mx !== -Infinity) {
        let s = 0;
        for (let i = 0; i < L; i++) s += Math.exp(N[r + i]! + v[vOff + i]! - mx);
        acc = mx + Math.log(s);
      }
      out[outOff + j] = u === null ? acc : acc + u[uOff + j]!;
    }
  },
};

/**
 * Largest spread (max − min over finite values) of a unary row or of the transition table for which
 * `SumSemiring`'s rescaled probabilities are exact to double precision; wider potentials use `LogSemiring`.
 */
export const SCALED_RANGE_LIMIT = 300;

function subtractShift(row: Float64Array, offset: number, length: number, shift: number): void {
  for (let i = offset; i < offset + length; i++) row[i]! -= shift;
}

function shiftByMax(row: Float64Array, offset: number, length: number): number {
  let m = -Infinity;
  for (let i = 0; i < length; i++) if (row[offset + i]! > m) m = row[offset + i]!;
  if (m === -Infinity) return -Infinity;
  for (let i = 0; i < length; i++) row[offset + i]! -= m;
  return m;
}

/** The max-plus (Viterbi) semiring on log-weights; `select` is argmax (lowest index on ties). */
export const MaxSemiring: Semiring = {
  name: 'max',
  zero: -Infinity,
  one: 0,
  plus: (a, b) => (a >= b ? a : b),
  times: (a, b) => a + b,
  lift: (w) => w,
  lower: (v) => v,
  liftRow: subtractShift,
  normalize: (row, offset, length) => shiftByMax(row, offset, length),
  select(weights, offset, length) {
    let best = 0;
    let bv = -Infinity;
    for (let i = 0; i < length; i++) {
      const v = weights[offset + i]!;
      if (v > bv) {
        bv = v;
        best = i;
      }
    }
    return best;
  },
  matvec: maxPlusMatvec,
};

/**
 * MaxSemiring's matvec: out[j] = max_i (N[j·L + i] + v[i]) (+ u[j]), four output labels per pass over v (one load of
 * v[i] serves four rows). The max of the same sums in any grouping is the same number, so this equals the plain
 * loop exactly.
 */
function maxPlusMatvec(
  L: number,
  v: Float64Array,
  vOff: number,
  N: Float64Array,
  u: Float64Array | null,
  uOff: number,
  out: Float64Array,
  outOff: number,
): void {
  let j = 0;
  for (; j + 3 < L; j += 4) {
    const r0 = j * L;
    const r1 = r0 + L;
    const r2 = r1 + L;
    const r3 = r2 + L;
    let a0 = -Infinity;
    let a1 = -Infinity;
    let a2 = -Infinity;
    let a3 = -Infinity;
    for (let i = 0; i < L; i++) {
      const vi = v[vOff + i]!;
      const x0 = N[r0 + i]! + vi;
      const x1 = N[r1 + i]! + vi;
      const x2 = N[r2 + i]! + vi;
      const x3 = N[r3 + i]! + vi;
      if (x0 > a0) a0 = x0;
      if (x1 > a1) a1 = x1;
      if (x2 > a2) a2 = x2;
      if (x3 > a3) a3 = x3;
    }
    if (u === null) {
      out[outOff + j] = a0;
      out[outOff + j + 1] = a1;
      out[outOff + j + 2] = a2;
      out[outOff + j + 3] = a3;
    } else {
      out[outOff + j] = a0 + u[uOff + j]!;
      out[outOff + j + 1] = a1 + u[uOff + j + 1]!;
      out[outOff + j + 2] = a2 + u[uOff + j + 2]!;
      out[outOff + j + 3] = a3 + u[uOff + j + 3]!;
    }
  }
  for (; j < L; j++) {
    const r = j * L;
    let acc = -Infinity;
    for (let i = 0; i < L; i++) {
      const x = N[r + i]! + v[vOff + i]!;
      if (x > acc) acc = x;
    }
    out[outOff + j] = u === null ? acc : acc + u[uOff + j]!;
  }
}
