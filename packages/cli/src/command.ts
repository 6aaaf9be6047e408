/**
 * What a command is, and how task modules register them. A task (`crf`, `corpora`, ...) is listed in
 * `tasks.ts` with a summary and a `load()` that imports its module lazily, so `ebm --help` and every
 * other task never pay for that module's imports. The module exports `commands`: its verbs, each
 * declared with `defineCommand` (flags, arguments, help text and `run`).
 */
import type { ArgumentSpec, OptionSpec, ParsedOptions } from './options.js';
import type { ProgressBar, ProgressOptions } from './progress.js';

/** A writable text stream (process.stdout/stderr, or a capture in tests). */
export interface TextOut {
  write(chunk: string): unknown;
  /** True when the stream is a terminal (progress bars draw only then). */
  readonly isTTY?: boolean;
  /** Terminal width, when known. */
  readonly columns?: number;
}

/** Where a CLI run reads its environment and writes its output. */
export interface CliIo {
  readonly stdout: TextOut;
  readonly stderr: TextOut;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The global flags, valid before or after the task and verb. */
export interface GlobalOptions {
  /** No progress bars and no informational messages on stderr. */
  readonly quiet: boolean;
  /** Print stack traces with errors. */
  readonly debug: boolean;
  /** The `--backend` request, if given (it is also exported as EBM_BACKEND for the command). */
  readonly backend: string | undefined;
}

/** Everything a command's `run` receives. */
export interface CommandContext<O extends readonly OptionSpec[]> {
  /** Parsed flags (camelCase keys). */
  readonly options: ParsedOptions<O>;
  /** Positional arguments. */
  readonly args: string[];
  readonly globals: GlobalOptions;
  readonly io: CliIo;
  /** The command as typed, e.g. "ebm corpora fetch" (for messages). */
  readonly commandPath: string;
  /** A progress bar on stderr; inert unless stderr is a TTY and `--quiet` is off. */
  progress(options: Omit<ProgressOptions, 'stream' | 'enabled'>): ProgressBar;
  /** An informational line on stderr (suppressed by `--quiet`). */
  note(message: string): void;
}

/** One verb: its flags, arguments, help text and implementation. */
export interface CommandSpec<O extends readonly OptionSpec[] = readonly OptionSpec[]> {
  /** The verb, e.g. `train`. */
  readonly name: string;
  /** One line for listings. */
  readonly summary: string;
  /** Longer help text (paragraphs), shown by `--help`. */
  readonly description?: string;
  readonly options: O;
  readonly args?: readonly ArgumentSpec[];
  /** Example command lines shown in help. */
  readonly examples?: readonly string[];
  /** Runs the command; returns the exit code (undefined = 0). Throw UsageError / CliError for failures. */
  run(ctx: CommandContext<O>): Promise<number | void> | number | void;
}

/** Declares a command with its option types inferred from the schema literal. */
export function defineCommand<const O extends readonly OptionSpec[]>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** What a lazily loaded task module exports. */
export interface TaskModule {
  readonly commands: readonly CommandSpec<any>[];
}

/** A task as listed by main: loading it is deferred until it is used. */
export interface TaskEntry {
  /** The task word, e.g. `crf`. */
  readonly task: string;
  /** One line for `ebm --help`. */
  readonly summary: string;
  /**
   * The task is itself the command (`ebm info [flags]`): its module exports exactly one command and
   * there is no verb.
   */
  readonly single?: boolean;
  /** Imports the task's module, e.g. `() => import('./commands/crf.js')`. */
  load(): Promise<TaskModule>;
}
