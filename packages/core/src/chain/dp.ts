import type { Rng } from '../rng.js';
import type { ChainPotentials } from './potentials.js';
import type { Semiring } from './semiring.js';

/**
 * The one chain dynamic program, written once over a `Semiring`.
 *
 * Each step is the semiring's matrix–vector product `sr.matvec`: out[j] = (⊕_i N[j·L + i] ⊗ v[i]) ⊗ u[j].
 * The forward pass uses it with N = the transposed transition table (row b: weights a → b), the backward
 * pass with N = the transition table itself, in any semiring;
 * `backtrace` turns a forward table into a labelling by the semiring's `select` (argmax → Viterbi,
 * categorical → exact sample).
 */

/** Potentials lifted into a semiring's representation, with the shifts taken out (all in log domain). */
export interface LiftedChain {
  readonly T: number;
  readonly L: number;
  /** lift(unary − rowShift_t) with start/end folded into the first/last rows; [t·L + y]. */
  readonly unary: Float64Array;
  /** lift(transition − transitionShift); [a·L + b]. */
  readonly transition: Float64Array;
  /** The same table transposed: [b·L + a]. */
  readonly transitionT: Float64Array;
  /** Σ of all shifts: add to a lowered result to get the true log value. −∞ if some row is impossible. */
  readonly shift: number;
}

/**
 * Lifts a transition table into `sr`'s representation, shifted by its maximum (so lifted values are ≤ lift(0)),
 * writing the table and its transpose. Returns the maximum (the shift; −∞ if every transition is forbidden).
 */
export function liftTransition(
  sr: Semiring,
  L: number,
  source: Float64Array,
  transition: Float64Array,
  transitionT: Float64Array,
): number {
  let tm = -Infinity;
  for (let k = 0; k < L * L; k++) if (source[k]! > tm) tm = source[k]!;
  const ts = tm === -Infinity ? 0 : tm;
  for (let a = 0; a < L; a++) {
    for (let b = 0; b < L; b++) transitionT[b * L + a] = transition[a * L + b] = sr.lift(source[a * L + b]! - ts);
  }
  return tm;
}

/**
 * Lifts the unary rows of `p` (start/end folded into the first/last rows), each shifted by its maximum.
 * Returns the sum of the row shifts (−∞ if some row is all −∞), or NaN — leaving `unary` partly written —
 * as soon as a row's finite values span more than `maxSpread` nats (the caller then lifts into another semiring).
 */
export function liftUnary(sr: Semiring, p: ChainPotentials, unary: Float64Array, maxSpread = Infinity): number {
  const { T, L } = p;
  const src = p.unary;
  let shift = 0;
  for (let t = 0; t < T; t++) {
    const o = t * L;
    const start = t === 0 ? p.start ?? null : null;
    const end = t === T - 1 ? p.end ?? null : null;
    let m = -Infinity;
    let lo = Infinity;
    if (start === null && end === null) {
      for (let y = 0; y < L; y++) {
        const v = src[o + y]!;
        unary[o + y] = v;
        if (v > m) m = v;
        if (v < lo && v !== -Infinity) lo = v;
      }
    } else {
      for (let y = 0; y < L; y++) {
        let v = src[o + y]!;
        if (start !== null) v += start[y]!;
        if (end !== null) v += end[y]!;
        unary[o + y] = v;
        if (v > m) m = v;
        if (v < lo && v !== -Infinity) lo = v;
      }
    }
    if (m - lo > maxSpread) return NaN;
    shift += m;
    if (sr.liftRow) sr.liftRow(unary, o, L, m === -Infinity ? 0 : m);
    else {
      const ms = m === -Infinity ? 0 : m;
      for (let y = 0; y < L; y++) unary[o + y] = sr.lift(unary[o + y]! - ms);
    }
  }
  return shift;
}

/**
 * Lifts potentials into `sr`'s representation (`liftTransition` and `liftUnary`). An all −∞ row or
 * table makes every labelling impossible: the shift is then −∞ (log Z = −∞).
 */
export function liftChain(
  sr: Semiring,
  p: ChainPotentials,
  out?: { unary?: Float64Array; transition?: Float64Array; transitionT?: Float64Array },
): LiftedChain {
  const { T, L } = p;
  const unary = out?.unary && out.unary.length >= T * L ? out.unary : new Float64Array(T * L);
  const transition = out?.transition && out.transition.length >= L * L ? out.transition : new Float64Array(L * L);
  const transitionT = out?.transitionT && out.transitionT.length >= L * L ? out.transitionT : new Float64Array(L * L);
  const tm = T > 1 ? liftTransition(sr, L, p.transition, transition, transitionT) : 0;
  const shift = (T > 1 ? (T - 1) * tm : 0) + liftUnary(sr, p, unary);
  return { T, L, unary, transition, transitionT, shift };
}

/**
 * Forward pass. Fills `alpha` ([t·L + y], rows rescaled by `sr.normalize`) and `logScale[t]` (the log of the
 * factor removed from row t). Returns the lowered total ⊕_y α_{T−1}(y) in the log domain including the
 * chain's shift: log Z in the sum semiring, the Viterbi score in the max semiring (−∞ if infeasible).
 */
export function forward(sr: Semiring, c: LiftedChain, alpha: Float64Array, logScale: Float64Array): number {
  const { T, L, unary, transitionT } = c;
  for (let y = 0; y < L; y++) alpha[y] = unary[y]!;
  let total = c.shift + (logScale[0] = sr.normalize(alpha, 0, L));
  for (let t = 1; t < T; t++) {
    sr.matvec(L, alpha, (t - 1) * L, transitionT, unary, t * L, alpha, t * L);
    total += logScale[t] = sr.normalize(alpha, t * L, L);
  }
  // After normalisation the last row's ⊕ is lift(0) up to rounding; add its exact lowered value.
  let acc = sr.zero;
  for (let y = 0; y < L; y++) acc = sr.plus(acc, alpha[(T - 1) * L + y]!);
  return total + sr.lower(acc);
}

/**
 * Backward pass: β_t(a) = ⊕_b ψ(a,b) ⊗ φ_{t+1}(b) ⊗ β_{t+1}(b), rows rescaled by `sr.normalize`.
 * `scratch` needs length ≥ L.
 */
export function backward(sr: Semiring, c: LiftedChain, beta: Float64Array, scratch: Float64Array): void {
  const { T, L, unary, transition } = c;
  const last = (T - 1) * L;
  for (let y = 0; y < L; y++) beta[last + y] = sr.one;
  for (let t = T - 2; t >= 0; t--) {
    const n = (t + 1) * L;
    for (let b = 0; b < L; b++) scratch[b] = sr.times(unary[n + b]!, beta[n + b]!);
    sr.matvec(L, scratch, 0, transition, null, 0, beta, t * L);
    sr.normalize(beta, t * L, L);
  }
}

/**
 * Backtrace through a forward table: y_{T−1} = select(α_{T−1}), then y_t = select_a(α_t(a) ⊗ ψ(a, y_{t+1})).
 * With MaxSemiring this is the Viterbi path; with SumSemiring and an rng, an exact sample from p(y).
 * `scratch` needs length ≥ L.
 */
export function backtrace(
  sr: Semiring,
  c: LiftedChain,
  alpha: Float64Array,
  rng: Rng | undefined,
  out: Int32Array,
  scratch: Float64Array,
): Int32Array {
  const { T, L, transition } = c;
  out[T - 1] = sr.select(alpha, (T - 1) * L, L, rng);
  for (let t = T - 2; t >= 0; t--) {
    const next = out[t + 1]!;
    for (let a = 0; a < L; a++) scratch[a] = sr.times(alpha[t * L + a]!, transition[a * L + next]!);
    out[t] = sr.select(scratch, 0, L, rng);
  }
  return out;
}
