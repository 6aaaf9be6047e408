import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, saveModel, type ModelFile } from '@ebmkit/core';

// Interoperability with Python's reference `safetensors` package. Skipped (with the reason in the title) when
// python3 with safetensors and numpy is not installed: it is a check, not a dependency.
const probe = spawnSync('python3', ['-c', 'import safetensors, numpy; print(safetensors.__version__)'], { encoding: 'utf8' });
const pythonVersion = probe.status === 0 ? probe.stdout.trim() : null;
const pyTest = pythonVersion === null ? test.skip : test;
const suffix = pythonVersion === null ? ' (skipped: python3 with safetensors and numpy not found)' : ` (safetensors ${pythonVersion})`;

function python(script: string, args: string[]): string {
  const r = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-python-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

const READ = `
import sys, json, hashlib
from safetensors import safe_open
path = sys.argv[1]
out = {"tensors": {}}
with safe_open(path, framework="np") as f:
    md = f.metadata()
    out["metadata"] = md
    for k in f.keys():
        t = f.get_tensor(k)
        out["tensors"][k] = {"dtype": str(t.dtype), "shape": list(t.shape), "hex": t.astype(t.dtype.newbyteorder("<")).tobytes().hex()}
raw = open(path, "rb").read()
digest = md["ebmkit.sha256"]
out["checksum_ok"] = hashlib.sha256(raw.replace(digest.encode(), b"0" * 64)).hexdigest() == digest
print(json.dumps(out))
`;

pyTest(`Python's safetensors loads an ebmkit model file unchanged${suffix}`, async (t) => {
  const model: ModelFile = {
    kind: 'crf',
    formatVersion: 1,
    metadata: { c2: 1.5, labels: ['B-NP', 'O'], text: 'ünï ✓' },
    tensors: {
      w: { dtype: 'F64', shape: [2, 2], data: new Float64Array([-0, 5e-324, 1e308, -1 / 3]) },
      f: { dtype: 'F32', shape: [3], data: new Float32Array([1e-45, 0.1, -2]) },
      l: { dtype: 'I64', shape: [1], data: new BigInt64Array([-(2n ** 63n)]) },
      i: { dtype: 'I32', shape: [], data: new Int32Array([-7]) },
      s: { dtype: 'I16', shape: [2], data: new Int16Array([-32768, 1]) },
      u: { dtype: 'U8', shape: [3], data: new Uint8Array([0, 128, 255]) },
      b: { dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) },
    },
  };
  const path = join(dir, 'model.safetensors');
  await saveModel(path, model);
  const got = JSON.parse(python(READ, [path])) as {
    metadata: Record<string, string>;
    tensors: Record<string, { dtype: string; shape: number[]; hex: string }>;
    checksum_ok: boolean;
  };
  t.deepEqual(JSON.parse(got.metadata.ebmkit!), { kind: 'crf', format_version: 1, metadata: model.metadata });
  t.true(got.checksum_ok, 'the documented checksum recipe holds in Python');
  const npType: Record<string, string> = { F64: 'float64', F32: 'float32', I64: 'int64', I32: 'int32', I16: 'int16', U8: 'uint8', BOOL: 'bool' };
  for (const [name, want] of Object.entries(model.tensors)) {
    const p = got.tensors[name]!;
    t.is(p.dtype, npType[want.dtype], name);
    t.deepEqual(p.shape, want.shape, name);
    t.is(p.hex, Buffer.from(want.data.buffer, want.data.byteOffset, want.data.byteLength).toString('hex'), name);
  }
});

pyTest(`a file written by Python's safetensors decodes in ebmkit${suffix}`, async (t) => {
  const path = join(dir, 'from-python.safetensors');
  python(
    `
import sys, numpy as np
from safetensors.numpy import save_file
save_file({"a": np.array([[1.5, -0.0], [1e-310, 2.0]]), "b": np.arange(5, dtype=np.uint8), "c": np.array([-3], dtype=np.int32)}, sys.argv[1], metadata={"k": "v"})
`,
    [path],
  );
  const d = decodeSafetensors(await readFile(path), { name: path });
  t.deepEqual(d.metadata, { k: 'v' });
  t.deepEqual(d.tensors.a!.shape, [2, 2]);
  t.deepEqual(Array.from(d.tensors.a!.data as Float64Array), [1.5, -0, 1e-310, 2]);
  t.true(Object.is((d.tensors.a!.data as Float64Array)[1], -0));
  t.deepEqual(Array.from(d.tensors.b!.data as Uint8Array), [0, 1, 2, 3, 4]);
  t.deepEqual(Array.from(d.tensors.c!.data as Int32Array), [-3]);
});
