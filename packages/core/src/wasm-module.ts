// The project's TypeScript libs (ES2022 without DOM) do not declare WebAssembly; the part used here.
/** A WebAssembly memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface CompiledModule {
  readonly __compiled: unique symbol;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => CompiledModule;
  Instance: new (module: CompiledModule, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
};

/** An instantiated kernel module and the memory it was given. */
export interface WasmInstance<Exports> {
  readonly memory: WasmMemory;
  readonly exports: Exports;
}

const compiled = new Map<string, CompiledModule | null>();

/** The module compiled from base64, once per thread; null where the runtime cannot compile it. */
function compile(base64: string): CompiledModule | null {
  let mod = compiled.get(base64);
  if (mod === undefined) {
    try {
      mod = new WebAssembly.Module(Buffer.from(base64, 'base64'));
    } catch {
      mod = null;
    }
    compiled.set(base64, mod);
  }
  return mod;
}

/**
 * Instantiates a module given as base64 (the form `npm run build:wasm` writes) that imports its memory as
 * `env.memory`, with a fresh memory of at least `bytes`; the module is compiled once per thread. Returns null where
 * the runtime cannot compile it (no WebAssembly, or no SIMD) so that callers fall back to their JavaScript loops.
 *
 * Memories are never grown: growing detaches the old ArrayBuffer, and the first detached buffer in a V8 isolate
 * invalidates V8's "array buffer detaching" protector, after which optimised code checks every typed array access
 * for detachment (a precaution: no difference was measurable here in steady-state tagging). A kernel that needs
 * more room takes a new instance with `regrowWasm`.
 */
export function instantiateWasm<Exports>(base64: string, bytes = 65536): WasmInstance<Exports> | null {
  const mod = compile(base64);
  if (!mod) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  return { memory, exports: new WebAssembly.Instance(mod, { env: { memory } }).exports as Exports };
}

/**
 * Instantiates a module (base64, importing `env.memory`) on an existing memory — e.g. tfjs's wasm backend's, so that
 * kernels work on its tensors in place. The module must not grow it; the owner may (addresses stay valid). Returns
 * null where the runtime cannot compile the module.
 */
export function instantiateWasmWithMemory<Exports>(base64: string, memory: unknown): Exports | null {
  const mod = compile(base64);
  if (!mod) return null;
  return new WebAssembly.Instance(mod, { env: { memory } }).exports as Exports;
}

/**
 * `old` if its memory holds `bytes`, else a new instance of the same module with room for at least `bytes` (and
 * 1.5× the old size) and the old memory's contents copied in. Views of the old memory stay valid but are no longer
 * the kernels' (make new ones).
 */
export function regrowWasm<Exports>(base64: string, old: WasmInstance<Exports>, bytes: number): WasmInstance<Exports> {
  const have = old.memory.buffer.byteLength;
  if (bytes <= have) return old;
  const next = instantiateWasm<Exports>(base64, Math.max(bytes, Math.ceil(have * 1.5)))!;
  new Uint8Array(next.memory.buffer).set(new Uint8Array(old.memory.buffer));
  return next;
}

/**
 * `instantiateWasm(base64, bytes)`, or null when the environment variable `switchName` is `js` (each kernel family's
 * way back to its JavaScript loops, e.g. EBM_CHAIN_KERNELS=js).
 */
export function instantiateKernels<Exports>(base64: string, switchName: string, bytes?: number): WasmInstance<Exports> | null {
  if (typeof process !== 'undefined' && process.env?.[switchName] === 'js') return null;
  return instantiateWasm<Exports>(base64, bytes);
}

/**
 * Base of the kernel wrappers that own a module instance and its memory: `x` is the exports, `memory` the memory as
 * it is now, and `ensure` swaps in a larger instance with the contents copied (`regrowWasm`) — views made before that
 * are no longer the kernels', so make views after it.
 */
export abstract class WasmKernels<Exports> {
  protected constructor(
    private readonly base64: string,
    private inst: WasmInstance<Exports>,
  ) {}

  protected get x(): Exports {
    return this.inst.exports;
  }

  protected get memory(): WasmMemory {
    return this.inst.memory;
  }

  /** Makes the memory hold at least `bytes` (a new, larger memory with the contents copied: make new views). */
  ensure(bytes: number): void {
    this.inst = regrowWasm(this.base64, this.inst, bytes);
  }
}
