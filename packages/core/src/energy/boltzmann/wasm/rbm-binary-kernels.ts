import { instantiateKernels, WasmKernels, type WasmInstance } from '../../../wasm-module.js';
import { WASM_BASE64 } from './rbm-binary-wasm.js';

/** The exports of rbm-binary.wat (pointers are byte offsets into `memory`). */
interface Exports {
  rowsSum(n: number, cols: number, idx: number, starts: number, M: number, bias: number, out: number): void;
  rowsUpdate(n: number, cols: number, addIdx: number, addStarts: number, subIdx: number, subStarts: number, M: number, out: number): void;
  add(n: number, x: number, y: number, out: number): void;
  momentumStep(rows: number, cols: number, colStarts: number, rowIdx: number, G: number, W: number, vel: number, mu: number, lrDecay: number): number;
  transpose(rows: number, cols: number, src: number, dst: number): void;
  sigmoid(n: number, x: number): void;
  scale(n: number, x: number, s: number): void;
}

/**
 * The WebAssembly SIMD (f32x4) kernels of RBM training on binary states, with their own memory. Arrays are
 * Float32Array / Int32Array views into that memory (`alloc` hands them out; `ensure` first, since growing the
 * memory detaches every view), so JavaScript writes the index lists and reads the probabilities in place. Matrix
 * column counts must be multiples of 4 (pad with zeros). A binary row is the list of its active indices, so each
 * product with a binary operand is a sum of matrix rows: the same sums as a dense product, in another order.
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
   * out[(outRow + r)·cols + j] = bias[j] + Σ_{t = starts[row0 + r]}^{starts[row0 + r + 1] − 1} M[idx[t]·cols + j] for
   * r < n: the products of n binary rows (given by their active indices) with M [· × cols], plus a bias.
   */
  rowsSum(n: number, cols: number, idx: Int32Array, starts: Int32Array, row0: number, M: Float32Array, bias: Float32Array, out: Float32Array, outRow = 0): void {
    this.x.rowsSum(n, cols, idx.byteOffset, starts.byteOffset + 4 * row0, M.byteOffset, bias.byteOffset, out.byteOffset + 4 * outRow * cols);
  }

  /**
   * out[(outRow + r)·cols + j] += Σ_{t ∈ add(r)} M[addIdx[t]·cols + j] − Σ_{t ∈ sub(r)} M[subIdx[t]·cols + j] for r < n,
   * with add(r) = [addStarts[r], addStarts[r + 1]) and sub(r) likewise: the products of binary rows from those of
   * rows that differ in a few units.
   */
  rowsUpdate(n: number, cols: number, addIdx: Int32Array, addStarts: Int32Array, subIdx: Int32Array, subStarts: Int32Array, M: Float32Array, out: Float32Array, outRow = 0): void {
    this.x.rowsUpdate(n, cols, addIdx.byteOffset, addStarts.byteOffset, subIdx.byteOffset, subStarts.byteOffset, M.byteOffset, out.byteOffset + 4 * outRow * cols);
  }

  /** out[k] = x[k] + y[k] (float32) for the first n entries (n a multiple of 4); out may be x or y. */
  add(x: Float32Array, y: Float32Array, out: Float32Array, n = out.length): void {
    this.x.add(n, x.byteOffset, y.byteOffset, out.byteOffset);
  }

  /**
   * For i < rows, j < cols: d = mu·vel[i,j] − lrDecay·W[i,j] + Σ_{t = colStarts[i]}^{colStarts[i+1]−1} G[rowIdx[t]·cols + j];
   * vel[i,j] = d; W[i,j] += d. Returns Σ d (non-finite when any d is).
   */
  momentumStep(rows: number, cols: number, colStarts: Int32Array, rowIdx: Int32Array, G: Float32Array, W: Float32Array, vel: Float32Array, mu: number, lrDecay: number): number {
    return this.x.momentumStep(rows, cols, colStarts.byteOffset, rowIdx.byteOffset, G.byteOffset, W.byteOffset, vel.byteOffset, mu, lrDecay);
  }

  /** dst[j·rows + i] = src[i·cols + j] (rows, cols multiples of 4). */
  transpose(rows: number, cols: number, src: Float32Array, dst: Float32Array): void {
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
