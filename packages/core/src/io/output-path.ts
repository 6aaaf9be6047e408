/**
 * Checks that an output can be written before the work that produces it starts, so that a bad `--out` costs a second,
 * not a training run. Each check returns what is wrong in words, or undefined when the path looks writable.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fsErrorWords, isErrnoError } from './fs-errors.js';

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch (e) {
    if (isErrnoError(e) && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) return null;
    throw e;
  }
}

/** Whether files can be created in the existing directory `dir`, in words when they cannot. */
async function directoryWritable(dir: string): Promise<string | undefined> {
  try {
    await access(dir, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (e) {
    if (!isErrnoError(e)) throw e;
    if (e.code === 'EACCES' || e.code === 'EPERM') return `directory ${dir} is not writable (permission denied)`;
    return `directory ${dir}: ${fsErrorWords(e)}`;
  }
}

/**
 * Problems with writing the file `path` (atomically, beside it): its directory must exist and be writable, and the
 * path must not be a directory. Undefined when it can be written.
 */
export async function outputFileProblem(path: string): Promise<string | undefined> {
  if (path === '') return 'empty path';
  try {
    const st = await statOrNull(path);
    if (st?.isDirectory()) return 'is a directory; give a file name';
    const dir = dirname(resolve(path));
    const dst = await statOrNull(dir);
    if (dst === null) return `directory ${dirname(path)} does not exist`;
    if (!dst.isDirectory()) return `${dirname(path)} is not a directory`;
    return await directoryWritable(dirname(path));
  } catch (e) {
    if (isErrnoError(e)) return fsErrorWords(e);
    throw e;
  }
}

/**
 * Problems with writing into the folder `path`, created (with its parents) when missing: the nearest existing
 * ancestor must be a writable directory. Undefined when it can be written.
 */
export async function outputDirectoryProblem(path: string): Promise<string | undefined> {
  if (path === '') return 'empty path';
  try {
    let p = resolve(path);
    for (;;) {
      const st = await statOrNull(p);
      if (st !== null) {
        if (!st.isDirectory()) return p === resolve(path) ? 'exists and is not a directory' : `${p} is not a directory`;
        return await directoryWritable(p === resolve(path) ? path : p);
      }
      const up = dirname(p);
      if (up === p) return 'no existing parent directory';
      p = up;
    }
  } catch (e) {
    if (isErrnoError(e)) return fsErrorWords(e);
    throw e;
  }
}
