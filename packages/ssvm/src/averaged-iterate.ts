import type { HybridVector } from './hybrid-vector.js';

/**
 * An iterate w that changes by sparse additions and O(1) rescalings, together with its running weighted average
 * w̄ = Σ_j ω_j w_j / Σ_j ω_j over the iterates w_j marked by `endStep(ω_j)` — all in time proportional to the
 * entries touched (the lazy-averaging trick). Stored as w = a·v; the average as (base + B·v − U)/Ω with
 * B = Σ ω_j a_j and U = Σ_m B_{m−1}·δ_m over the sparse changes δ_m of v since the last fold.
 *
 * Used with ω_j = j (the weighted averaging of BCFW and of the stochastic subgradient method) and ω_j = 1
 * (the averaged perceptron).
 */
export class AveragedIterate {
  readonly dim: number;
  private readonly v: Float64Array;
  private a = 1;
  private readonly base: Float64Array;
  private readonly u: Float64Array;
  private bsum = 0;
  private omega = 0;

  constructor(w0: Float64Array) {
    this.dim = w0.length;
    this.v = Float64Array.from(w0);
    this.base = new Float64Array(this.dim);
    this.u = new Float64Array(this.dim);
  }

  /** w ← f·w. */
  scale(f: number): void {
    if (f === 0) {
      this.fold();
      this.v.fill(0);
      return;
    }
    this.a *= f;
    if (Math.abs(this.a) < 1e-12) this.fold();
  }

  /** w += scale·s for sparse s (indices may repeat). */
  addSparse(idx: Int32Array, val: Float64Array, n: number, scale = 1): void {
    const c = scale / this.a;
    const b = this.bsum * c;
    const { v, u } = this;
    for (let k = 0; k < n; k++) {
      const i = idx[k]!;
      v[i]! += c * val[k]!;
      u[i]! += b * val[k]!;
    }
  }

  /** w += scale·h. */
  addHybrid(h: HybridVector, scale = 1): void {
    if (h.dense) {
      const c = scale / this.a;
      const b = this.bsum * c;
      const d = h.dense;
      for (let i = 0; i < d.length; i++) {
        if (d[i] === 0) continue;
        this.v[i]! += c * d[i]!;
        this.u[i]! += b * d[i]!;
      }
    } else this.addSparse(h.idx, h.val, h.nnz, scale);
  }

  /** w += scale·d for a dense d. */
  addDense(d: Float64Array, scale = 1): void {
    const c = scale / this.a;
    const b = this.bsum * c;
    for (let i = 0; i < d.length; i++) {
      this.v[i]! += c * d[i]!;
      this.u[i]! += b * d[i]!;
    }
  }

  /** w · s for sparse s. */
  dotSparse(idx: Int32Array, val: Float64Array, n: number): number {
    let s = 0;
    for (let k = 0; k < n; k++) s += this.v[idx[k]!]! * val[k]!;
    return this.a * s;
  }

  /** w · h. */
  dotHybrid(h: HybridVector): number {
    return this.a * h.dot(this.v);
  }

  /** Marks the end of one step: the current w enters the average with weight ω (≥ 0). */
  endStep(omega: number): void {
    this.bsum += omega * this.a;
    this.omega += omega;
  }

  /** Total averaging weight so far. */
  get totalWeight(): number {
    return this.omega;
  }

  /** The current iterate w (dense copy into `out`). */
  current(out = new Float64Array(this.dim)): Float64Array {
    const { v, a } = this;
    for (let i = 0; i < this.dim; i++) out[i] = a * v[i]!;
    return out;
  }

  /** A view of v with w = scale·v (valid until the next call); for fast inner loops. */
  scaled(): { v: Float64Array; scale: number } {
    return { v: this.v, scale: this.a };
  }

  /** The average w̄ (the current w when no step was marked yet). */
  average(out = new Float64Array(this.dim)): Float64Array {
    if (this.omega === 0) return this.current(out);
    const { v, u, base, bsum } = this;
    const inv = 1 / this.omega;
    for (let i = 0; i < this.dim; i++) out[i] = (base[i]! + bsum * v[i]! - u[i]!) * inv;
    return out;
  }

  /** Folds the lazy terms into dense storage (O(dim)); keeps w and w̄ unchanged. */
  fold(): void {
    const { v, u, base, bsum, a } = this;
    for (let i = 0; i < this.dim; i++) {
      base[i]! += bsum * v[i]! - u[i]!;
      v[i]! *= a;
      u[i] = 0;
    }
    this.a = 1;
    this.bsum = 0;
  }
}
