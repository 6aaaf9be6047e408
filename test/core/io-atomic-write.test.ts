// Atomic writes leave no temporary files behind: removed on SIGINT/SIGTERM while a save is under way, and the stale
// ones of a writer killed outright (kill -9) removed by the next write to the same target.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { FileError, writeFileAtomic } from '@ebmkit/core';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-atomic-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A child that registers a temporary file the way writeFileAtomic does and says 'ready'; it is then sent `signal`.
 * Resolves to the signal that ended it.
 */
function signalChildHoldingTemp(tmp: string, signal: NodeJS.Signals): Promise<NodeJS.Signals | null> {
  const script =
    `import { writeFileSync } from 'node:fs'; import { registerTempFile } from '@ebmkit/core';` +
    `writeFileSync(${JSON.stringify(tmp)}, 'partial'); registerTempFile(${JSON.stringify(tmp)});` +
    `process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=ebmkit-source', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.on('data', (d: Buffer) => {
    if (d.toString().includes('ready')) child.kill(signal);
  });
  return new Promise((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test.serial(`${signal} during a save removes the temporary file, and the process still ends by the signal`, async (t) => {
    const tmp = join(dir, `.model.safetensors.1.${signal === 'SIGTERM' ? 'aa' : 'bb'}.tmp`);
    t.is(await signalChildHoldingTemp(tmp, signal), signal);
    t.false(existsSync(tmp), 'temporary file removed');
  });
}

test.serial('the next write removes temporary files of dead writers, not of live ones or other targets', async (t) => {
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const target = join(dir, 'm.bin');
  const stale = join(dir, `.m.bin.${dead}.0123ab.tmp`);
  const live = join(dir, `.m.bin.${process.pid}.0123ab.tmp`);
  const other = join(dir, `.n.bin.${dead}.0123ab.tmp`);
  for (const f of [stale, live, other]) await writeFile(f, 'x');
  await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
  t.deepEqual([...(await readFile(target))], [1, 2, 3]);
  t.false(existsSync(stale));
  t.true(existsSync(live));
  t.true(existsSync(other));
  const names = await readdir(dir);
  t.false(names.some((n) => n.startsWith('.m.bin.') && !n.includes(String(process.pid))), names.join(' '));
});

test.serial('a failed write names the target, never the temporary file, and leaves nothing behind', async (t) => {
  const target = join(dir, 'missing', 'm.bin');
  const err = await t.throwsAsync(writeFileAtomic(target, new Uint8Array(4)), { instanceOf: FileError });
  t.is(err!.message, `${target}: no such file`);
  t.false(err!.message.includes('.tmp'));
});
