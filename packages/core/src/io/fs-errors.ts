/**
 * One mapping from Node's file-system error codes to words a user understands. Every loader, every writer and the
 * CLI's error printer use it, so `EISDIR: illegal operation on a directory, read` reads `<file>: is a directory, not
 * a file` wherever it happens.
 */

const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device (disk full)',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error (the disk or file system failed)',
  EFBIG: 'file too large',
  EBUSY: 'resource busy',
  ETXTBSY: 'file busy',
  EXDEV: 'cannot rename across file systems',
  ENOTEMPTY: 'directory not empty',
  EINVAL: 'invalid argument',
};

/** True for a Node system error (an Error with a string `code` such as 'ENOENT'). */
export function isErrnoError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && /^E[A-Z0-9]+$/.test((e as NodeJS.ErrnoException).code!);
}

/** What a file-system error means, in words (`EISDIR` → 'is a directory, not a file'); the code itself for unknown codes. */
export function fsErrorWords(e: NodeJS.ErrnoException): string {
  const code = e.code ?? '';
  const words = WORDS[code];
  if (words !== undefined) return words;
  // Node's message is "CODE: description, syscall 'path'"; keep the description.
  const m = /^[A-Z0-9]+: ([^,]*)/.exec(e.message);
  return m ? m[1]! : code || e.message;
}

/** A file-system failure on a named file: `message` is `<file>: <what went wrong in words>`. */
export class FileError extends Error {
  override readonly name = 'FileError';
  constructor(
    /** The file the user named (not a temp file or a directory behind it). */
    readonly file: string,
    /** Node's code ('ENOSPC', ...). */
    readonly code: string,
    /** What went wrong, in words. */
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/**
 * Turns a file-system error about `file` into a `FileError` naming it; anything else is returned unchanged. Use it
 * at every place that reads or writes a file the user named.
 */
export function toFileError(e: unknown, file: string): unknown {
  if (e instanceof FileError || !isErrnoError(e)) return e;
  return new FileError(file, e.code!, fsErrorWords(e));
}
