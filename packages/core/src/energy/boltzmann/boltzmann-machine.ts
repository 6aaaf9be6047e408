/**
 * The fully visible Boltzmann machine over x ∈ {0,1}^d with energy E(x) = −xᵀWx − bᵀx (W symmetric with zero
 * diagonal, so xᵀWx = 2 Σ_{i<j} W_ij x_i x_j): single-site Gibbs sampling, exact log Z and moments by enumeration
 * for d ≤ 20, and training by persistent contrastive divergence (`trainBoltzmannMachine`). Small d, so everything
 * is Float64 on typed arrays.
 */
import type { Rng } from '../../rng.js';
import { grayFlipBit, sigmoid } from './binary-math.js';
import { checkRowMatrix, type RowMatrix } from './row-matrix.js';

/** Parameters of a fully visible Boltzmann machine. */
export interface BoltzmannMachineParameters {
  /** Number of units d. */
  readonly size: number;
  /** d × d, symmetric, zero diagonal: `couplings[i * d + j]`. */
  readonly couplings: Float64Array;
  /** [d] */
  readonly bias: Float64Array;
}

/** First and second moments E[x] and E[x xᵀ] (d × d; the diagonal is E[x_i]). */
export interface BinaryMoments {
  mean: Float64Array;
  second: Float64Array;
}

/** The largest d for which log Z and the moments are enumerated. */
export const MAX_ENUMERATED_UNITS = 20;

/** A fully visible binary Boltzmann machine (immutable). */
export class BoltzmannMachine implements BoltzmannMachineParameters {
  readonly size: number;
  readonly couplings: Float64Array;
  readonly bias: Float64Array;

  /** Checks sizes, symmetry, the zero diagonal and finiteness. */
  constructor(p: BoltzmannMachineParameters) {
    const d = p.size;
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`BoltzmannMachine: size must be a positive integer, got ${d}`);
    if (p.couplings.length !== d * d) throw new RangeError(`BoltzmannMachine: couplings length ${p.couplings.length} !== ${d}×${d}`);
    if (p.bias.length !== d) throw new RangeError(`BoltzmannMachine: bias length ${p.bias.length} !== ${d}`);
    for (let i = 0; i < d; i++) {
      if (!Number.isFinite(p.bias[i]!)) throw new RangeError(`BoltzmannMachine: bias[${i}] is ${p.bias[i]}`);
      if (p.couplings[i * d + i] !== 0) throw new RangeError(`BoltzmannMachine: couplings[${i}][${i}] is ${p.couplings[i * d + i]}, the diagonal must be 0`);
      for (let j = 0; j < d; j++) {
        const w = p.couplings[i * d + j]!;
        if (!Number.isFinite(w)) throw new RangeError(`BoltzmannMachine: couplings[${i}][${j}] is ${w}`);
        if (w !== p.couplings[j * d + i]) throw new RangeError(`BoltzmannMachine: couplings not symmetric at [${i}][${j}]: ${w} vs ${p.couplings[j * d + i]}`);
      }
    }
    this.size = d;
    this.couplings = p.couplings;
    this.bias = p.bias;
  }

  /** The machine with all parameters zero (the uniform distribution). */
  static zeros(size: number): BoltzmannMachine {
    return new BoltzmannMachine({ size, couplings: new Float64Array(size * size), bias: new Float64Array(size) });
  }

  /** E(x) = −xᵀWx − bᵀx for x = `x[offset … offset + d)`. */
  energy(x: ArrayLike<number>, offset = 0): number {
    const d = this.size;
    let e = 0;
    for (let i = 0; i < d; i++) {
      const xi = x[offset + i]!;
      if (xi === 0) continue;
      e -= this.bias[i]! * xi;
      let s = 0;
      for (let j = 0; j < d; j++) s += this.couplings[i * d + j]! * x[offset + j]!;
      e -= xi * s;
    }
    return e;
  }

  /** Visits all 2^d states in Gray-code order with −E(x) maintained incrementally. */
  private enumerate(visit: (x: Uint8Array, negEnergy: number) => void): void {
    const d = this.size;
    if (d > MAX_ENUMERATED_UNITS) throw new RangeError(`BoltzmannMachine: ${d} units is too many to enumerate (≤ ${MAX_ENUMERATED_UNITS})`);
    const W = this.couplings;
    const x = new Uint8Array(d);
    const field = new Float64Array(d); // Σ_j W_ij x_j
    let negE = 0;
    visit(x, negE);
    const n = 2 ** d;
    for (let k = 1; k < n; k++) {
      const i = grayFlipBit(k);
      // Turning x_i on adds b_i + 2·field_i to −E; turning it off removes that.
      const delta = this.bias[i]! + 2 * field[i]!;
      const sign = x[i] ? -1 : 1;
      negE += sign * delta;
      x[i] ^= 1;
      for (let j = 0; j < d; j++) field[j] += sign * W[j * d + i]!;
      visit(x, negE);
    }
  }

  /** Exact log Z = log Σ_x e^{−E(x)} (d ≤ 20). */
  logPartition(): number {
    let m = -Infinity;
    let s = 0;
    this.enumerate((_, v) => {
      if (v <= m) s += Math.exp(v - m);
      else {
        s = s * Math.exp(m - v) + 1;
        m = v;
      }
    });
    return m + Math.log(s);
  }

  /** Exact E[x] and E[x xᵀ] under the model, by enumeration (d ≤ 20). */
  moments(): BinaryMoments {
    const d = this.size;
    const logZ = this.logPartition();
    const mean = new Float64Array(d);
    const second = new Float64Array(d * d);
    this.enumerate((x, v) => {
      const p = Math.exp(v - logZ);
      for (let i = 0; i < d; i++) {
        if (!x[i]) continue;
        mean[i] += p;
        for (let j = 0; j < d; j++) if (x[j]) second[i * d + j] += p;
      }
    });
    return { mean, second };
  }

  /** The exact probability of every state, indexed by Σ_i x_i 2^i (d ≤ 20). */
  distribution(): Float64Array {
    const d = this.size;
    const logZ = this.logPartition();
    const out = new Float64Array(2 ** d);
    this.enumerate((x, v) => {
      let idx = 0;
      for (let i = 0; i < d; i++) if (x[i]) idx |= 1 << i;
      out[idx] = Math.exp(v - logZ);
    });
    return out;
  }

  /**
   * One systematic-scan Gibbs sweep, in place, over `chains` states stored row-wise in `states` (0/1 bytes):
   * x_i ← Bernoulli(σ(b_i + 2 Σ_j W_ij x_j)) for i = 0 … d−1.
   */
  gibbsSweep(states: Uint8Array, chains: number, rng: Rng): void {
    const d = this.size;
    if (states.length !== chains * d) throw new RangeError(`gibbsSweep: states length ${states.length} !== chains ${chains} × size ${d}`);
    const W = this.couplings;
    for (let c = 0; c < chains; c++) {
      const o = c * d;
      for (let i = 0; i < d; i++) {
        let a = this.bias[i]!;
        for (let j = 0; j < d; j++) if (states[o + j]) a += 2 * W[i * d + j]!;
        states[o + i] = rng.uniform() < sigmoid(a) ? 1 : 0;
      }
    }
  }

  /** `count` samples after `sweeps` Gibbs sweeps from uniform random starts (or from `init`); rows of 0/1 bytes. */
  sample(options: { count: number; sweeps?: number; rng: Rng; init?: Uint8Array }): Uint8Array {
    const d = this.size;
    const { count, rng } = options;
    const states = options.init ? Uint8Array.from(options.init) : new Uint8Array(count * d);
    if (!options.init) for (let i = 0; i < states.length; i++) states[i] = rng.uniform() < 0.5 ? 1 : 0;
    const sweeps = options.sweeps ?? 100;
    for (let s = 0; s < sweeps; s++) this.gibbsSweep(states, count, rng);
    return states;
  }
}

/** Empirical E[x] and E[x xᵀ] of binary rows. */
export function dataMoments(data: RowMatrix): BinaryMoments {
  checkRowMatrix(data, 'dataMoments');
  const d = data.cols;
  const mean = new Float64Array(d);
  const second = new Float64Array(d * d);
  for (let r = 0; r < data.rows; r++) {
    const o = r * d;
    for (let i = 0; i < d; i++) {
      const xi = data.data[o + i]!;
      if (xi === 0) continue;
      mean[i] += xi;
      for (let j = 0; j < d; j++) second[i * d + j] += xi * data.data[o + j]!;
    }
  }
  for (let i = 0; i < d; i++) mean[i] /= data.rows;
  for (let k = 0; k < d * d; k++) second[k] /= data.rows;
  return { mean, second };
}

/** Options of `trainBoltzmannMachine`. */
export interface BoltzmannTrainOptions {
  rng: Rng;
  /** Passes over the data (default 50). */
  epochs?: number;
  /** Rows per update (default 100). */
  batchSize?: number;
  /** Step size, or a function of the 1-based epoch (default 0.05). */
  learningRate?: number | ((epoch: number) => number);
  /** Persistent chains (default 100). */
  chains?: number;
  /** Gibbs sweeps of the chains per update (default 1). */
  sweeps?: number;
  /** L2 decay on the couplings (default 0). */
  weightDecay?: number;
  /** Start from this model (default all zeros). */
  initial?: BoltzmannMachine;
  /** Called after each epoch; returning false stops. */
  onEpoch?: (epoch: number, model: BoltzmannMachine) => void | boolean;
}

/**
 * Trains a fully visible Boltzmann machine on binary rows by PCD: each update moves the parameters along
 * ∂L/∂W_ij = 2(⟨x_i x_j⟩_batch − ⟨x_i x_j⟩_chains) (i ≠ j) and ∂L/∂b_i = ⟨x_i⟩_batch − ⟨x_i⟩_chains, the chains
 * advancing by `sweeps` Gibbs sweeps under the current parameters. Rows must be 0/1.
 */
export function trainBoltzmannMachine(data: RowMatrix, options: BoltzmannTrainOptions): BoltzmannMachine {
  checkRowMatrix(data, 'trainBoltzmannMachine: data');
  const d = data.cols;
  for (let k = 0; k < data.data.length; k++) {
    const v = data.data[k];
    if (v !== 0 && v !== 1) throw new RangeError(`trainBoltzmannMachine: value ${v} at row ${Math.floor(k / d)}, column ${k % d} is not 0 or 1`);
  }
  const { rng } = options;
  const epochs = options.epochs ?? 50;
  const B = Math.min(options.batchSize ?? 100, data.rows);
  const C = options.chains ?? 100;
  const sweeps = options.sweeps ?? 1;
  const decay = options.weightDecay ?? 0;
  const lrOf = typeof options.learningRate === 'function' ? options.learningRate : () => (options.learningRate as number | undefined) ?? 0.05;
  const init = options.initial ?? BoltzmannMachine.zeros(d);
  if (init.size !== d) throw new RangeError(`trainBoltzmannMachine: initial model has ${init.size} units, data has ${d} columns`);
  const W = Float64Array.from(init.couplings);
  const b = Float64Array.from(init.bias);
  let model = new BoltzmannMachine({ size: d, couplings: W.slice(), bias: b.slice() });
  const chains = new Uint8Array(C * d);
  for (let i = 0; i < chains.length; i++) chains[i] = rng.uniform() < 0.5 ? 1 : 0;
  const order = Int32Array.from({ length: data.rows }, (_, i) => i);
  const posS = new Float64Array(d * d);
  const posM = new Float64Array(d);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const lr = lrOf(epoch);
    rng.shuffle(order);
    for (let s = 0; s < data.rows; s += B) {
      const e = Math.min(data.rows, s + B);
      posS.fill(0);
      posM.fill(0);
      for (let r = s; r < e; r++) {
        const o = order[r]! * d;
        for (let i = 0; i < d; i++) {
          if (!data.data[o + i]) continue;
          posM[i] += 1;
          for (let j = 0; j < d; j++) if (data.data[o + j]) posS[i * d + j] += 1;
        }
      }
      const n = e - s;
      for (let sw = 0; sw < sweeps; sw++) model.gibbsSweep(chains, C, rng);
      // W_ij += lr·(2(pos − neg) − decay·W_ij), symmetric, diagonal untouched.
      const negS = new Float64Array(d * d);
      const negM = new Float64Array(d);
      for (let c = 0; c < C; c++) {
        const o = c * d;
        for (let i = 0; i < d; i++) {
          if (!chains[o + i]) continue;
          negM[i] += 1;
          for (let j = 0; j < d; j++) if (chains[o + j]) negS[i * d + j] += 1;
        }
      }
      for (let i = 0; i < d; i++) {
        b[i] += lr * (posM[i]! / n - negM[i]! / C);
        for (let j = 0; j < d; j++) {
          if (i === j) continue;
          W[i * d + j] += lr * (2 * (posS[i * d + j]! / n - negS[i * d + j]! / C) - decay * W[i * d + j]!);
        }
      }
      model = new BoltzmannMachine({ size: d, couplings: W.slice(), bias: b.slice() });
    }
    if (options.onEpoch?.(epoch, model) === false) break;
  }
  return model;
}
