import test from 'ava';
import { DTYPES, ModelFileError, decodeSafetensors, encodeSafetensors, dtypeSize, type Tensor } from '@ebmkit/core';

/** Every dtype with edge values (no NaN: floats must be finite). */
function edgeTensors(): Record<string, Tensor> {
  return {
    f64: {
      dtype: 'F64',
      shape: [3, 3],
      data: new Float64Array([0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e308, -1.7976931348623157e308, Number.EPSILON, 1 / 3]),
    },
    f32: { dtype: 'F32', shape: [6], data: new Float32Array([-0, 1e-45, -1.1754942e-38, 3.4028234663852886e38, 0.1, -7]) },
    i64: { dtype: 'I64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n]) },
    u64: { dtype: 'U64', shape: [2], data: new BigUint64Array([0n, 2n ** 64n - 1n]) },
    i32: { dtype: 'I32', shape: [1, 3], data: new Int32Array([-2147483648, 2147483647, -1]) },
    u32: { dtype: 'U32', shape: [2], data: new Uint32Array([0, 4294967295]) },
    i16: { dtype: 'I16', shape: [3], data: new Int16Array([-32768, 32767, 5]) },
    u16: { dtype: 'U16', shape: [2], data: new Uint16Array([0, 65535]) },
    i8: { dtype: 'I8', shape: [3], data: new Int8Array([-128, 127, 0]) },
    u8: { dtype: 'U8', shape: [5], data: new Uint8Array([0, 1, 127, 128, 255]) },
    bool: { dtype: 'BOOL', shape: [2, 2], data: new Uint8Array([0, 1, 1, 0]) },
    scalar: { dtype: 'F64', shape: [], data: new Float64Array([-2.5]) },
    empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
  };
}

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

test('every dtype round-trips bit-exactly, including −0, subnormals and extremes', (t) => {
  const tensors = edgeTensors();
  t.deepEqual([...new Set(Object.values(tensors).map((x) => x.dtype))].sort(), [...DTYPES].sort());
  const bytes = encodeSafetensors({ metadata: { note: 'hi ✓' }, tensors });
  const back = decodeSafetensors(bytes);
  t.deepEqual(back.metadata, { note: 'hi ✓' });
  t.deepEqual(Object.keys(back.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, want] of Object.entries(tensors)) {
    const got = back.tensors[name]!;
    t.is(got.dtype, want.dtype, name);
    t.deepEqual(got.shape, want.shape, name);
    t.is(got.data.constructor, want.data.constructor, name);
    t.true(bytesOf(got.data).equals(bytesOf(want.data)), `${name} bytes differ`);
  }
  t.true(Object.is((back.tensors.f64!.data as Float64Array)[1], -0));
  t.is((back.tensors.f64!.data as Float64Array)[2], 5e-324);
});

test('layout: u64 header length, space padding to a multiple of 8, contiguous aligned tensors', (t) => {
  const bytes = encodeSafetensors({ metadata: {}, tensors: edgeTensors() });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  t.is(n % 8, 0);
  const text = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
  const json = text.trimEnd();
  t.regex(text.slice(json.length), /^ *$/);
  t.true(text.length - json.length < 8);
  const header = JSON.parse(json) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  t.false('__metadata__' in header, 'no empty __metadata__ written');
  const entries = Object.values(header).sort((a, b) => a.data_offsets[0] - b.data_offsets[0]);
  let end = 0;
  for (const e of entries) {
    t.is(e.data_offsets[0], end);
    t.is(e.data_offsets[0] % dtypeSize(e.dtype as never), 0, `${e.dtype} tensor aligned`);
    end = e.data_offsets[1];
  }
  t.is(8 + n + end, bytes.length);
});

test('decoding returns views into the buffer when aligned, aligned copies when not', (t) => {
  const bytes = encodeSafetensors({ metadata: {}, tensors: edgeTensors() });
  const aligned = decodeSafetensors(bytes);
  t.is(aligned.tensors.f64!.data.buffer, bytes.buffer, 'no copy');
  t.is(aligned.tensors.u8!.data.buffer, bytes.buffer, 'no copy');
  // Shift the whole file by one byte: every wide tensor is now misaligned and must be copied.
  const shifted = new Uint8Array(bytes.length + 1).subarray(1);
  shifted.set(bytes);
  const back = decodeSafetensors(shifted);
  for (const [name, want] of Object.entries(edgeTensors())) {
    const got = back.tensors[name]!.data;
    t.is(got.byteOffset % dtypeSize(want.dtype), 0, `${name} aligned`);
    t.true(bytesOf(got).equals(bytesOf(want.data)), `${name} bytes`);
  }
  t.not(back.tensors.f64!.data.buffer, shifted.buffer, 'misaligned F64 copied');
  t.is(back.tensors.u8!.data.buffer, shifted.buffer, 'U8 is never misaligned: still a view');
});

/** Builds a safetensors buffer by hand from the published layout (independent of the encoder). */
function handMade(header: object, data: number[]): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  Buffer.from(data).copy(out, 8 + json.length);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

test('decodes a file built by hand from the layout (unpadded header, misaligned data)', (t) => {
  const f32 = Buffer.alloc(8);
  f32.writeFloatLE(1.5, 0);
  f32.writeFloatLE(-2, 4);
  const bytes = handMade(
    { __metadata__: { a: 'b' }, x: { dtype: 'U8', shape: [1], data_offsets: [0, 1] }, y: { dtype: 'F32', shape: [2, 1], data_offsets: [1, 9] } },
    [7, ...f32],
  );
  const d = decodeSafetensors(bytes);
  t.deepEqual(d.metadata, { a: 'b' });
  t.deepEqual(Array.from(d.tensors.x!.data as Uint8Array), [7]);
  t.deepEqual(Array.from(d.tensors.y!.data as Float32Array), [1.5, -2]);
  t.deepEqual(d.tensors.y!.shape, [2, 1]);
});

test('decoding refuses malformed layouts with a named reason', (t) => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['gap', handMade({ x: { dtype: 'U8', shape: [1], data_offsets: [1, 2] } }, [0, 0]), /^buf: corrupt header: tensor "x" starts at byte 1 of the data, expected 0/],
    ['size', handMade({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0]), /^buf: tensor "x": F32 \[2\] needs 8 bytes, data_offsets give 4$/],
    ['dtype', handMade({ x: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }, [0, 0]), /^buf: tensor "x": unsupported dtype "F16"/],
    ['trailing', handMade({ x: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, [0, 9]), /^buf: 1 trailing bytes: header says 1 bytes of tensor data, file has 2$/],
    ['short data', handMade({ x: { dtype: 'U8', shape: [3], data_offsets: [0, 3] } }, [0]), /^buf: truncated: header says 3 bytes of tensor data, file has 1$/],
    ['not json', handMade({}, []).map((b, i) => (i === 8 ? 0x7b : i === 9 ? 0x7b : b)), /^buf: corrupt header: not valid JSON/],
    ['metadata value', handMade({ __metadata__: { a: 1 } }, []), /^buf: corrupt header: __metadata__ value of "a" is not a string$/],
    ['huge header', new Uint8Array([255, 255, 255, 255, 0, 0, 0, 0, 1, 2]), /^buf: not a safetensors file: header length 4294967295 is over the limit/],
    ['tiny', new Uint8Array([1, 2, 3]), /^buf: truncated: 3 bytes/],
  ];
  for (const [what, bytes, message] of cases) {
    const e = t.throws(() => decodeSafetensors(bytes, { name: 'buf' }), { instanceOf: ModelFileError, message }, what);
    t.is(e?.file, 'buf');
  }
});

test('encoding checks dtype against array type, shape against length, and finiteness', (t) => {
  const enc = (x: Tensor) => () => encodeSafetensors({ metadata: {}, tensors: { x } }, { name: 'm' });
  t.throws(enc({ dtype: 'F32', shape: [1], data: new Float64Array(1) } as never), { message: 'm: tensor "x": dtype F32 needs a Float32Array, got a Float64Array' });
  t.throws(enc({ dtype: 'U8', shape: [2], data: Buffer.alloc(2) }), { message: /needs a Uint8Array, got a Buffer/ });
  t.throws(enc({ dtype: 'I32', shape: [2, 2], data: new Int32Array(3) }), { message: 'm: tensor "x": shape [2, 2] holds 4 elements, data has 3' });
  t.throws(enc({ dtype: 'F64', shape: [3], data: new Float64Array([1, 2, NaN]) }), { message: 'm: tensor "x": element 2 is NaN (float tensors must be finite)' });
  t.throws(enc({ dtype: 'F32', shape: [1], data: new Float32Array([-Infinity]) }), { message: /element 0 is -Infinity/ });
  t.throws(enc({ dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 2]) }), { message: /element 1 is 2 \(BOOL must be 0 or 1\)/ });
  t.throws(() => encodeSafetensors({ metadata: { a: 3 as never }, tensors: {} }), { message: /__metadata__ value of "a" must be a string/ });
});
