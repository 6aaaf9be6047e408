/**
 * Atomic file replacement: the bytes go to a temporary file in the target's directory, are flushed to disk (fsync),
 * and the temporary file is renamed over the target. Readers see either the old file or the complete new one, never a
 * partial write; on any error the temporary file is removed and the old file is left as it was.
 *
 * Temporary files are named `.NAME.PID.RAND.tmp`. While one exists it is registered, and a SIGINT, SIGTERM or SIGHUP
 * (or a normal exit) removes it before the process ends; a process killed outright (`kill -9`) cannot clean up, so
 * the next write to the same target removes the temporary files of processes that no longer run. Two processes
 * writing the same target at once do not corrupt it: the last rename wins.
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { toFileError } from './fs-errors.js';

const pending = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function removePendingSync(): void {
  for (const p of pending) {
    try {
      unlinkSync(p);
    } catch {
      // already gone
    }
  }
  pending.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removePendingSync();
  uninstall();
  // With no other listener the default action (terminate) is what the user asked for: raise the signal again.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  removePendingSync();
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', onExit);
}

/**
 * Registers a temporary file to be removed if the process is interrupted (SIGINT, SIGTERM, SIGHUP) or exits before
 * it is renamed; call the returned function once the file has been renamed or removed. The signal handlers are
 * installed only while some temporary file is registered, and re-raise the signal afterwards when nothing else
 * listens, so the process still ends the way it would have.
 */
export function registerTempFile(path: string): () => void {
  pending.add(path);
  install();
  return () => {
    pending.delete(path);
    if (pending.size === 0) uninstall();
  };
}

/** The temporary-file name pattern of `target`: `.NAME.PID.RAND.tmp`. */
function tempPattern(target: string): RegExp {
  const name = basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${name}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
}

/** True unless the process `pid` is known not to exist. */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes the temporary files left beside `target` by writers that no longer run (killed during a save); returns the
 * removed paths. Files of live processes (a concurrent writer) are left alone. Best effort: errors are ignored.
 */
export async function removeStaleTempFiles(target: string): Promise<string[]> {
  const dir = dirname(target);
  const re = tempPattern(target);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const n of names) {
    const m = re.exec(n);
    if (!m || processAlive(Number(m[1]))) continue;
    const p = join(dir, n);
    try {
      await unlink(p);
      removed.push(p);
    } catch {
      // raced with another cleaner, or not ours to remove
    }
  }
  return removed;
}

/**
 * Writes `data` to `path` atomically (temp file in the same directory, fsync, rename, then a best-effort fsync of the
 * directory). A file-system failure is a `FileError` naming `path` (never the temporary file).
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await removeStaleTempFiles(path);
  // A name, not randomness in the modelling sense: it only has to be unlikely to collide with another writer.
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  const release = registerTempFile(tmp);
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
    throw toFileError(e, path);
  } finally {
    release();
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
