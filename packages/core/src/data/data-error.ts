/**
 * The one error class of the data loaders: malformed input named by file, line (1-based) and, where it means
 * something, column. The message reads `path:line: what was expected, what was found` (or `path: …` when the
 * problem has no line, like an empty file or a missing partner in an image folder).
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(
    /** The file (or folder) at fault, as the caller named it. */
    readonly file: string,
    /** 1-based line, when the problem sits on one. */
    readonly line: number | undefined,
    /** What was expected and what was found. */
    readonly detail: string,
    /** 1-based column (field) number, when meaningful. */
    readonly column?: number,
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
  }
}
