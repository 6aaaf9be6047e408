/**
 * A dense scratch vector that remembers which entries were touched, so sums of sparse vectors (with repeated
 * indices) can be combined and read back as a compact sparse vector in time proportional to the entries
 * touched, not to the dimension. Learners use it to form ψ(x, y) − ψ(x, ŷ) without allocating.
 */
export class SparseAccumulator {
  /** Dimension. */
  readonly dim: number;
  private readonly acc: Float64Array;
  private readonly mark: Uint8Array;
  private touched: Int32Array;
  private nTouched = 0;
  /** Compact result of the last `compact()`: `indices[0..length)`, `values[0..length)`. */
  indices: Int32Array;
  values: Float64Array;
  length = 0;

  constructor(dim: number) {
    this.dim = dim;
    this.acc = new Float64Array(dim);
    this.mark = new Uint8Array(dim);
    this.touched = new Int32Array(64);
    this.indices = new Int32Array(64);
    this.values = new Float64Array(64);
  }

  /** acc[indices[k]] += scale·values[k] for k < n. */
  add(indices: Int32Array, values: Float64Array, n: number, scale = 1): void {
    const { acc, mark } = this;
    for (let k = 0; k < n; k++) {
      const i = indices[k]!;
      if (mark[i] === 0) {
        mark[i] = 1;
        if (this.nTouched === this.touched.length) this.touched = grow(this.touched);
        this.touched[this.nTouched++] = i;
      }
      acc[i]! += scale * values[k]!;
    }
  }

  /**
   * Moves the non-zero touched entries into `indices`/`values` (ascending index order is NOT guaranteed) and
   * clears the scratch; returns the number of entries. Exact cancellations (e.g. ψ(y) − ψ(ŷ) where y and ŷ
   * agree) are dropped.
   */
  compact(): number {
    const { acc, mark, touched } = this;
    const n = this.nTouched;
    if (this.indices.length < n) {
      this.indices = new Int32Array(Math.max(n, this.indices.length * 2));
      this.values = new Float64Array(this.indices.length);
    }
    let m = 0;
    for (let k = 0; k < n; k++) {
      const i = touched[k]!;
      const v = acc[i]!;
      if (v !== 0) {
        this.indices[m] = i;
        this.values[m++] = v;
      }
      acc[i] = 0;
      mark[i] = 0;
    }
    this.nTouched = 0;
    this.length = m;
    return m;
  }

  /** A copy of the last compact result. */
  copy(): { indices: Int32Array; values: Float64Array; length: number } {
    return { indices: this.indices.slice(0, this.length), values: this.values.slice(0, this.length), length: this.length };
  }
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
