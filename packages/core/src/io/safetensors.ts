/**
 * The safetensors container, pure and on buffers: an 8-byte little-endian u64 header length N, N bytes of UTF-8
 * JSON header (padded with spaces to a multiple of 8), then the raw little-endian tensor bytes. Header entries are
 * `"<name>": {"dtype", "shape", "data_offsets": [begin, end]}` with offsets relative to the byte buffer after the
 * header; the tensors are contiguous and cover that buffer exactly. `__metadata__` maps strings to strings.
 *
 * This module knows nothing of ebmkit models (see `model-file.ts`); it is the layout that Python's `safetensors`
 * reads and writes.
 */
import { endianness } from 'node:os';

/** Element types ebmkit reads and writes (safetensors spelling). `BOOL` is stored in a `Uint8Array` holding 0/1. */
export type Dtype = 'F64' | 'F32' | 'I64' | 'I32' | 'I16' | 'I8' | 'U64' | 'U32' | 'U16' | 'U8' | 'BOOL';

/** The typed array that holds a tensor of each dtype. */
export interface DtypeArray {
  F64: Float64Array;
  F32: Float32Array;
  I64: BigInt64Array;
  I32: Int32Array;
  I16: Int16Array;
  I8: Int8Array;
  U64: BigUint64Array;
  U32: Uint32Array;
  U16: Uint16Array;
  U8: Uint8Array;
  BOOL: Uint8Array;
}

/** Any typed array a tensor can live in. */
export type TensorData = DtypeArray[Dtype];

/** One tensor: element type, shape (row-major, `[]` is a scalar) and its elements in a flat typed array. */
export interface Tensor<D extends Dtype = Dtype> {
  dtype: D;
  shape: number[];
  data: DtypeArray[D];
}

/** A decoded (or to-be-encoded) safetensors file. */
export interface Safetensors {
  /** The `__metadata__` map (string → string); empty when the file has none. */
  metadata: Record<string, string>;
  tensors: Record<string, Tensor>;
}

/** Why a model file was refused (`ModelFileError.code`). */
export type ModelFileErrorCode =
  | 'not-model' // not a safetensors / ebmkit file at all
  | 'truncated' // shorter than its header says
  | 'corrupt' // malformed header or layout
  | 'checksum' // the sha256 does not match: corrupt or altered
  | 'kind' // a valid model of another kind
  | 'version' // written by a newer ebmkit
  | 'invalid'; // bad tensor contents (non-finite float, mismatched shape, …) or bad input to an encoder

/** Thrown for a malformed or refused model file; the message is `file: what`. */
export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(
    /** The file (or buffer name) the message talks about. */
    readonly file: string,
    /** Machine-readable reason. */
    readonly code: ModelFileErrorCode,
    what: string,
  ) {
    super(`${file}: ${what}`);
  }
}

type ArrayCtor = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TensorData;
  new (length: number): TensorData;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
};

const CTORS: Record<Dtype, ArrayCtor> = {
  F64: Float64Array,
  F32: Float32Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U64: BigUint64Array,
  U32: Uint32Array,
  U16: Uint16Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
} as unknown as Record<Dtype, ArrayCtor>;

/** Every dtype ebmkit handles, widest first (the order tensors are laid out in, which keeps every one aligned). */
export const DTYPES: readonly Dtype[] = ['F64', 'I64', 'U64', 'F32', 'I32', 'U32', 'I16', 'U16', 'I8', 'U8', 'BOOL'];

/** Bytes per element of `dtype`. */
export function dtypeSize(dtype: Dtype): number {
  return CTORS[dtype].BYTES_PER_ELEMENT;
}

function isDtype(s: unknown): s is Dtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(CTORS, s);
}

/** safetensors' own limit on the header (Python refuses larger ones). */
export const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN_HOST = endianness() === 'LE';
function assertLittleEndianHost(): void {
  if (!LITTLE_ENDIAN_HOST) throw new Error('safetensors: big-endian hosts are not supported');
}

function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function isFloat(dtype: Dtype): boolean {
  return dtype === 'F64' || dtype === 'F32';
}

/**
 * Index of the first element of a float tensor that is NaN or ±Infinity, or −1 when all are finite
 * (always −1 for integer dtypes). For BOOL, the index of the first element that is not 0 or 1.
 */
export function firstInvalidElement(t: Tensor): number {
  if (isFloat(t.dtype)) {
    const a = t.data as Float64Array | Float32Array;
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (v - v !== 0) return i; // NaN or ±Infinity
    }
  } else if (t.dtype === 'BOOL') {
    const a = t.data as Uint8Array;
    for (let i = 0; i < a.length; i++) if (a[i]! > 1) return i;
  }
  return -1;
}

/** Checks a tensor's dtype, shape, array type and length against each other; throws `ModelFileError(name, …)`. */
function checkTensor(file: string, name: string, t: Tensor): void {
  if (!isDtype(t.dtype)) throw new ModelFileError(file, 'invalid', `tensor "${name}": unknown dtype ${JSON.stringify(t.dtype)} (expected one of ${DTYPES.join(', ')})`);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ModelFileError(file, 'invalid', `tensor "${name}": shape must be an array of non-negative integers, got ${JSON.stringify(t.shape)}`);
  }
  const ctor = CTORS[t.dtype];
  if (!(t.data instanceof ctor) || t.data.constructor !== ctor) {
    const got = (t.data as { constructor?: { name?: string } } | undefined)?.constructor?.name ?? typeof t.data;
    throw new ModelFileError(file, 'invalid', `tensor "${name}": dtype ${t.dtype} needs a ${ctor.name}, got a ${got}`);
  }
  const n = shapeSize(t.shape);
  if (t.data.length !== n) {
    throw new ModelFileError(file, 'invalid', `tensor "${name}": shape [${t.shape.join(', ')}] holds ${n} elements, data has ${t.data.length}`);
  }
}

/**
 * Encodes tensors and string metadata as a safetensors byte buffer. Tensors are laid out widest dtype first, then by
 * name, so every tensor starts at a multiple of its element size (the data buffer starts at a multiple of 8).
 * Throws `ModelFileError` (named `name`, default "safetensors") for a mismatched dtype/array/shape, a non-string
 * metadata value, or a NaN/±Infinity in a float tensor (naming the tensor and element index).
 */
export function encodeSafetensors(file: Safetensors, options: { name?: string } = {}): Uint8Array {
  assertLittleEndianHost();
  const fname = options.name ?? 'safetensors';
  const metadata = file.metadata ?? {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new ModelFileError(fname, 'invalid', `__metadata__ value of "${k}" must be a string, got ${typeof v}`);
  }
  const names = Object.keys(file.tensors);
  for (const name of names) {
    if (name === '__metadata__') throw new ModelFileError(fname, 'invalid', 'a tensor may not be named "__metadata__"');
    const t = file.tensors[name]!;
    checkTensor(fname, name, t);
    const bad = firstInvalidElement(t);
    if (bad >= 0) {
      throw new ModelFileError(fname, 'invalid', `tensor "${name}": element ${bad} is ${String(t.data[bad])} (${t.dtype === 'BOOL' ? 'BOOL must be 0 or 1' : 'float tensors must be finite'})`);
    }
  }
  const rank = (d: Dtype) => DTYPES.indexOf(d);
  names.sort((a, b) => rank(file.tensors[a]!.dtype) - rank(file.tensors[b]!.dtype) || (a < b ? -1 : a > b ? 1 : 0));

  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = file.tensors[name]!;
    const bytes = t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded > MAX_HEADER_BYTES) throw new ModelFileError(fname, 'invalid', `header is ${padded} bytes, over the safetensors limit of ${MAX_HEADER_BYTES}`);
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const name of names) {
    const d = file.tensors[name]!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  return out;
}

/** What `decodeSafetensors` found besides the tensors: where things are in the buffer. */
export interface SafetensorsLayout {
  /** N, the JSON header's length in bytes (padding included). */
  headerLength: number;
  /** The header JSON text exactly as stored (padding included). */
  headerText: string;
  /** Byte offset of the tensor data buffer in the file (8 + N). */
  dataStart: number;
}

/**
 * Decodes a safetensors buffer. Tensor arrays are views into `bytes` (no copy) when their offset is aligned for
 * their element type, copies otherwise. Throws `ModelFileError` naming `options.name` for: a file shorter than its
 * header says (`truncated: …`), trailing bytes, a header that is not UTF-8 JSON, unknown dtypes, gaps or overlaps
 * between tensors, and a byte range that disagrees with shape × dtype size. Float values are NOT checked here
 * (see `firstInvalidElement`).
 */
export function decodeSafetensors(bytes: Uint8Array, options: { name?: string } = {}): Safetensors & { layout: SafetensorsLayout } {
  assertLittleEndianHost();
  const fname = options.name ?? 'safetensors';
  if (bytes.length < 8) throw new ModelFileError(fname, 'truncated', `truncated: ${bytes.length} bytes, too short for the 8-byte header length`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) {
    throw new ModelFileError(fname, 'not-model', `not a safetensors file: header length ${n64} is over the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  const n = Number(n64);
  if (n < 2) throw new ModelFileError(fname, 'not-model', `not a safetensors file: header length ${n} is too small`);
  if (8 + n > bytes.length) throw new ModelFileError(fname, 'truncated', `truncated: header says ${n} bytes of header, file has ${bytes.length - 8}`);
  let headerText: string;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new ModelFileError(fname, 'corrupt', 'corrupt header: not valid UTF-8');
  }
  if (headerText[0] !== '{') throw new ModelFileError(fname, 'not-model', `not a safetensors file: header does not start with "{"`);
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (e) {
    throw new ModelFileError(fname, 'corrupt', `corrupt header: not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new ModelFileError(fname, 'corrupt', 'corrupt header: not a JSON object');

  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: Dtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ModelFileError(fname, 'corrupt', 'corrupt header: __metadata__ is not an object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new ModelFileError(fname, 'corrupt', `corrupt header: __metadata__ value of "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (e === null || typeof e !== 'object') throw new ModelFileError(fname, 'corrupt', `corrupt header: entry "${name}" is not an object`);
    if (!isDtype(e.dtype)) throw new ModelFileError(fname, 'corrupt', `tensor "${name}": unsupported dtype ${JSON.stringify(e.dtype)} (ebmkit reads ${DTYPES.join(', ')})`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ModelFileError(fname, 'corrupt', `tensor "${name}": shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1]) {
      throw new ModelFileError(fname, 'corrupt', `tensor "${name}": data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(off)}`);
    }
    entries.push({ name, dtype: e.dtype, shape: shape as number[], begin: off[0] as number, end: off[1] as number });
  }

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected) {
      throw new ModelFileError(fname, 'corrupt', `corrupt header: tensor "${e.name}" starts at byte ${e.begin} of the data, expected ${expected} (tensors must be contiguous)`);
    }
    const want = shapeSize(e.shape) * dtypeSize(e.dtype);
    if (e.end - e.begin !== want) {
      throw new ModelFileError(fname, 'corrupt', `tensor "${e.name}": ${e.dtype} [${e.shape.join(', ')}] needs ${want} bytes, data_offsets give ${e.end - e.begin}`);
    }
    expected = e.end;
  }
  const dataStart = 8 + n;
  const have = bytes.length - dataStart;
  if (have < expected) throw new ModelFileError(fname, 'truncated', `truncated: header says ${expected} bytes of tensor data, file has ${have}`);
  if (have > expected) throw new ModelFileError(fname, 'corrupt', `${have - expected} trailing bytes: header says ${expected} bytes of tensor data, file has ${have}`);

  const tensors: Record<string, Tensor> = {};
  // Keep the header's order (the order the tensors were written in).
  for (const e of entries) {
    const ctor = CTORS[e.dtype];
    const size = ctor.BYTES_PER_ELEMENT;
    const abs = bytes.byteOffset + dataStart + e.begin;
    const count = (e.end - e.begin) / size;
    let data: TensorData;
    if (abs % size === 0) {
      data = new ctor(bytes.buffer, abs, count);
    } else {
      data = new ctor(count);
      new Uint8Array(data.buffer).set(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    }
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data } as Tensor;
  }
  return { metadata, tensors, layout: { headerLength: n, headerText, dataStart } };
}
