import { instantiateKernels, WasmKernels, type WasmInstance } from '../../../wasm-module.js';
import { WASM_BASE64 } from './rbm-binary-wasm.js';

/** The exports of rbm-binary.wat (pointers are byte offsets into `memory`). */
interface Exports {
  rowsSum(n: number, panels: number, idx: number, starts: number, M: number, panelStride: number, bias: number, out: number, outStride: number, act: number, lk: number, scratch: number, pre: number): void;
  rowsUpdate(n: number, panels: number, addIdx: number, addStarts: number, subIdx: number, subStarts: number, M: number, panelStride: number, out: number, outStride: number, act: number): void;
  momentumStep(rows: number, panels: number, colStarts: number, rowIdx: number, G: number, gStride: number, W: number, vel: number, panelStride: number, mu: number, lrDecay: number, useVel: number, lk: number, scratch: number, gRows: number, pairs: number): number;
  bitRows(n: number, order: number, bits: number, words: number, idx: number, starts: number): number;
  countIndices(idx: number, from: number, to: number, counts: number, n: number): void;
  splitRows(n: number, idx: number, starts: number, onlyPos: number, onlyPosStarts: number, onlyNeg: number, onlyNegStarts: number): void;
  groupRows(n: number, idx: number, starts: number, lk: number, out: number, outStarts: number): void;
  groupColumns(rows: number, idx: number, starts: number, cols: number, lk: number, masks: number, out: number, outStarts: number, pairs: number): void;
  transpose(rows: number, cols: number, src: number, dst: number): void;
  bernoulliDraw(n: number, cols: number, p: number, stride: number, idx: number, t: number, starts: number, state: number): number;
  sigmoid(n: number, x: number): void;
  scale(n: number, x: number, s: number): void;
}

const check16 = (what: string, n: number): void => {
  if (n % 16 !== 0) throw new RangeError(`RbmBinaryKernels: ${what} must be a multiple of 16, got ${n}`);
};

/**
 * Subset-sum tables of the kernels ("four Russians"): the rows of a matrix in groups of 2^lk consecutive rows; group g
 * has 2^(2^lk) entries, entry (g << 2^lk) | mask holding the sum of the group's rows whose bit is set in mask (bit b:
 * row g·2^lk + b). A binary combination of the rows is then the sum of one entry per group it touches (lists from
 * `groupRows` / `groupColumns`): with lk = 2 and a third of the units on, about 0.8 reads per 4 rows instead of 1.3.
 * The tables live in `scratch` (one panel's at a time, built inside the kernel that reads them).
 */
export interface SubsetTables {
  /** log₂ of the rows per group: 1, 2 or 3 (2 rows, 4 entries; 4 rows, 16 entries; 8 rows, 256 entries). */
  lk: number;
  /** Room for one panel's tables: `RbmBinaryKernels.tableFloats(rows, lk)` floats. */
  scratch: Float32Array;
}

const checkLk = (lk: number): void => {
  if (lk !== 1 && lk !== 2 && lk !== 3) throw new RangeError(`RbmBinaryKernels: lk must be 1, 2 or 3, got ${lk}`);
};

/**
 * Copies the [rows × cols] row-major matrix `src` (row stride `srcStride`, default cols) into `dst` in the panel
 * layout of the kernels ([rowsP × colsP], colsP a multiple of 16: element (i, j) at (j >> 4)·16·rowsP + 16i + (j & 15));
 * entries beyond rows × cols stay as they are (zero in a fresh array).
 */
export function toPanels(src: ArrayLike<number>, rows: number, cols: number, dst: Float32Array, rowsP: number, srcStride = cols): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[(j >> 4) * 16 * rowsP + 16 * i + (j & 15)] = src[i * srcStride + j]!;
}

/** The inverse of `toPanels`: the [rows × cols] row-major matrix held in panel layout `src` ([rowsP × ·]). */
export function fromPanels(src: Float32Array, rowsP: number, rows: number, cols: number, dst = new Float32Array(rows * cols)): Float32Array {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[i * cols + j] = src[(j >> 4) * 16 * rowsP + 16 * i + (j & 15)]!;
  return dst;
}

/**
 * The WebAssembly SIMD (f32x4) kernels of RBM training on binary states, with their own memory. Arrays are
 * Float32Array / Int32Array views into that memory (`alloc` hands them out; `ensure` first, since growing the
 * memory detaches every view), so JavaScript writes the index lists and reads the probabilities in place. A binary
 * row is the list of its active indices, so each product with a binary operand is a sum of matrix rows: the same
 * sums as a dense product, in another order. The summed matrices (M, W, vel) are in PANEL layout (`toPanels`:
 * 16-column panels, each row 16 floats after the previous one), the batch-row matrices (out, G) row-major with a
 * row stride; column counts are multiples of 16 (pad with zeros).
 */
export class RbmBinaryKernels extends WasmKernels<Exports> {
  private top = 0;

  private constructor(inst: WasmInstance<Exports>) {
    super(WASM_BASE64, inst);
  }

  /** An instance with its own memory, or null where WebAssembly SIMD is unavailable or `EBM_RBM_KERNELS=js`. */
  static create(): RbmBinaryKernels | null {
    const inst = instantiateKernels<Exports>(WASM_BASE64, 'EBM_RBM_KERNELS');
    return inst ? new RbmBinaryKernels(inst) : null;
  }

  /** Bytes `alloc` will have used after allocating arrays of these lengths (4-byte elements, 16-byte aligned). */
  static bytesFor(lengths: readonly number[]): number {
    let b = 0;
    for (const n of lengths) b += Math.ceil((4 * n) / 16) * 16;
    return b;
  }

  /**
   * Zeroed arrays for every entry of `spec` (name → element type and length), with the memory made large enough for
   * all of them first: one place for the sizes of a layout.
   */
  allocate<S extends Record<string, readonly ['f32' | 'i32', number]>>(spec: S): { [K in keyof S]: S[K][0] extends 'f32' ? Float32Array : Int32Array } {
    const entries = Object.entries(spec);
    this.ensure(this.top + RbmBinaryKernels.bytesFor(entries.map(([, [, n]]) => n)));
    const out: Record<string, Float32Array | Int32Array> = {};
    for (const [name, [type, n]] of entries) out[name] = type === 'f32' ? this.allocF32(n) : this.allocI32(n);
    return out as { [K in keyof S]: S[K][0] extends 'f32' ? Float32Array : Int32Array };
  }

  /** A zeroed Float32Array of `length` from the memory (a bump allocator; call `ensure` for the total first). */
  allocF32(length: number): Float32Array {
    const a = new Float32Array(this.memory.buffer, this.take(length), length);
    a.fill(0);
    return a;
  }

  /** A zeroed Int32Array of `length` from the memory (see `allocF32`). */
  allocI32(length: number): Int32Array {
    const a = new Int32Array(this.memory.buffer, this.take(length), length);
    a.fill(0);
    return a;
  }

  private take(length: number): number {
    const at = this.top;
    const bytes = Math.ceil((4 * length) / 16) * 16;
    if (at + bytes > this.memory.buffer.byteLength) {
      throw new RangeError(`RbmBinaryKernels: ${at + bytes} bytes needed, ${this.memory.buffer.byteLength} reserved (call ensure first)`);
    }
    this.top = at + bytes;
    return at;
  }

  /**
   * out[(outRow + r)·outStride + j] = bias[j] + Σ_{t = starts[row0 + r]}^{starts[row0 + r + 1] − 1} M(idx[t], j) for
   * r < n, j < cols: the products of n binary rows (given by their active indices) with M (panel layout, mRows rows,
   * cols columns), plus a bias; with `sigmoid` its σ (applied before the store, as `sigmoid` would after). With
   * `tables` the lists are those of `groupRows` (entries of M's subset-sum tables, built per panel in tables.scratch):
   * the same sums, grouped. With `pre` the sums before σ also go to pre (rows from 0, stride outStride).
   */
  rowsSum(n: number, cols: number, idx: Int32Array, starts: Int32Array, row0: number, M: Float32Array, mRows: number, bias: Float32Array, out: Float32Array, outStride: number, outRow = 0, sigmoid = false, tables?: SubsetTables, pre?: Float32Array): void {
    check16('cols', cols);
    if (tables) this.checkTables(tables, mRows);
    if (pre && pre.length < n * outStride) throw new RangeError(`RbmBinaryKernels.rowsSum: pre holds ${pre.length} floats, ${n * outStride} needed`);
    this.x.rowsSum(n, cols / 16, idx.byteOffset, starts.byteOffset + 4 * row0, M.byteOffset, 64 * mRows, bias.byteOffset, out.byteOffset + 4 * outRow * outStride, 4 * outStride, sigmoid ? 1 : 0, tables?.lk ?? 0, tables?.scratch.byteOffset ?? 0, pre?.byteOffset ?? 0);
  }

  /**
   * For r < n, the binary row lists r and n + r (idx, starts; ascending) split into the indices in row r only (onlyPos)
   * and in row n + r only (onlyNeg), from position 0, with each row's end at [r + 1] of the starts arrays ([0] = 0).
   */
  splitRows(n: number, idx: Int32Array, starts: Int32Array, onlyPos: Int32Array, onlyPosStarts: Int32Array, onlyNeg: Int32Array, onlyNegStarts: Int32Array): void {
    this.x.splitRows(n, idx.byteOffset, starts.byteOffset, onlyPos.byteOffset, onlyPosStarts.byteOffset, onlyNeg.byteOffset, onlyNegStarts.byteOffset);
  }

  /**
   * Packs the 0/1 rows of `data` ([rows × cols] row-major, every value 0 or 1) into `bits`: `bitWords(cols)` int32
   * words a row, bit i & 31 of word i >> 5 = column i.
   */
  static packBits(data: ArrayLike<number>, rows: number, cols: number, bits: Int32Array): void {
    const words = RbmBinaryKernels.bitWords(cols);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let w = 0; w < words; w++) {
        let x = 0;
        const e = Math.min(32, cols - 32 * w);
        for (let b = 0; b < e; b++) x |= (data[base + 32 * w + b]! !== 0 ? 1 : 0) << b;
        bits[r * words + w] = x;
      }
    }
  }

  /** Int32 words of a bit-packed row of `cols` units. */
  static bitWords(cols: number): number {
    return Math.ceil(cols / 32);
  }

  /**
   * The rows order[0 .. n) of bit-packed data (`packBits`, rows of `bitWords(cols)` words) as binary row lists: their
   * active units in ascending order into idx from 0, starts[0] = 0 and starts[r + 1] = row r's end. Returns the
   * number of indices written. `order` must be in the module's memory.
   */
  bitRows(n: number, order: Int32Array, bits: Int32Array, cols: number, idx: Int32Array, starts: Int32Array): number {
    return this.x.bitRows(n, order.byteOffset, bits.byteOffset, RbmBinaryKernels.bitWords(cols), idx.byteOffset, starts.byteOffset);
  }

  /** counts[i] = how often i occurs in idx[from .. to), for i < counts.length (all idx values must be below it). */
  countIndices(idx: Int32Array, from: number, to: number, counts: Int32Array): void {
    this.x.countIndices(idx.byteOffset, from, to, counts.byteOffset, counts.length);
  }

  /** Floats of one panel's subset-sum tables of `rows` rows in groups of 2^lk (see `SubsetTables`). */
  static tableFloats(rows: number, lk: number): number {
    checkLk(lk);
    return Math.ceil(rows / 2 ** lk) * 2 ** (2 ** lk) * 16;
  }

  private checkTables(tables: SubsetTables, rows: number): void {
    const need = RbmBinaryKernels.tableFloats(rows, tables.lk);
    if (tables.scratch.length < need) throw new RangeError(`RbmBinaryKernels: the tables of ${rows} rows need ${need} floats of scratch, got ${tables.scratch.length}`);
  }

  /**
   * The rows r < n of the binary row lists (idx, starts from starts[row0]; ascending indices) as lists of subset-sum
   * table entries for `rowsSum` with tables of lk: one entry (i >> lk) << 2^lk | mask per group of 2^lk indices that
   * the row touches, ascending, into out; outStarts[0] = 0 and outStarts[r + 1] = row r's end.
   */
  groupRows(n: number, idx: Int32Array, starts: Int32Array, row0: number, lk: number, out: Int32Array, outStarts: Int32Array): void {
    checkLk(lk);
    this.x.groupRows(n, idx.byteOffset, starts.byteOffset + 4 * row0, lk, out.byteOffset, outStarts.byteOffset);
  }

  /** Int32 elements of the mask scratch of `groupColumns` for `rows` rows and `cols` columns. */
  static groupMaskInts(rows: number, cols: number, lk: number): number {
    checkLk(lk);
    return Math.ceil((cols * Math.ceil(rows / 2 ** lk)) / 16) * 4;
  }

  /**
   * The gradient's column lists as subset-sum table entries for `momentumStep` with tables of lk: for each column
   * i < cols, one entry (g << 2^lk) | mask per group g of 2^lk consecutive rows r < rows (row r: the binary list
   * idx[starts[r] .. starts[r+1]), indices < cols) in which i is on somewhere (mask bit r & (2^lk − 1)), ascending g;
   * out needs room for cols·⌈rows / 2^lk⌉ entries, masks `groupMaskInts` ints; outStarts[i + 1] = column i's end.
   * With `pairs` (rows = 2·pairs: rows r and pairs + r belong together, e.g. a data row and its reconstruction) the
   * rows are grouped in the order 0, pairs, 1, pairs + 1, …: a group of 4 holds rows r, r + 1, pairs + r, pairs + r + 1
   * (the tables of `momentumStep` must be given the same `pairs`).
   */
  groupColumns(rows: number, idx: Int32Array, starts: Int32Array, cols: number, lk: number, masks: Int32Array, out: Int32Array, outStarts: Int32Array, pairs = 0): void {
    if (masks.length < RbmBinaryKernels.groupMaskInts(rows, cols, lk)) throw new RangeError('RbmBinaryKernels.groupColumns: the mask scratch is too small');
    if (pairs && rows !== 2 * pairs) throw new RangeError(`RbmBinaryKernels.groupColumns: rows must be 2·pairs, got ${rows} rows, ${pairs} pairs`);
    this.x.groupColumns(rows, idx.byteOffset, starts.byteOffset, cols, lk, masks.byteOffset, out.byteOffset, outStarts.byteOffset, pairs);
  }

  /**
   * out[(outRow + r)·outStride + j] += Σ_{t ∈ add(r)} M(addIdx[t], j) − Σ_{t ∈ sub(r)} M(subIdx[t], j) for r < n, j < cols,
   * with add(r) = [addStarts[r], addStarts[r + 1]) and sub(r) likewise (M in panel layout with mRows rows): the products
   * of binary rows from those of rows that differ in a few units. With `sigmoid` the rows hold σ of that afterwards.
   */
  rowsUpdate(n: number, cols: number, addIdx: Int32Array, addStarts: Int32Array, subIdx: Int32Array, subStarts: Int32Array, M: Float32Array, mRows: number, out: Float32Array, outStride: number, outRow = 0, sigmoid = false): void {
    check16('cols', cols);
    this.x.rowsUpdate(n, cols / 16, addIdx.byteOffset, addStarts.byteOffset, subIdx.byteOffset, subStarts.byteOffset, M.byteOffset, 64 * mRows, out.byteOffset + 4 * outRow * outStride, 4 * outStride, sigmoid ? 1 : 0);
  }

  /**
   * For i < rows, j < cols (W and vel in panel layout with `rows` rows; G row-major with row stride gStride):
   * d = mu·vel(i,j) − lrDecay·W(i,j) + Σ_{t = colStarts[i]}^{colStarts[i+1]−1} G[rowIdx[t]·gStride + j]; vel(i,j) = d;
   * W(i,j) += d. Returns Σ d (non-finite when any d is). With mu = lrDecay = 0, d is the sum alone and vel is left as
   * it is (neither read nor written: one stream less over W-sized memory). With `tables` the lists are those of
   * `groupColumns` over G's first gRows rows (entries of their subset-sum tables, built per panel in tables.scratch;
   * `pairs` as given to `groupColumns`).
   */
  momentumStep(rows: number, cols: number, colStarts: Int32Array, rowIdx: Int32Array, G: Float32Array, gStride: number, W: Float32Array, vel: Float32Array, mu: number, lrDecay: number, tables?: SubsetTables & { gRows: number; pairs?: number }): number {
    check16('cols', cols);
    if (tables) {
      this.checkTables(tables, tables.gRows);
      if (tables.pairs && tables.gRows !== 2 * tables.pairs) throw new RangeError(`RbmBinaryKernels.momentumStep: gRows must be 2·pairs, got ${tables.gRows}, ${tables.pairs}`);
    }
    return this.x.momentumStep(rows, cols / 16, colStarts.byteOffset, rowIdx.byteOffset, G.byteOffset, 4 * gStride, W.byteOffset, vel.byteOffset, 64 * rows, mu, lrDecay, mu === 0 && lrDecay === 0 ? 0 : 1, tables?.lk ?? 0, tables?.scratch.byteOffset ?? 0, tables?.gRows ?? 0, tables?.pairs ?? 0);
  }

  /**
   * Bernoulli draws of rows [p0, p0 + n) of the probabilities `p` (row stride `stride`, `cols` used) with the
   * xoshiro128** state words `state` (advanced in place): unit j of row r is on when u < p, the uniforms being those
   * of rng.ts `fillUniformPairs32` for an [n × cols] block (n·cols even). The active indices go to idx from position
   * starts[s0]; starts[s0 + r + 1] receives each row's end.
   */
  bernoulliDraw(p: Float32Array, p0: number, n: number, stride: number, cols: number, idx: Int32Array, starts: Int32Array, s0: number, state: Int32Array): void {
    if ((n * cols) % 2 !== 0) throw new RangeError(`RbmBinaryKernels.bernoulliDraw: n·cols must be even, got ${n}·${cols}`);
    this.x.bernoulliDraw(n, cols, p.byteOffset + 4 * p0 * stride, stride, idx.byteOffset, starts[s0]!, starts.byteOffset + 4 * s0, state.byteOffset);
  }

  /** dst = srcᵀ between panel layouts: src [rows × cols], dst [cols × rows] (rows, cols multiples of 16). */
  transpose(rows: number, cols: number, src: Float32Array, dst: Float32Array): void {
    check16('rows', rows);
    check16('cols', cols);
    this.x.transpose(rows, cols, src.byteOffset, dst.byteOffset);
  }

  /** x[k] ← s·x[k] (float32 products) for the first n entries (n a multiple of 4). */
  scale(x: Float32Array, s: number, n = x.length): void {
    this.x.scale(n, x.byteOffset, s);
  }

  /** x[k] ← 1 / (1 + e^{−x[k]}) for the first n entries (n a multiple of 4), to about 2 float32 ulp. */
  sigmoid(x: Float32Array, n = x.length): void {
    this.x.sigmoid(n, x.byteOffset);
  }
}
