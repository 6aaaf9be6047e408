/**
 * The modern (continuous) Hopfield network of Ramsauer et al. 2020, "Hopfield networks is all you need": stored
 * patterns x₁ … x_N ∈ ℝᵈ (the columns of X), state ξ ∈ ℝᵈ, energy
 *
 *   E(ξ) = −β⁻¹ log Σᵢ exp(β xᵢᵀξ) + ½ ξᵀξ + β⁻¹ log N + ½ M²,   M = maxᵢ ‖xᵢ‖,
 *
 * and update ξ ← X softmax(β Xᵀ ξ) — one attention step. The update is the concave–convex procedure on E (the
 * convex part ½ ξᵀξ against the linearised concave part −lse), and equally a gradient step of size 1, because
 * ∇E(ξ) = ξ − X softmax(β Xᵀ ξ). It never raises E, and retrieves a stored pattern in one step when the patterns
 * are well separated relative to 1/β. Float64 typed arrays; `modernHopfieldEnergy` is the tfjs `EnergyFunction`.
 */
import { checkRowMatrix, firstNonFinite, type RowMatrix } from '../boltzmann/row-matrix.js';

/** A query batch with its rows retrieved and their energies. */
export interface ModernRecallResult {
  /** The states after the last update, one row per query. */
  states: Float64Array;
  /** energies[t][q]: the energy of query q after t updates (t = 0 is the query itself). */
  energies: Float64Array[];
}

/** A modern continuous Hopfield network (immutable). */
export class ModernHopfield {
  /** The stored patterns, one per row: `patterns[i * dim + k]`. */
  readonly patterns: Float64Array;
  readonly count: number;
  readonly dim: number;
  /** Inverse temperature β > 0. */
  readonly beta: number;
  /** ½ M² + β⁻¹ log N: the constant that makes E ≥ 0 (Ramsauer et al., lemma A1). */
  readonly offset: number;

  /** Stores the rows of `patterns` (copied as Float64) with inverse temperature `beta`. */
  constructor(patterns: RowMatrix, beta: number) {
    checkRowMatrix(patterns, 'ModernHopfield');
    const bad = firstNonFinite(patterns);
    if (bad) throw new RangeError(`ModernHopfield: pattern ${bad.row} value ${bad.col} is ${bad.value}`);
    if (!(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`ModernHopfield: beta is ${beta}, expected a finite number > 0`);
    this.patterns = Float64Array.from(patterns.data);
    this.count = patterns.rows;
    this.dim = patterns.cols;
    this.beta = beta;
    let m2 = 0;
    for (let i = 0; i < this.count; i++) m2 = Math.max(m2, dot(this.patterns, i * this.dim, this.patterns, i * this.dim, this.dim));
    this.offset = 0.5 * m2 + Math.log(this.count) / beta;
  }

  /** The largest pattern norm M. */
  get maxNorm(): number {
    return Math.sqrt(2 * (this.offset - Math.log(this.count) / this.beta));
  }

  /** Softmax weights p = softmax(β Xᵀ ξ) for ξ = `xi[offset … offset + d)` into `out` [N]; returns lse = log Σ exp(β xᵢᵀξ). */
  weights(xi: ArrayLike<number>, out: Float64Array, offset = 0): number {
    const { count: n, dim: d, beta, patterns: X } = this;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const s = beta * dot(X, i * d, xi, offset, d);
      out[i] = s;
      if (s > max) max = s;
    }
    let z = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(out[i]! - max);
      out[i] = e;
      z += e;
    }
    for (let i = 0; i < n; i++) out[i]! /= z;
    return max + Math.log(z);
  }

  /** E(ξ) for ξ = `xi[offset … offset + d)`. */
  energy(xi: ArrayLike<number>, offset = 0): number {
    this.checkQuery(xi, offset);
    const lse = this.weights(xi, new Float64Array(this.count), offset);
    const q = dot(xi, offset, xi, offset, this.dim);
    return -lse / this.beta + 0.5 * q + this.offset;
  }

  /** ∇E(ξ) = ξ − X softmax(β Xᵀ ξ), into `out` [d]. */
  gradient(xi: ArrayLike<number>, out = new Float64Array(this.dim), offset = 0): Float64Array {
    this.update(xi, out, offset);
    for (let k = 0; k < this.dim; k++) out[k] = xi[offset + k]! - out[k]!;
    return out;
  }

  /** One update ξ_new = X softmax(β Xᵀ ξ) into `out` [d] (which must not alias ξ). */
  update(xi: ArrayLike<number>, out = new Float64Array(this.dim), offset = 0): Float64Array {
    this.checkQuery(xi, offset);
    const { count: n, dim: d, patterns: X } = this;
    const p = new Float64Array(n);
    this.weights(xi, p, offset);
    out.fill(0, 0, d);
    for (let i = 0; i < n; i++) {
      const pi = p[i]!;
      if (pi < 1e-300) continue;
      const o = i * d;
      for (let k = 0; k < d; k++) out[k]! += pi * X[o + k]!;
    }
    return out;
  }

  /** `steps` updates of every row of `queries` (default 1), with the energy before and after each. */
  recall(queries: RowMatrix, steps = 1): ModernRecallResult {
    checkRowMatrix(queries, 'ModernHopfield.recall', this.dim);
    if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`ModernHopfield.recall: steps must be a non-negative integer, got ${steps}`);
    const { rows } = queries;
    const d = this.dim;
    const states = Float64Array.from(queries.data);
    const energies: Float64Array[] = [];
    const energyRow = () => {
      const e = new Float64Array(rows);
      for (let q = 0; q < rows; q++) e[q] = this.energy(states, q * d);
      energies.push(e);
    };
    energyRow();
    const next = new Float64Array(d);
    for (let t = 0; t < steps; t++) {
      for (let q = 0; q < rows; q++) {
        this.update(states, next, q * d);
        states.set(next, q * d);
      }
      energyRow();
    }
    return { states, energies };
  }

  /** Index of the stored pattern nearest (Euclidean) to ξ = `xi[offset … offset + d)`. */
  nearest(xi: ArrayLike<number>, offset = 0): number {
    const { count: n, dim: d, patterns: X } = this;
    let best = 0;
    let bestD = Infinity;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const o = i * d;
      for (let k = 0; k < d; k++) {
        const v = X[o + k]! - xi[offset + k]!;
        s += v * v;
      }
      if (s < bestD) {
        bestD = s;
        best = i;
      }
    }
    return best;
  }

  private checkQuery(xi: ArrayLike<number>, offset: number): void {
    if (offset + this.dim > xi.length) throw new RangeError(`ModernHopfield: state of ${xi.length - offset} values, the patterns have ${this.dim}`);
  }
}

/**
 * An inverse temperature β from the data: softmax weights of a query near pattern k fall off like
 * exp(−β (xₖᵀξ − xᵢᵀξ)), and for ξ ≈ xₖ those gaps are about ½ ‖xₖ − xᵢ‖². So β = 2 (log N + `margin`) / δ²,
 * with δ² the median over (up to `sample`) patterns of the squared distance to their nearest other pattern, puts
 * the typical nearest rival e^margin times below the pattern even against all N − 1 rivals. Queries that show only a
 * share `observed` of a pattern's values (the rest masked to 0) see those gaps shrink by about that share, so β is
 * divided by it. Duplicated patterns (δ = 0) are skipped; throws a RangeError when all patterns are equal.
 */
export function suggestBeta(patterns: RowMatrix, options: { margin?: number; sample?: number; observed?: number } = {}): number {
  checkRowMatrix(patterns, 'suggestBeta');
  const margin = options.margin ?? 3;
  const sample = Math.min(options.sample ?? 200, patterns.rows);
  const observed = options.observed ?? 1;
  if (!(margin >= 0)) throw new RangeError(`suggestBeta: margin is ${margin}, expected ≥ 0`);
  if (!(observed > 0 && observed <= 1)) throw new RangeError(`suggestBeta: observed is ${observed}, expected a share in (0, 1]`);
  const { rows: n, cols: d, data } = patterns;
  if (n < 2) return 1; // one pattern: every β retrieves it in one step
  const stride = n / sample;
  const nn: number[] = [];
  for (let t = 0; t < sample; t++) {
    const a = Math.floor(t * stride);
    let best = Infinity;
    for (let b = 0; b < n; b++) {
      if (b === a) continue;
      let s = 0;
      for (let k = 0; k < d; k++) {
        const v = data[a * d + k]! - data[b * d + k]!;
        s += v * v;
      }
      if (s > 0 && s < best) best = s;
    }
    if (best < Infinity) nn.push(best);
  }
  if (nn.length === 0) throw new RangeError('suggestBeta: all patterns are equal; give beta explicitly');
  nn.sort((x, y) => x - y);
  const delta2 = nn[Math.floor(nn.length / 2)]!;
  return (2 * (Math.log(n) + margin)) / (observed * delta2);
}

function dot(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += a[ao + k]! * b[bo + k]!;
  return s;
}
