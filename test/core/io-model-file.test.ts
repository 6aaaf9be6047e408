import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHECKSUM_KEY,
  METADATA_KEY,
  ModelFileError,
  decodeModel,
  encodeModel,
  encodeSafetensors,
  loadModel,
  saveModel,
  type ModelFile,
} from '@ebmkit/core';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-model-file-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

function smallModel(): ModelFile {
  return {
    kind: 'crf',
    formatVersion: 1,
    metadata: { c2: 0.5, labels: ['B-NP', 'I-NP', 'O'], attributes: { 'w=the': 0, 'w=ünï': 1 }, seed: 7, flag: true, none: null },
    tensors: {
      state: { dtype: 'F64', shape: [2, 3], data: new Float64Array([0.25, -0, 5e-324, 1e308, -3, 1 / 3]) },
      trans: { dtype: 'F32', shape: [3, 3], data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, -1e-40]) },
      ids: { dtype: 'I32', shape: [3], data: new Int32Array([-1, 0, 2147483647]) },
      mask: { dtype: 'U8', shape: [2], data: new Uint8Array([0, 255]) },
    },
  };
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

test('saveModel / loadModel round-trip kind, version, metadata and tensors bit-exactly', async (t) => {
  const path = join(dir, 'roundtrip.safetensors');
  const model = smallModel();
  await saveModel(path, model);
  const back = await loadModel(path, { kind: 'crf' });
  t.is(back.kind, 'crf');
  t.is(back.formatVersion, 1);
  t.deepEqual(back.metadata, model.metadata);
  t.deepEqual(Object.keys(back.tensors).sort(), Object.keys(model.tensors).sort());
  for (const [name, want] of Object.entries(model.tensors)) {
    const got = back.tensors[name]!;
    t.is(got.dtype, want.dtype);
    t.deepEqual(got.shape, want.shape);
    t.true(sameBytes(got.data, want.data), name);
  }
  // Loaded tensors are views into one file buffer, not copies.
  t.is(back.tensors.state!.data.buffer, back.tensors.trans!.data.buffer);
  // Encoding is deterministic: saving again gives the same bytes.
  t.true(Buffer.from(encodeModel(model)).equals(await readFile(path)));
});

test('the checksum is the documented sha256 of the file with its own digits zeroed', (t) => {
  const bytes = Buffer.from(encodeModel(smallModel()));
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as { __metadata__: Record<string, string> };
  const digest = header.__metadata__[CHECKSUM_KEY]!;
  t.regex(digest, /^[0-9a-f]{64}$/);
  t.deepEqual(JSON.parse(header.__metadata__[METADATA_KEY]!), { kind: 'crf', format_version: 1, metadata: smallModel().metadata });
  const blanked = Buffer.from(bytes.toString('latin1').replace(digest, '0'.repeat(64)), 'latin1');
  t.is(createHash('sha256').update(blanked).digest('hex'), digest);
});

test('flipping any single byte of a model file is refused (every position, three flip patterns)', (t) => {
  const good = encodeModel(smallModel(), { name: 'm.safetensors' });
  t.notThrows(() => decodeModel(good, { name: 'm.safetensors' }));
  t.true(good.length > 300, `file of ${good.length} bytes`);
  const dataStart = 8 + Number(Buffer.from(good.buffer).readBigUInt64LE(0));
  const codes = new Map<string, number>();
  let dataFlipsByChecksum = 0;
  // 0x01: smallest change; 0xff: every bit; 0x2a: turns a padding space into a newline (still valid JSON whitespace).
  for (const mask of [0x01, 0xff, 0x2a]) {
    for (let i = 0; i < good.length; i++) {
      const bad = good.slice();
      bad[i] ^= mask;
      let err: unknown;
      try {
        decodeModel(bad, { name: 'm.safetensors' });
      } catch (e) {
        err = e;
      }
      if (!(err instanceof ModelFileError)) {
        t.fail(`flip ${mask.toString(16)} at byte ${i} of ${good.length} was accepted (or threw ${String(err)})`);
        return;
      }
      t.true(err.message.startsWith('m.safetensors: '));
      codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
      if (i >= dataStart && err.code === 'checksum') dataFlipsByChecksum++;
    }
  }
  t.log('refusals by reason:', Object.fromEntries(codes));
  // A flipped tensor byte leaves a well-formed file: only the checksum can catch it.
  t.is(dataFlipsByChecksum, 3 * (good.length - dataStart));
});

test('the checksum mismatch message', (t) => {
  const bytes = encodeModel(smallModel());
  bytes[bytes.length - 1] ^= 0x10; // last byte of tensor data
  t.throws(() => decodeModel(bytes, { name: 'model.safetensors' }), {
    instanceOf: ModelFileError,
    message: 'model.safetensors: checksum mismatch — the file is corrupt or was altered',
  });
});

test('a file cut short at any of several lengths is refused as truncated', async (t) => {
  const path = join(dir, 'full.safetensors');
  await saveModel(path, smallModel());
  const full = await readFile(path);
  const n = Number(full.readBigUInt64LE(0));
  const dataLen = full.length - 8 - n;
  const cut = join(dir, 'cut.safetensors');
  for (const len of [0, 1, 7, 8, 9, 8 + (n >> 1), 8 + n - 1, 8 + n, 8 + n + 1, 8 + n + 17, full.length - 1]) {
    await writeFile(cut, full.subarray(0, len));
    const e = await t.throwsAsync(loadModel(cut), { instanceOf: ModelFileError }, `length ${len}`);
    t.is(e?.code, 'truncated', `length ${len}: ${e?.message}`);
    t.true(e!.message.startsWith(`${cut}: truncated: `), e?.message);
  }
  await writeFile(cut, full.subarray(0, full.length - 50));
  await t.throwsAsync(loadModel(cut), {
    message: `${cut}: truncated: header says ${dataLen} bytes of tensor data, file has ${dataLen - 50}`,
  });
});

test('wrong kind, newer version and non-ebmkit files are refused with clear messages', async (t) => {
  const path = join(dir, 'model.safetensors');
  await saveModel(path, { ...smallModel(), kind: 'rbm' });
  await t.throwsAsync(loadModel(path, { kind: 'crf' }), { message: `${path}: expected a model of kind "crf", found "rbm"`, instanceOf: ModelFileError });
  await t.throwsAsync(loadModel(path, { kind: ['crf', 'dbn'] }), { message: `${path}: expected a model of kind "crf" or "dbn", found "rbm"` });
  t.is((await loadModel(path, { kind: ['crf', 'rbm'] })).kind, 'rbm');

  await saveModel(path, { ...smallModel(), formatVersion: 3 });
  const e = await t.throwsAsync(loadModel(path), { message: `${path}: format version 3 is newer than this ebmkit supports (≤ 1)` });
  t.is((e as ModelFileError | undefined)?.code, 'version');
  t.is((await loadModel(path, { maxFormatVersion: 3 })).formatVersion, 3);

  // A valid safetensors file that is not an ebmkit model.
  await writeFile(path, encodeSafetensors({ metadata: { format: 'pt' }, tensors: { w: { dtype: 'F32', shape: [1], data: new Float32Array([1]) } } }));
  await t.throwsAsync(loadModel(path), { message: `${path}: not an ebmkit model file (no "ebmkit" entry in __metadata__)` });
  // Something else entirely.
  await writeFile(path, 'kind,weights\ncrf,1 2 3\n');
  await t.throwsAsync(loadModel(path), { message: /^.*model\.safetensors: not an ebmkit model file \(not a safetensors file: header length \d+ is over the limit/ });
  await t.throwsAsync(loadModel(join(dir, 'missing.safetensors')), { message: /missing\.safetensors: no such file$/ });
});

test('a non-finite value in a float tensor is refused on load, naming tensor and index', (t) => {
  // Write NaN into the data and re-seal the file with a correct checksum, as a buggy writer would.
  const bytes = Buffer.from(encodeModel(smallModel()));
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { data_offsets: number[] }> & { __metadata__: Record<string, string> };
  const at = 8 + n + header.trans!.data_offsets[0]! + 4 * 5;
  bytes.writeFloatLE(NaN, at);
  const digest = header.__metadata__[CHECKSUM_KEY]!;
  const blanked = Buffer.from(bytes.toString('latin1').replace(digest, '0'.repeat(64)), 'latin1');
  const resealed = Buffer.from(bytes.toString('latin1').replace(digest, createHash('sha256').update(blanked).digest('hex')), 'latin1');
  t.throws(() => decodeModel(resealed, { name: 'w.st' }), { message: 'w.st: tensor "trans" (F32): element 5 is NaN, not a finite number' });
});

test('encoding refuses metadata JSON cannot hold and bad kinds or versions', (t) => {
  const m = smallModel();
  t.throws(() => encodeModel({ ...m, metadata: { opts: { c2: NaN } } }), { message: 'model: metadata.opts.c2 is NaN: JSON cannot hold non-finite numbers' });
  t.throws(() => encodeModel({ ...m, metadata: { a: [1, undefined] } }), { message: /metadata\.a\[1\] is undefined/ });
  t.throws(() => encodeModel({ ...m, metadata: { w: new Float64Array(2) } }), { message: /metadata\.w is a Float64Array: metadata must be plain JSON/ });
  t.throws(() => encodeModel({ ...m, kind: '' }), { message: /kind must be a non-empty string/ });
  t.throws(() => encodeModel({ ...m, formatVersion: 1.5 }), { message: /formatVersion must be an integer ≥ 1, got 1.5/ });
});

test('saving is atomic: no temp file left, old file kept when encoding or renaming fails', async (t) => {
  const sub = join(dir, 'atomic');
  await mkdir(sub);
  const path = join(sub, 'model.safetensors');
  await saveModel(path, smallModel());
  await saveModel(path, { ...smallModel(), kind: 'second' });
  t.deepEqual(await readdir(sub), ['model.safetensors']);
  const before = await readFile(path);
  t.is((await loadModel(path)).kind, 'second');

  const broken = smallModel();
  (broken.tensors.state!.data as Float64Array)[4] = Infinity;
  await t.throwsAsync(saveModel(path, broken), { instanceOf: ModelFileError, message: /tensor "state": element 4 is Infinity/ });
  t.deepEqual(await readdir(sub), ['model.safetensors']);
  t.true((await readFile(path)).equals(before), 'old file untouched');

  // The rename itself fails (the target is a non-empty directory): the temp file is removed.
  const blocked = join(sub, 'blocked');
  await mkdir(blocked);
  await writeFile(join(blocked, 'x'), 'x');
  await t.throwsAsync(saveModel(blocked, smallModel()));
  t.deepEqual((await readdir(sub)).sort(), ['blocked', 'model.safetensors']);
  t.deepEqual(await readdir(blocked), ['x']);
  // A missing directory fails cleanly too.
  const e = await t.throwsAsync(saveModel(join(sub, 'nope', 'm.safetensors'), smallModel()));
  t.is((e as NodeJS.ErrnoException).code, 'ENOENT');
});
