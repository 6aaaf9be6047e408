/**
 * Access to the kernels of tensor-glue.wat from tfjs wasm-backend kernels: one instance per backend memory (the
 * module imports tfjs's own memory, so its kernels read and write tensors in place), and the byte offset of a tensor
 * in that memory. Offsets stay valid when tfjs grows its memory; only JavaScript views of it detach.
 */
import { instantiateWasmWithMemory } from '../../wasm-module.js';
import { WASM_BASE64 } from './tensor-glue-wasm.js';

/** A backend-level tensor handle as kernels receive it. */
export type TensorInfo = { dataId: object; shape: number[]; dtype: 'float32' | 'int32' | 'bool' | 'complex64' | 'string' };

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
export interface WasmBackendInternals {
  wasm: { asm: { memory: unknown } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: TensorInfo['dtype']): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** The exports of tensor-glue.wat (pointers are byte offsets into tfjs's wasm memory). */
export interface TensorGlue {
  biasAct(z: number, bias: number, rows: number, C: number, act: number, a: number, d: number): void;
  biasActPool2(z: number, bias: number, N: number, H: number, W: number, C: number, act: number, p: number, idx: number, d: number): void;
  unpool2Mul(gp: number, idx: number, d: number, N: number, H: number, W: number, C: number, gz: number): void;
  pool2ConvBackInput(
    gp: number, idx: number, d: number, wt: number, N: number, H: number, W: number, Co: number, Ci: number,
    KH: number, KW: number, top: number, left: number, IH: number, IW: number, lists: number, dx: number,
  ): void;
  winogradInput(x: number, N: number, H: number, W: number, Ci: number, TH: number, TW: number, top: number, left: number, zero: number, tab: number): void;
  winogradOutput(tab: number, N: number, OH: number, OW: number, Co: number, TH: number, TW: number, y: number): void;
  columnSums(x: number, rows: number, C: number, acc: number, out: number): void;
  convFilterGrad(
    xp: number,
    dy: number,
    acc: number,
    N: number,
    Hp: number,
    Wp: number,
    Ci: number,
    OH: number,
    OW: number,
    Co: number,
    KH: number,
    J: number,
    sh: number,
    sw: number,
    dh: number,
    top: number,
    H: number,
  ): void;
  convInputGrad1(dy: number, w: number, dxp: number, N: number, OH: number, OW: number, Co: number, KH: number, KW: number, Hp: number, Wp: number): void;
}

const byMemory = new Map<unknown, TensorGlue | null>();

/**
 * The glue kernels on `backend`'s memory, or null where they cannot run (not a wasm backend, no WebAssembly SIMD);
 * callers then keep tfjs's own kernels.
 */
export function tensorGlue(backend: unknown): TensorGlue | null {
  const memory = (backend as Partial<WasmBackendInternals>).wasm?.asm?.memory;
  if (!memory) return null;
  let g = byMemory.get(memory);
  if (g === undefined) {
    g = instantiateWasmWithMemory<TensorGlue>(WASM_BASE64, memory);
    byMemory.set(memory, g);
  }
  return g;
}

/** Byte offset of a tensor in the wasm backend's memory. */
export function heapOffset(backend: WasmBackendInternals, t: TensorInfo): number {
  const e = backend.dataIdMap.get(t.dataId);
  if (!e) throw new Error('tensor glue: tensor not on the wasm backend');
  return e.memoryOffset;
}
