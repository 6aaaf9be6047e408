import { WASM_BASE64 } from './sum-product-wasm.js';

// The project's TypeScript libs (ES2022 without DOM) do not declare WebAssembly; the part used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly __module: unique symbol;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
};

/** The exports of sum-product.wat (pointers are byte offsets into `memory`). */
interface Exports {
  memory: WasmMemory;
  forward(T: number, L: number, unary: number, transition: number, alpha: number, sums: number): void;
  backward(T: number, L: number, unary: number, transitionT: number, beta: number, scratch: number): void;
  transposedProduct(A: number, B: number, n: number, L: number, out: number): void;
}

let compiled: WasmModule | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is not available (compiled once per thread). */
function sumProductModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * The SumSemiring's forward pass, backward pass and edge-count product as WebAssembly SIMD (f64x2) kernels, with
 * their own memory. The tables are Float64Array views into that memory (`view`), so the JavaScript code writes
 * the lifted potentials in place and the kernels read them without copying; `ChainWorkspace` lays its buffers out
 * this way. The kernels compute the same sums as the JavaScript loops, in another order (equal up to rounding).
 */
export class SumProductKernels {
  private constructor(private readonly x: Exports) {}

  /** An instance with its own memory, or null where WebAssembly SIMD is unavailable or `EBM_CHAIN_KERNELS=js`. */
  static create(): SumProductKernels | null {
    if (typeof process !== 'undefined' && process.env?.['EBM_CHAIN_KERNELS'] === 'js') return null;
    const mod = sumProductModule();
    if (!mod) return null;
    return new SumProductKernels(new WebAssembly.Instance(mod, {}).exports as unknown as Exports);
  }

  /** Grows the memory to at least `bytes`; views made before a growth are detached (make new ones). */
  ensure(bytes: number): void {
    const have = this.x.memory.buffer.byteLength;
    if (bytes > have) this.x.memory.grow(Math.ceil((bytes - have) / 65536));
  }

  /** A Float64Array of `length` over the memory, starting `offset` doubles in. */
  view(offset: number, length: number): Float64Array {
    return new Float64Array(this.x.memory.buffer, offset * 8, length);
  }

  /** True when `a` is a view of this instance's memory (as it is now). */
  owns(a: Float64Array): boolean {
    return a.buffer === this.x.memory.buffer;
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
