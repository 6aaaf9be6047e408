/**
 * A sparse feature vector: parallel arrays of indices and values (`length` entries are used; indices
 * may repeat, entries then add up). Joint features ψ(x, y) of structured models are sparse vectors.
 */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float64Array;
  readonly length: number;
}

/** w · v. */
export function sparseDot(v: SparseVector, w: Float64Array): number {
  let s = 0;
  const { indices, values } = v;
  for (let i = 0; i < v.length; i++) s += w[indices[i]!]! * values[i]!;
  return s;
}

/** w += scale · v, in place; returns w. */
export function addSparse(w: Float64Array, v: SparseVector, scale = 1): Float64Array {
  const { indices, values } = v;
  for (let i = 0; i < v.length; i++) w[indices[i]!]! += scale * values[i]!;
  return w;
}

/** The dense form of v (length `dim`), accumulating repeated indices. */
export function sparseToDense(v: SparseVector, dim: number, out = new Float64Array(dim)): Float64Array {
  out.fill(0);
  return addSparse(out, v);
}

/** Builds sparse vectors incrementally without reallocating on every push. */
export class SparseBuilder {
  indices: Int32Array;
  values: Float64Array;
  length = 0;

  constructor(capacity = 64) {
    this.indices = new Int32Array(capacity);
    this.values = new Float64Array(capacity);
  }

  push(index: number, value: number): void {
    if (this.length === this.indices.length) {
      const n = this.indices.length * 2;
      const ni = new Int32Array(n);
      ni.set(this.indices);
      const nv = new Float64Array(n);
      nv.set(this.values);
      this.indices = ni;
      this.values = nv;
    }
    this.indices[this.length] = index;
    this.values[this.length++] = value;
  }

  clear(): this {
    this.length = 0;
    return this;
  }

  /** A compact copy. */
  build(): SparseVector {
    return { indices: this.indices.slice(0, this.length), values: this.values.slice(0, this.length), length: this.length };
  }
}
