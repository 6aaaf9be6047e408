/**
 * Exact RBM quantities by enumeration, in Float64 on typed arrays: log Z (over the smaller layer, ≤ 20 units by
 * default, walking the 2^n states in Gray-code order so each step adds or removes one column of W), the exact
 * log-likelihood, its exact gradient, and the exact distribution over visible states of a tiny Bernoulli RBM.
 * These are the references the sampler, CD/PCD and AIS are tested against.
 */
import type { RowMatrix } from './row-matrix.js';
import { checkRowMatrix } from './row-matrix.js';
import { grayFlipBit, sigmoid, softplus } from './binary-math.js';
import type { RbmParameterArrays } from './rbm-tensors.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Streaming log-sum-exp. */
class LogSum {
  private m = -Infinity;
  private s = 0;
  add(x: number): void {
    if (x <= this.m) this.s += Math.exp(x - this.m);
    else {
      this.s = this.s * Math.exp(this.m - x) + 1;
      this.m = x;
    }
  }
  get value(): number {
    return this.m + Math.log(this.s);
  }
}

/** Which layer `rbmLogPartition` enumerates for this RBM, and how many states that is. */
export function enumeratedLayer(p: RbmParameterArrays): { layer: 'visible' | 'hidden'; units: number } {
  if (p.visible === 'gaussian' || p.numHidden <= p.numVisible) return { layer: 'hidden', units: p.numHidden };
  return { layer: 'visible', units: p.numVisible };
}

function checkEnumerable(p: RbmParameterArrays, maxUnits: number, what: string): 'visible' | 'hidden' {
  const e = enumeratedLayer(p);
  if (e.units > maxUnits) {
    const which = p.visible === 'gaussian' ? 'the hidden layer (Gaussian visible units cannot be enumerated)' : 'the smaller layer';
    throw new RangeError(`${what}: ${which} has ${e.units} units; exact enumeration is limited to ${maxUnits} (2^${maxUnits} states) — use rbmAis`);
  }
  return e.layer;
}

/**
 * Visits every binary state s ∈ {0,1}^n in Gray-code order. `acc` (length m) starts as `base` and holds
 * base + Σ_{k: s_k = 1} col(k, ·), updated by one column per step; `visit(s, acc)` is called once per state.
 */
function enumerate(n: number, m: number, base: ArrayLike<number>, col: (k: number, i: number) => number, visit: (s: Uint8Array, acc: Float64Array) => void): void {
  const s = new Uint8Array(n);
  const acc = Float64Array.from(base);
  visit(s, acc);
  const total = 2 ** n;
  for (let k = 1; k < total; k++) {
    const j = grayFlipBit(k);
    const sign = s[j] ? -1 : 1;
    s[j] ^= 1;
    for (let i = 0; i < m; i++) acc[i] += sign * col(j, i);
    visit(s, acc);
  }
}

/**
 * Exact log Z of an RBM by enumerating the smaller layer (Bernoulli) or the hidden layer (Gaussian visible units):
 *   Σ_h e^{cᵀh} Π_i (1 + e^{b_i + (Wh)_i}),   Σ_v e^{bᵀv} Π_j (1 + e^{c_j + (vW)_j}),
 *   or (2π)^{V/2} Σ_h e^{cᵀh + bᵀWh + ½‖Wh‖²}.
 * Throws a RangeError when that layer has more than `maxUnits` (default 20) units.
 */
export function rbmLogPartition(p: RbmParameterArrays, options: { maxUnits?: number } = {}): number {
  const layer = checkEnumerable(p, options.maxUnits ?? 20, 'rbmLogPartition');
  const V = p.numVisible;
  const H = p.numHidden;
  const W = p.weights;
  const b = p.visibleBias;
  const c = p.hiddenBias;
  const sum = new LogSum();
  if (p.visible === 'gaussian') {
    // acc = Wh (length V); term = cᵀh + bᵀ(Wh) + ½‖Wh‖²
    enumerate(H, V, new Float64Array(V), (k, i) => W[i * H + k]!, (s, acc) => {
      let ct = 0;
      for (let j = 0; j < H; j++) if (s[j]) ct += c[j]!;
      let t = ct;
      for (let i = 0; i < V; i++) t += b[i]! * acc[i]! + 0.5 * acc[i]! * acc[i]!;
      sum.add(t);
    });
    return 0.5 * V * LOG_2PI + sum.value;
  }
  if (layer === 'hidden') {
    // acc = b + Wh (length V), plus cᵀh tracked separately
    enumerate(H, V, b, (k, i) => W[i * H + k]!, (s, acc) => {
      let t = 0;
      for (let j = 0; j < H; j++) if (s[j]) t += c[j]!;
      for (let i = 0; i < V; i++) t += softplus(acc[i]!);
      sum.add(t);
    });
    return sum.value;
  }
  enumerate(V, H, c, (k, j) => W[k * H + j]!, (s, acc) => {
    let t = 0;
    for (let i = 0; i < V; i++) if (s[i]) t += b[i]!;
    for (let j = 0; j < H; j++) t += softplus(acc[j]!);
    sum.add(t);
  });
  return sum.value;
}

/** Free energy F(v) of one row (Float64), `v[offset … offset + V)`. */
export function rbmFreeEnergy64(p: RbmParameterArrays, v: ArrayLike<number>, offset = 0): number {
  const V = p.numVisible;
  const H = p.numHidden;
  const W = p.weights;
  let vis = 0;
  for (let i = 0; i < V; i++) {
    const x = v[offset + i]!;
    vis += p.visible === 'gaussian' ? 0.5 * (x - p.visibleBias[i]!) ** 2 : -x * p.visibleBias[i]!;
  }
  let hid = 0;
  for (let j = 0; j < H; j++) {
    let a = p.hiddenBias[j]!;
    for (let i = 0; i < V; i++) a += v[offset + i]! * W[i * H + j]!;
    hid += softplus(a);
  }
  return vis - hid;
}

/** Mean exact log-likelihood (nats per row) of `data`: mean(−F(v)) − log Z, with log Z computed unless given. */
export function rbmExactLogLikelihood(p: RbmParameterArrays, data: RowMatrix, logZ?: number): number {
  checkRowMatrix(data, 'rbmExactLogLikelihood', p.numVisible);
  const lz = logZ ?? rbmLogPartition(p);
  let s = 0;
  for (let r = 0; r < data.rows; r++) s -= rbmFreeEnergy64(p, data.data, r * data.cols);
  return s / data.rows - lz;
}

/** The gradient of the mean log-likelihood with respect to each parameter array (layouts as in the RBM). */
export interface RbmGradient {
  weights: Float64Array;
  visibleBias: Float64Array;
  hiddenBias: Float64Array;
  /** The mean log-likelihood at these parameters. */
  logLikelihood: number;
}

/**
 * The exact gradient of the mean log-likelihood L = mean_v(−F(v)) − log Z:
 *   ∂L/∂W_ij = ⟨v_i p(h_j=1|v)⟩_data − ⟨v_i h_j⟩_model,  ∂L/∂b_i = ⟨v_i⟩_data − ⟨v_i⟩_model,
 *   ∂L/∂c_j = ⟨p(h_j=1|v)⟩_data − ⟨h_j⟩_model,
 * with the model expectations by enumeration (same limits as `rbmLogPartition`). CD-k and PCD estimate the
 * second (negative-phase) terms by Gibbs sampling; this is what they approximate.
 */
export function rbmExactGradient(p: RbmParameterArrays, data: RowMatrix, options: { maxUnits?: number } = {}): RbmGradient {
  checkRowMatrix(data, 'rbmExactGradient', p.numVisible);
  const layer = checkEnumerable(p, options.maxUnits ?? 20, 'rbmExactGradient');
  const V = p.numVisible;
  const H = p.numHidden;
  const W = p.weights;
  const b = p.visibleBias;
  const c = p.hiddenBias;
  const gW = new Float64Array(V * H);
  const gb = new Float64Array(V);
  const gc = new Float64Array(H);
  // Positive phase.
  const ph = new Float64Array(H);
  for (let r = 0; r < data.rows; r++) {
    const o = r * V;
    for (let j = 0; j < H; j++) {
      let a = c[j]!;
      for (let i = 0; i < V; i++) a += data.data[o + i]! * W[i * H + j]!;
      ph[j] = sigmoid(a);
      gc[j] += ph[j]!;
    }
    for (let i = 0; i < V; i++) {
      const x = data.data[o + i]!;
      gb[i] += x;
      for (let j = 0; j < H; j++) gW[i * H + j] += x * ph[j]!;
    }
  }
  const n = data.rows;
  for (let k = 0; k < gW.length; k++) gW[k] /= n;
  for (let i = 0; i < V; i++) gb[i] /= n;
  for (let j = 0; j < H; j++) gc[j] /= n;
  // Negative phase: model expectations with weights p(state) = exp(term − log Z).
  const logZ = rbmLogPartition(p, options);
  if (layer === 'hidden') {
    const ev = new Float64Array(V);
    enumerate(H, V, new Float64Array(V), (k, i) => W[i * H + k]!, (s, wh) => {
      let t = 0;
      for (let j = 0; j < H; j++) if (s[j]) t += c[j]!;
      if (p.visible === 'gaussian') {
        for (let i = 0; i < V; i++) {
          t += b[i]! * wh[i]! + 0.5 * wh[i]! * wh[i]!;
          ev[i] = b[i]! + wh[i]!;
        }
        t += 0.5 * V * LOG_2PI;
      } else {
        for (let i = 0; i < V; i++) {
          t += softplus(b[i]! + wh[i]!);
          ev[i] = sigmoid(b[i]! + wh[i]!);
        }
      }
      const w = Math.exp(t - logZ);
      for (let i = 0; i < V; i++) {
        const e = w * ev[i]!;
        gb[i] -= e;
        for (let j = 0; j < H; j++) if (s[j]) gW[i * H + j] -= e;
      }
      for (let j = 0; j < H; j++) if (s[j]) gc[j] -= w;
    });
  } else {
    const eh = new Float64Array(H);
    enumerate(V, H, c, (k, j) => W[k * H + j]!, (s, a) => {
      let t = 0;
      for (let i = 0; i < V; i++) if (s[i]) t += b[i]!;
      for (let j = 0; j < H; j++) {
        t += softplus(a[j]!);
        eh[j] = sigmoid(a[j]!);
      }
      const w = Math.exp(t - logZ);
      for (let j = 0; j < H; j++) gc[j] -= w * eh[j]!;
      for (let i = 0; i < V; i++) {
        if (!s[i]) continue;
        gb[i] -= w;
        for (let j = 0; j < H; j++) gW[i * H + j] -= w * eh[j]!;
      }
    });
  }
  return { weights: gW, visibleBias: gb, hiddenBias: gc, logLikelihood: rbmExactLogLikelihood(p, data, logZ) };
}

/**
 * The exact distribution p(v) of a Bernoulli RBM over all 2^V visible states (V ≤ 20), indexed by
 * Σ_i v_i 2^i. For checking samplers.
 */
export function rbmVisibleDistribution(p: RbmParameterArrays): Float64Array {
  if (p.visible !== 'bernoulli') throw new RangeError('rbmVisibleDistribution: Bernoulli visible units only');
  if (p.numVisible > 20) throw new RangeError(`rbmVisibleDistribution: ${p.numVisible} visible units is too many to enumerate (≤ 20)`);
  const V = p.numVisible;
  const n = 2 ** V;
  const out = new Float64Array(n);
  const v = new Float64Array(V);
  let m = -Infinity;
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < V; i++) v[i] = (s >> i) & 1;
    out[s] = -rbmFreeEnergy64(p, v);
    if (out[s]! > m) m = out[s]!;
  }
  let z = 0;
  for (let s = 0; s < n; s++) z += out[s] = Math.exp(out[s]! - m);
  for (let s = 0; s < n; s++) out[s] /= z;
  return out;
}
