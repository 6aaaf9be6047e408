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
