import { instantiateKernels, WasmKernels, type WasmInstance } from '../../wasm-module.js';
import { WASM_BASE64 } from './sum-product-wasm.js';

/** The exports of sum-product.wat (pointers are byte offsets into `memory`). */
interface Exports {
  forward(T: number, L: number, unary: number, transition: number, alpha: number, sums: number): void;
  backward(T: number, L: number, unary: number, transitionT: number, beta: number, scratch: number): void;
  transposedProduct(A: number, B: number, n: number, L: number, out: number): void;
}

/**
 * The SumSemiring's forward pass, backward pass and edge-count product as WebAssembly SIMD (f64x2) kernels, with
 * their own memory. The tables are Float64Array views into that memory (`view`), so the JavaScript code writes
 * the lifted potentials in place and the kernels read them without copying; `ChainWorkspace` lays its buffers out
 * this way. The kernels compute the same sums as the JavaScript loops, in another order (equal up to rounding).
 */
export class SumProductKernels extends WasmKernels<Exports> {
  private constructor(inst: WasmInstance<Exports>) {
    super(WASM_BASE64, inst);
  }

  /** An instance with its own memory, or null where WebAssembly SIMD is unavailable or `EBM_CHAIN_KERNELS=js`. */
  static create(): SumProductKernels | null {
    const inst = instantiateKernels<Exports>(WASM_BASE64, 'EBM_CHAIN_KERNELS');
    return inst ? new SumProductKernels(inst) : null;
  }

  /** A Float64Array of `length` over the memory, starting `offset` doubles in. */
  view(offset: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, offset * 8, length);
  }

  /** dp.ts `forward` for SumSemiring: rescaled α rows; sums[t] = the row sum before rescaling (0 leaves the row). */
  forward(T: number, L: number, unary: Float64Array, transition: Float64Array, alpha: Float64Array, sums: Float64Array): void {
    this.x.forward(T, L, unary.byteOffset, transition.byteOffset, alpha.byteOffset, sums.byteOffset);
  }

  /** dp.ts `backward` for SumSemiring, through the transposed transition table; scratch needs L entries. */
  backward(T: number, L: number, unary: Float64Array, transitionT: Float64Array, beta: Float64Array, scratch: Float64Array): void {
    this.x.backward(T, L, unary.byteOffset, transitionT.byteOffset, beta.byteOffset, scratch.byteOffset);
  }

  /** out[a·L + b] = Σ_{r<n} A[aOff + r·L + a] · B[bOff + r·L + b] (offsets in doubles), as `transposedProduct`. */
  transposedProduct(A: Float64Array, aOff: number, B: Float64Array, bOff: number, n: number, L: number, out: Float64Array): void {
    this.x.transposedProduct(A.byteOffset + 8 * aOff, B.byteOffset + 8 * bOff, n, L, out.byteOffset);
  }
}
