/**
 * A vector of fixed dimension stored sparsely (unordered index/value arrays) while few entries are non-zero and
 * densely once more than a quarter are — the storage of BCFW's per-example blocks and the cutting planes'
 * aggregated constraints, whose support is bounded by what one example (or the data) can touch.
 */
export class HybridVector {
  readonly dim: number;
  /** Sparse entries `idx[0..nnz)`, `val[0..nnz)` (unused once dense). */
  idx: Int32Array;
  val: Float64Array;
  nnz = 0;
  /** The dense form, once the vector went dense (then idx/val are unused). */
  dense: Float64Array | null = null;

  constructor(dim: number, capacity = 16) {
    this.dim = dim;
    this.idx = new Int32Array(capacity);
    this.val = new Float64Array(capacity);
  }

  /** A vector holding the sparse entries given (indices distinct). */
  static fromSparse(dim: number, indices: Int32Array, values: Float64Array, n: number): HybridVector {
    const v = new HybridVector(dim, Math.max(4, n));
    if (n * 4 > dim) {
      v.dense = new Float64Array(dim);
      for (let k = 0; k < n; k++) v.dense[indices[k]!] = values[k]!;
    } else {
      v.idx.set(indices.subarray(0, n));
      v.val.set(values.subarray(0, n));
      v.nnz = n;
    }
    return v;
  }

  /** A vector holding `scale·dense` (copied). */
  static fromDense(dense: Float64Array, scale = 1): HybridVector {
    const v = new HybridVector(dense.length, 1);
    v.dense = new Float64Array(dense.length);
    for (let i = 0; i < dense.length; i++) v.dense[i] = scale * dense[i]!;
    return v;
  }

  /** this · w. */
  dot(w: Float64Array): number {
    let s = 0;
    const d = this.dense;
    if (d) {
      for (let i = 0; i < d.length; i++) s += d[i]! * w[i]!;
    } else {
      const { idx, val } = this;
      for (let k = 0; k < this.nnz; k++) s += val[k]! * w[idx[k]!]!;
    }
    return s;
  }

  /** w += scale · this. */
  addTo(w: Float64Array, scale = 1): void {
    const d = this.dense;
    if (d) {
      for (let i = 0; i < d.length; i++) w[i]! += scale * d[i]!;
    } else {
      const { idx, val } = this;
      for (let k = 0; k < this.nnz; k++) w[idx[k]!]! += scale * val[k]!;
    }
  }

  /** ‖this‖². */
  norm2(): number {
    let s = 0;
    if (this.dense) for (const v of this.dense) s += v * v;
    else for (let k = 0; k < this.nnz; k++) s += this.val[k]! * this.val[k]!;
    return s;
  }

  /** Calls fn(index, value) for every stored entry (all `dim` entries when dense). */
  forEach(fn: (i: number, v: number) => void): void {
    if (this.dense) for (let i = 0; i < this.dim; i++) fn(i, this.dense[i]!);
    else for (let k = 0; k < this.nnz; k++) fn(this.idx[k]!, this.val[k]!);
  }

  /**
   * this ← (1 − γ)·this + γ·s, for s given as distinct sparse entries. `pos` is a caller-owned scratch
   * Int32Array(dim) filled with −1 (left so on return).
   */
  mix(gamma: number, sIdx: Int32Array, sVal: Float64Array, sN: number, pos: Int32Array): void {
    const keep = 1 - gamma;
    if (this.dense) {
      const d = this.dense;
      if (keep !== 1) for (let i = 0; i < d.length; i++) d[i]! *= keep;
      for (let k = 0; k < sN; k++) d[sIdx[k]!]! += gamma * sVal[k]!;
      return;
    }
    const n0 = this.nnz;
    let { idx, val } = this;
    for (let k = 0; k < n0; k++) {
      pos[idx[k]!] = k;
      val[k]! *= keep;
    }
    let n = n0;
    for (let k = 0; k < sN; k++) {
      const i = sIdx[k]!;
      const p = pos[i]!;
      if (p >= 0) val[p]! += gamma * sVal[k]!;
      else {
        if (n === idx.length) {
          const cap = Math.min(this.dim, idx.length * 2);
          const ni = new Int32Array(cap);
          ni.set(idx);
          const nv = new Float64Array(cap);
          nv.set(val);
          this.idx = idx = ni;
          this.val = val = nv;
        }
        idx[n] = i;
        val[n] = gamma * sVal[k]!;
        pos[i] = n++;
      }
    }
    for (let k = 0; k < n; k++) pos[idx[k]!] = -1;
    this.nnz = n;
    if (n * 4 > this.dim) this.toDense();
  }

  /** Switches to dense storage. */
  toDense(): void {
    if (this.dense) return;
    const d = new Float64Array(this.dim);
    for (let k = 0; k < this.nnz; k++) d[this.idx[k]!]! += this.val[k]!;
    this.dense = d;
    this.idx = new Int32Array(0);
    this.val = new Float64Array(0);
    this.nnz = 0;
  }

  /** Bytes held (for memory reports). */
  bytes(): number {
    return this.dense ? this.dense.byteLength : this.idx.byteLength + this.val.byteLength;
  }
}
