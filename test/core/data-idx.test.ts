import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError, readIdx, type IdxType } from '@ebmkit/core';

const corpora = process.env.EBM_CORPORA_DIR;
const corpusTest = corpora ? test : test.skip;

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-idx-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CODES: Record<IdxType, [number, number]> = { u8: [0x08, 1], i8: [0x09, 1], i16: [0x0b, 2], i32: [0x0c, 4], f32: [0x0d, 4], f64: [0x0e, 8] };

/** An IDX file written by hand, big-endian, from the format description. */
function idx(type: IdxType, shape: number[], values: number[]): Buffer {
  const [code, size] = CODES[type];
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = code;
  head[3] = shape.length;
  shape.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  const body = Buffer.alloc(values.length * size);
  values.forEach((v, i) => {
    const o = i * size;
    if (type === 'u8') body.writeUInt8(v, o);
    else if (type === 'i8') body.writeInt8(v, o);
    else if (type === 'i16') body.writeInt16BE(v, o);
    else if (type === 'i32') body.writeInt32BE(v, o);
    else if (type === 'f32') body.writeFloatBE(v, o);
    else body.writeDoubleBE(v, o);
  });
  return Buffer.concat([head, body]);
}

const SAMPLES: Record<IdxType, number[]> = {
  u8: [0, 1, 128, 255, 7, 9],
  i8: [-128, 127, 0, -1, 5, 6],
  i16: [-32768, 32767, 0, -2, 300, 4],
  i32: [-2147483648, 2147483647, 0, -3, 70000, 1],
  f32: [1.5, -0.25, 3.4028234663852886e38, 1.401298464324817e-45, 0, -2],
  f64: [Math.PI, -1e308, 5e-324, -0, 1 / 3, 2],
};

test('every IDX element type, plain and gzip, decodes big-endian data into the matching typed array', async (t) => {
  for (const type of Object.keys(SAMPLES) as IdxType[]) {
    const bytes = idx(type, [2, 3], SAMPLES[type]);
    for (const [name, content] of [[`${type}.idx`, bytes], [`${type}.idx.bin`, gzipSync(bytes)]] as const) {
      const path = join(dir, name);
      await writeFile(path, content);
      const r = await readIdx(path);
      t.is(r.type, type);
      t.deepEqual(r.shape, [2, 3]);
      t.deepEqual(Array.from(r.data), SAMPLES[type], `${name}`);
    }
  }
  const r = await readIdx(join(dir, 'f64.idx'));
  t.true(r.data instanceof Float64Array);
  t.true(Object.is(r.data[3], -0));
});

test('a wrong magic number, a short read and trailing bytes are clear errors', async (t) => {
  const good = idx('u8', [10, 2, 2], Array.from({ length: 40 }, (_, i) => i));
  const path = join(dir, 'bad.idx');
  await writeFile(path, Buffer.concat([Buffer.from([0, 1, 8, 3]), good.subarray(4)]));
  await t.throwsAsync(readIdx(path), { instanceOf: DataError, message: `${path}: not an IDX file: magic number is 00 01 08 03, expected 00 00 <type 08|09|0b|0c|0d|0e> <ndims ≥ 1>` });
  await writeFile(path, Buffer.concat([Buffer.from([0, 0, 7, 3]), good.subarray(4)]));
  await t.throwsAsync(readIdx(path), { message: /not an IDX file: magic number is 00 00 07 03/ });
  await writeFile(path, good.subarray(0, good.length - 5));
  await t.throwsAsync(readIdx(path), { message: `${path}: truncated: header says 10×2×2 u8 = 40 bytes of data, file has 35` });
  await writeFile(path, gzipSync(good.subarray(0, 10)));
  await t.throwsAsync(readIdx(path), { message: `${path}: truncated: 3 dimensions need a 16-byte header, file has 10 bytes` });
  await writeFile(path, Buffer.concat([good, Buffer.from([1, 2])]));
  await t.throwsAsync(readIdx(path), { message: /2 trailing bytes/ });
  const gz = gzipSync(idx('f32', [1000], Array.from({ length: 1000 }, (_, i) => Math.sin(i))));
  await writeFile(path, gz.subarray(0, gz.length - 40));
  await t.throwsAsync(readIdx(path), { instanceOf: DataError, message: /bad\.idx: corrupt gzip data: unexpected end of file/ });
  await t.throwsAsync(readIdx(join(dir, 'absent.idx')), { message: /absent\.idx: no such file/ });
});

corpusTest('Fashion-MNIST test images and labels', async (t) => {
  const images = await readIdx(join(corpora!, 'fashion_mnist', 't10k-images-idx3-ubyte.gz'));
  const labels = await readIdx(join(corpora!, 'fashion_mnist', 't10k-labels-idx1-ubyte.gz'));
  t.is(images.type, 'u8');
  t.deepEqual(images.shape, [10000, 28, 28]);
  t.deepEqual(labels.shape, [10000]);
  const counts = new Array<number>(10).fill(0);
  for (const y of labels.data) counts[y]!++;
  t.deepEqual(counts, new Array<number>(10).fill(1000));
});
