/**
 * Atomic file replacement: the bytes go to a temporary file in the target's directory, are flushed to disk (fsync),
 * and the temporary file is renamed over the target. Readers see either the old file or the complete new one, never a
 * partial write; on any error the temporary file is removed and the old file is left as it was.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes `data` to `path` atomically (temp file in the same directory, fsync, rename, then a best-effort fsync of the directory). */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  // A name, not randomness in the modelling sense: it only has to be unlikely to collide with another writer.
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(tmp, 'wx');
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (e) {
    if (handle !== undefined) await handle.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await syncDirectory(dir);
}

/** fsync on the directory makes the rename itself durable; not every platform allows it, so failures are ignored. */
async function syncDirectory(dir: string): Promise<void> {
  let h: Awaited<ReturnType<typeof open>> | undefined;
  try {
    h = await open(dir, 'r');
    await h.sync();
  } catch {
    // Windows and some file systems refuse to open or fsync a directory; the rename is still atomic.
  } finally {
    await h?.close().catch(() => {});
  }
}
