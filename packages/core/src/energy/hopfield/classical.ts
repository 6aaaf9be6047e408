/**
 * The classical (binary) Hopfield network: states s ∈ {−1, +1}ᴺ, energy E(s) = −½ sᵀWs − bᵀs with W symmetric
 * and zero on the diagonal. Storage by the Hebbian rule or the pseudo-inverse (projection) rule; recall by
 * asynchronous single-unit updates (which never raise the energy, so they always stop at a fixed point) or by
 * synchronous updates of all units at once (which end in a fixed point or a 2-cycle, and are detected as such).
 * Everything is Float64 on flat typed arrays; no tfjs. `hopfieldEnergy` (energy-functions.ts) is the same energy
 * as an `EnergyFunction`.
 */
import type { Rng } from '../../rng.js';
import { cholesky } from '../gaussian-init.js';
import { checkRowMatrix, type RowMatrix } from '../boltzmann/row-matrix.js';

/** Parameters of a classical Hopfield network. */
export interface HopfieldParameters {
  /** Number of units N. */
  readonly size: number;
  /** N × N, symmetric, zero diagonal: `weights[i * N + j]`. */
  readonly weights: Float64Array;
  /** [N] (thresholds with the opposite sign). */
  readonly bias: Float64Array;
}

/** Options of the recall functions. */
export interface HopfieldRecallOptions {
  /** Asynchronous: at most this many sweeps over all units (default 100); synchronous: at most this many steps. */
  maxSteps?: number;
  /** Called with the energy after every sweep / step (the first call is the starting energy, step 0). */
  onStep?: (step: number, energy: number) => void;
}

/** The end of an asynchronous recall. */
export interface AsyncRecallResult {
  /** Sweeps done (the last one changed nothing when `converged`). */
  sweeps: number;
  /** Whether a sweep left every unit unchanged (a fixed point). */
  converged: boolean;
  /** Units flipped in all. */
  flips: number;
  /** Energy before the first sweep and after each sweep. */
  energies: number[];
}

/** How a synchronous recall ended: a fixed point, a 2-cycle (s → s' → s), or neither within `maxSteps`. */
export type SyncOutcome = 'fixed-point' | 'two-cycle' | 'max-steps';

/** The end of a synchronous recall; the state array holds the last state (for a 2-cycle, one of its two states). */
export interface SyncRecallResult {
  outcome: SyncOutcome;
  /** Synchronous steps taken. */
  steps: number;
  /** Energy of the starting state and after each step (on a 2-cycle it alternates). */
  energies: number[];
}

/** Checks that `s` has N entries, each −1 or +1. */
function checkState(s: ArrayLike<number>, n: number, what: string): void {
  if (s.length !== n) throw new RangeError(`${what}: state has ${s.length} entries, the network has ${n} units`);
  for (let i = 0; i < n; i++) {
    const v = s[i];
    if (v !== 1 && v !== -1) throw new RangeError(`${what}: state[${i}] is ${v}, expected −1 or +1`);
  }
}

/** Checks that patterns are N-column rows of ±1. */
function checkPatterns(p: RowMatrix, what: string): void {
  checkRowMatrix(p, what);
  const d = p.data;
  for (let k = 0; k < d.length; k++) {
    const v = d[k];
    if (v !== 1 && v !== -1) throw new RangeError(`${what}: pattern ${Math.floor(k / p.cols)} unit ${k % p.cols} is ${v}, expected −1 or +1 (binarise first)`);
  }
}

/** A classical binary Hopfield network (immutable parameters). */
export class HopfieldNetwork implements HopfieldParameters {
  readonly size: number;
  readonly weights: Float64Array;
  readonly bias: Float64Array;

  /** Checks sizes, symmetry, the zero diagonal and finiteness. */
  constructor(p: HopfieldParameters) {
    const n = p.size;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`HopfieldNetwork: size must be a positive integer, got ${n}`);
    if (p.weights.length !== n * n) throw new RangeError(`HopfieldNetwork: weights length ${p.weights.length} !== ${n}×${n}`);
    if (p.bias.length !== n) throw new RangeError(`HopfieldNetwork: bias length ${p.bias.length} !== ${n}`);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(p.bias[i]!)) throw new RangeError(`HopfieldNetwork: bias[${i}] is ${p.bias[i]}`);
      if (p.weights[i * n + i] !== 0) throw new RangeError(`HopfieldNetwork: weights[${i}][${i}] is ${p.weights[i * n + i]}, the diagonal must be 0`);
      for (let j = i + 1; j < n; j++) {
        const w = p.weights[i * n + j]!;
        if (!Number.isFinite(w)) throw new RangeError(`HopfieldNetwork: weights[${i}][${j}] is ${w}`);
        if (w !== p.weights[j * n + i]) throw new RangeError(`HopfieldNetwork: weights not symmetric at [${i}][${j}]: ${w} vs ${p.weights[j * n + i]}`);
      }
    }
    this.size = n;
    this.weights = p.weights;
    this.bias = p.bias;
  }

  /**
   * Hebbian storage: W = (1/N) Σₖ ξₖ ξₖᵀ with the diagonal set to 0, b = 0. Patterns are the rows of `patterns`
   * (±1). Random patterns are retrieved reliably up to about 0.1 N of them; retrieval breaks down near 0.138 N.
   */
  static hebbian(patterns: RowMatrix): HopfieldNetwork {
    checkPatterns(patterns, 'HopfieldNetwork.hebbian');
    const { rows: P, cols: n, data } = patterns;
    const W = new Float64Array(n * n);
    for (let k = 0; k < P; k++) {
      const o = k * n;
      for (let i = 0; i < n; i++) {
        const xi = data[o + i]!;
        const ri = i * n;
        for (let j = i + 1; j < n; j++) W[ri + j]! += xi * data[o + j]!;
      }
    }
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const w = W[i * n + j]! / n;
        W[i * n + j] = w;
        W[j * n + i] = w;
      }
    }
    return new HopfieldNetwork({ size: n, weights: W, bias: new Float64Array(n) });
  }

  /**
   * Pseudo-inverse (projection) storage, Personnaz et al. 1985: W = Ξ (ΞᵀΞ)⁻¹ Ξᵀ, the orthogonal projection onto
   * the span of the patterns (Ξ is N × P, one pattern per column), with the diagonal then set to 0, b = 0. Then
   * (Wξ)ᵢ = (1 − Wᵢᵢ) ξᵢ, so every stored pattern is a fixed point while Wᵢᵢ < 1 — correlated patterns included,
   * up to P < N linearly independent ones. Throws a RangeError when the patterns are linearly dependent.
   */
  static pseudoInverse(patterns: RowMatrix): HopfieldNetwork {
    checkPatterns(patterns, 'HopfieldNetwork.pseudoInverse');
    const { rows: P, cols: n, data } = patterns;
    if (P >= n) throw new RangeError(`HopfieldNetwork.pseudoInverse: ${P} patterns for ${n} units; at most ${n - 1} can be stored`);
    // Gram matrix C = ΞᵀΞ / N (P × P), Cholesky C = L Lᵀ; then A = L⁻¹ Ξᵀ / √N (P × N) and W = Aᵀ A.
    const C = new Float64Array(P * P);
    for (let a = 0; a < P; a++) {
      for (let b = a; b < P; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += data[a * n + i]! * data[b * n + i]!;
        C[a * P + b] = s / n;
        C[b * P + a] = s / n;
      }
    }
    let L: Float64Array;
    try {
      L = cholesky(C, P);
    } catch {
      throw new RangeError(`HopfieldNetwork.pseudoInverse: the ${P} patterns are linearly dependent (a pattern repeats or is a combination of others)`);
    }
    for (let a = 0; a < P; a++) {
      if (L[a * P + a]! < 1e-6) throw new RangeError(`HopfieldNetwork.pseudoInverse: pattern ${a} is (nearly) a linear combination of the patterns before it`);
    }
    const A = new Float64Array(P * n);
    const scale = 1 / Math.sqrt(n);
    for (let i = 0; i < n; i++) {
      // forward substitution L a = ξ(:, i) / √N, column i of A
      for (let a = 0; a < P; a++) {
        let s = data[a * n + i]! * scale;
        for (let c = 0; c < a; c++) s -= L[a * P + c]! * A[c * n + i]!;
        A[a * n + i] = s / L[a * P + a]!;
      }
    }
    const W = new Float64Array(n * n);
    for (let a = 0; a < P; a++) {
      const o = a * n;
      for (let i = 0; i < n; i++) {
        const ai = A[o + i]!;
        if (ai === 0) continue;
        const ri = i * n;
        for (let j = i + 1; j < n; j++) W[ri + j]! += ai * A[o + j]!;
      }
    }
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) W[j * n + i] = W[i * n + j]!;
    return new HopfieldNetwork({ size: n, weights: W, bias: new Float64Array(n) });
  }

  /** E(s) = −½ sᵀWs − bᵀs for s = `s[offset … offset + N)` (any real s, not only ±1). */
  energy(s: ArrayLike<number>, offset = 0): number {
    const n = this.size;
    const W = this.weights;
    let e = 0;
    for (let i = 0; i < n; i++) {
      const si = s[offset + i]!;
      if (si === 0) continue;
      let h = 0;
      const ri = i * n;
      for (let j = 0; j < n; j++) h += W[ri + j]! * s[offset + j]!;
      e -= si * (0.5 * h + this.bias[i]!);
    }
    return e;
  }

  /** ∇E(s) = −(Ws + b), written into `out` (length N). */
  gradient(s: ArrayLike<number>, out = new Float64Array(this.size)): Float64Array {
    this.fields(s, out);
    for (let i = 0; i < this.size; i++) out[i] = -out[i]!;
    return out;
  }

  /** Local fields h = Ws + b into `out`. */
  private fields(s: ArrayLike<number>, out: Float64Array): Float64Array {
    const n = this.size;
    const W = this.weights;
    for (let i = 0; i < n; i++) {
      let h = this.bias[i]!;
      const ri = i * n;
      for (let j = 0; j < n; j++) h += W[ri + j]! * s[j]!;
      out[i] = h;
    }
    return out;
  }

  /**
   * Asynchronous recall in place: sweeps over the units in a fresh random order (from `rng`) each sweep, setting
   * sᵢ ← sign(hᵢ) with hᵢ = Σⱼ Wᵢⱼ sⱼ + bᵢ (hᵢ = 0 keeps sᵢ). Each flip lowers E by 2|hᵢ| > 0, so the energy
   * never rises and the recall stops at a fixed point (a sweep with no flip) or after `maxSteps` sweeps.
   */
  recallAsync(s: Float64Array, rng: Rng, options: HopfieldRecallOptions = {}): AsyncRecallResult {
    const n = this.size;
    checkState(s, n, 'HopfieldNetwork.recallAsync');
    const maxSweeps = options.maxSteps ?? 100;
    if (!Number.isInteger(maxSweeps) || maxSweeps < 1) throw new RangeError(`HopfieldNetwork.recallAsync: maxSteps must be a positive integer, got ${maxSweeps}`);
    const W = this.weights;
    const h = this.fields(s, new Float64Array(n));
    let e = this.energy(s);
    const energies = [e];
    options.onStep?.(0, e);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    let flips = 0;
    let sweeps = 0;
    let converged = false;
    while (sweeps < maxSweeps) {
      rng.shuffle(order);
      let changed = 0;
      for (let k = 0; k < n; k++) {
        const i = order[k]!;
        const hi = h[i]!;
        const si = s[i]!;
        if (hi === 0 || (hi > 0) === (si > 0)) continue;
        // flip: ΔE = −Δsᵢ hᵢ = −2|hᵢ| (Wᵢᵢ = 0, so hᵢ does not depend on sᵢ)
        const ds = -2 * si;
        s[i] = -si;
        e -= ds * hi;
        const ri = i * n;
        for (let j = 0; j < n; j++) h[j]! += W[ri + j]! * ds;
        changed++;
      }
      sweeps++;
      flips += changed;
      energies.push(e);
      options.onStep?.(sweeps, e);
      if (changed === 0) {
        converged = true;
        break;
      }
    }
    return { sweeps, converged, flips, energies };
  }

  /**
   * Synchronous recall in place: s ← sign(Ws + b) for all units at once (hᵢ = 0 keeps sᵢ). With W symmetric this
   * ends in a fixed point or a 2-cycle (Goles et al. 1985); the recall stops as soon as it sees either and says which.
   */
  recallSync(s: Float64Array, options: HopfieldRecallOptions = {}): SyncRecallResult {
    const n = this.size;
    checkState(s, n, 'HopfieldNetwork.recallSync');
    const maxSteps = options.maxSteps ?? 100;
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`HopfieldNetwork.recallSync: maxSteps must be a positive integer, got ${maxSteps}`);
    const h = new Float64Array(n);
    let prev = Float64Array.from(s); // the state two steps back, for the 2-cycle test
    const energies = [this.energy(s)];
    options.onStep?.(0, energies[0]!);
    for (let step = 1; step <= maxSteps; step++) {
      this.fields(s, h);
      const before = Float64Array.from(s);
      let changed = false;
      for (let i = 0; i < n; i++) {
        const hi = h[i]!;
        if (hi === 0) continue;
        const v = hi > 0 ? 1 : -1;
        if (v !== s[i]) {
          s[i] = v;
          changed = true;
        }
      }
      const e = this.energy(s);
      energies.push(e);
      options.onStep?.(step, e);
      if (!changed) return { outcome: 'fixed-point', steps: step, energies };
      if (step >= 2 && prev.every((v, i) => v === s[i])) return { outcome: 'two-cycle', steps: step, energies };
      prev = before;
    }
    return { outcome: 'max-steps', steps: maxSteps, energies };
  }
}

/** Bit errors between two ±1 (or any) vectors of the same length. */
export function hammingDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`hammingDistance: lengths ${a.length} and ${b.length} differ`);
  let d = 0;
  for (let i = 0; i < a.length; i++) if ((a[i]! > 0) !== (b[i]! > 0)) d++;
  return d;
}

/** Rows mapped to ±1: +1 where the value is above `threshold`, −1 elsewhere. */
export function toSpins(m: RowMatrix, threshold: number): RowMatrix {
  checkRowMatrix(m, 'toSpins');
  if (!Number.isFinite(threshold)) throw new RangeError(`toSpins: threshold is ${threshold}, expected a finite number`);
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < out.length; i++) out[i] = m.data[i]! > threshold ? 1 : -1;
  return { rows: m.rows, cols: m.cols, data: out };
}
