/**
 * CLI error types. The entry point prints every error as one line, `ebm: error: <message>`
 * (with the stack only under `--debug`), and maps them to exit codes: 2 for usage errors, 1 otherwise.
 */

/** Exit code for success. */
export const EXIT_OK = 0;
/** Exit code for a failed command (bad data, failed download, checksum mismatch, ...). */
export const EXIT_FAILURE = 1;
/** Exit code for a usage error (unknown flag or verb, bad flag value, missing argument). */
export const EXIT_USAGE = 2;

/** A command line the CLI cannot accept; exits 2 and points at `--help` for `command`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose help explains the right usage, e.g. "ebm corpora fetch" (set by the dispatcher). */
  command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** A command that ran and failed in an expected way; printed without the error class name, exits `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_FAILURE) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The longest error line printed (characters, after escaping); longer ones end in '…'. */
export const MAX_ERROR_LINE = 300;

/**
 * Makes one error line safe to print: control characters, lone surrogates and U+FFFD (bytes that were not UTF-8)
 * are escaped (`\x00`, `\ud800`, `\ufffd`) so binary input cannot scramble a terminal, and the line is cut to
 * `MAX_ERROR_LINE` characters at a code-point boundary.
 */
export function formatErrorLine(line: string, max: number = MAX_ERROR_LINE): string {
  const pieces: string[] = [];
  const widths: number[] = [];
  let total = 0;
  for (const ch of line) {
    const c = ch.codePointAt(0)!;
    let piece = ch;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) piece = `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0xd800 && c <= 0xdfff) || c === 0xfffd) piece = `\\u${c.toString(16).padStart(4, '0')}`;
    const width = piece === ch ? 1 : piece.length;
    pieces.push(piece);
    widths.push(width);
    total += width;
  }
  if (total <= max) return pieces.join('');
  let n = 0;
  let k = 0;
  while (k < pieces.length && n + widths[k]! <= max - 1) n += widths[k++]!;
  return pieces.slice(0, k).join('') + '…';
}
