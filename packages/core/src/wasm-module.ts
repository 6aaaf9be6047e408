// The project's TypeScript libs (ES2022 without DOM) do not declare WebAssembly; the part used here.
/** A WebAssembly memory (its buffer is replaced when it grows). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface CompiledModule {
  readonly __compiled: unique symbol;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => CompiledModule;
  Instance: new (module: CompiledModule, imports: object) => { exports: unknown };
};

const compiled = new Map<string, CompiledModule | null>();

/**
 * Instantiates a module given as base64 (the form `npm run build:wasm` writes), with no imports; the module is
 * compiled once per thread. Returns its exports, or null where the runtime cannot compile it (no WebAssembly,
 * or no SIMD) so that callers fall back to their JavaScript loops.
 */
export function instantiateWasm<Exports>(base64: string): Exports | null {
  let mod = compiled.get(base64);
  if (mod === undefined) {
    try {
      mod = new WebAssembly.Module(Buffer.from(base64, 'base64'));
    } catch {
      mod = null;
    }
    compiled.set(base64, mod);
  }
  return mod ? (new WebAssembly.Instance(mod, {}).exports as Exports) : null;
}

/** Grows `memory` to at least `bytes` (views made before a growth are detached). */
export function ensureWasmMemory(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}
