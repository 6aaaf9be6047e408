/**
 * IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or plain (told apart by magic bytes): a 4-byte magic
 * (0, 0, type, ndims), ndims big-endian u32 dimensions, then the big-endian elements in row-major order.
 */
import { readFile } from 'node:fs/promises';
import { fsErrorWords, isErrnoError } from '../io/fs-errors.js';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { DataError } from './data-error.js';

const gunzipAsync = promisify(gunzip);

/** IDX element types. */
export type IdxType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';

/** The typed array each IDX type is returned in. */
export interface IdxArray {
  u8: Uint8Array;
  i8: Int8Array;
  i16: Int16Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
}

/** A decoded IDX file: element type, shape, and the elements (row-major, native byte order). */
export interface IdxTensor<T extends IdxType = IdxType> {
  type: T;
  shape: number[];
  data: IdxArray[T];
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'u8', size: 1 },
  0x09: { type: 'i8', size: 1 },
  0x0b: { type: 'i16', size: 2 },
  0x0c: { type: 'i32', size: 4 },
  0x0d: { type: 'f32', size: 4 },
  0x0e: { type: 'f64', size: 8 },
};

function hex(b: Uint8Array, n: number): string {
  return Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Decodes the (already decompressed) bytes of an IDX file; `name` is used in error messages. u8 data is a view into
 * `bytes` (no copy); wider types are converted from big-endian into a new array.
 */
export function decodeIdx(bytes: Uint8Array, name = 'idx'): IdxTensor {
  if (bytes.length < 4) throw new DataError(name, undefined, `not an IDX file: ${bytes.length} bytes, expected at least a 4-byte magic number`);
  const t = TYPES[bytes[2]!];
  const ndims = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || t === undefined || ndims === 0) {
    throw new DataError(
      name,
      undefined,
      `not an IDX file: magic number is ${hex(bytes, 4)}, expected 00 00 <type 08|09|0b|0c|0d|0e> <ndims ≥ 1>`,
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) throw new DataError(name, undefined, `truncated: ${ndims} dimensions need a ${headerBytes}-byte header, file has ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= d;
  }
  const want = count * t.size;
  const have = bytes.length - headerBytes;
  if (have < want) {
    throw new DataError(name, undefined, `truncated: header says ${shape.join('×')} ${t.type} = ${want} bytes of data, file has ${have}`);
  }
  if (have > want) throw new DataError(name, undefined, `${have - want} trailing bytes: header says ${shape.join('×')} ${t.type} = ${want} bytes of data, file has ${have}`);
  const off = headerBytes;
  let data: IdxArray[IdxType];
  switch (t.type) {
    case 'u8':
      data = bytes.subarray(off, off + count);
      if (data.constructor !== Uint8Array) data = new Uint8Array(data.buffer, data.byteOffset, data.length);
      break;
    case 'i8':
      data = new Int8Array(bytes.buffer, bytes.byteOffset + off, count);
      break;
    case 'i16': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt16(off + 2 * i, false);
      data = a;
      break;
    }
    case 'i32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(off + 4 * i, false);
      data = a;
      break;
    }
    case 'f32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(off + 4 * i, false);
      data = a;
      break;
    }
    case 'f64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(off + 8 * i, false);
      data = a;
      break;
    }
  }
  return { type: t.type, shape, data } as IdxTensor;
}

/**
 * Reads an IDX file (gzip or plain). Throws `DataError` naming the file for a wrong magic number, a truncated file
 * (`truncated: header says 10000×28×28 u8 = 7840000 bytes of data, file has 7839000`), trailing bytes, or corrupt gzip.
 */
export async function readIdx(path: string): Promise<IdxTensor> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if (isErrnoError(e)) throw new DataError(path, undefined, fsErrorWords(e));
    throw e;
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (e) {
      throw new DataError(path, undefined, `corrupt gzip data: ${(e as Error).message}`);
    }
  }
  return decodeIdx(bytes, path);
}
