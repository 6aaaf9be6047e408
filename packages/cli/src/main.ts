/**
 * The `ebm` dispatcher: `ebm <task> <verb> [flags]`. It pulls out the global flags (anywhere on the
 * line), finds the task in the lazily loaded task table, parses the verb's flags from its schema, runs
 * it, and turns every error into one line on stderr and an exit code (0 ok, 1 failure, 2 usage).
 */
import type { CliIo, CommandContext, CommandSpec, GlobalOptions, TaskEntry } from './command.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, formatErrorLine, UsageError } from './errors.js';
import { BACKEND_FLAG_CHOICES } from './global-options.js';
import { formatCommandHelp, formatMainHelp, formatTaskHelp } from './help.js';
import { camelCase, checkSchema, convertValue, outputKind, parseOptions, type OptionSpec } from './options.js';
import { createProgress } from './progress.js';
import { suggest } from './suggest.js';
import { TASKS } from './tasks.js';
import { VERSION } from './version.js';

const GLOBAL_NAMES = ['help', 'version', 'quiet', 'debug', 'backend', '-h', '-q'];

interface SplitArgs {
  help: boolean;
  version: boolean;
  quiet: boolean;
  debug: boolean;
  backend: string | undefined;
  rest: string[];
}

/** Removes the global flags from anywhere before `--`; everything else keeps its order. */
export function extractGlobalFlags(argv: readonly string[]): SplitArgs {
  const out: SplitArgs = { help: false, version: false, quiet: false, debug: false, backend: undefined, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') {
      out.rest.push(...argv.slice(i));
      break;
    }
    if (tok === '--help' || tok === '-h') out.help = true;
    else if (tok === '--version') out.version = true;
    else if (tok === '--quiet' || tok === '-q') out.quiet = true;
    else if (tok === '--debug') out.debug = true;
    else if (tok === '--backend' || tok.startsWith('--backend=')) {
      let v: string | undefined;
      if (tok.includes('=')) v = tok.slice(tok.indexOf('=') + 1);
      else {
        v = argv[i + 1];
        if (v === undefined || v.startsWith('--'))
          throw new UsageError(`--backend needs a value (${BACKEND_FLAG_CHOICES.join('|')})`);
        i++;
      }
      out.backend = convertValue(
        { name: 'backend', type: 'enum', choices: BACKEND_FLAG_CHOICES, help: '' },
        v,
      ) as string;
    } else out.rest.push(tok);
  }
  return out;
}

/** The real process streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * Checks every output path of the command line before the command starts (see `StringOption.output`): a bad
 * `--out` fails in a second with `--out PATH: what is wrong`, not after the training it was meant to save.
 */
async function checkOutputs(specs: readonly OptionSpec[], values: Record<string, unknown>): Promise<void> {
  for (const s of specs) {
    const kind = outputKind(s);
    const v = values[camelCase(s.name)];
    if (kind === undefined || typeof v !== 'string') continue;
    const { outputDirectoryProblem, outputFileProblem } = await import('@ebmkit/core');
    const problem = kind === 'dir' ? await outputDirectoryProblem(v) : await outputFileProblem(v);
    if (problem !== undefined) throw new CliError(`--${s.name} ${v}: ${problem}`);
  }
}

/** Prints one error line (plus the stack under --debug) and returns the exit code for it. */
async function report(err: unknown, io: CliIo, debug: boolean): Promise<number> {
  let code = EXIT_FAILURE;
  let line: string;
  if (err instanceof UsageError) {
    code = EXIT_USAGE;
    const where = err.command ?? 'ebm';
    line = `${err.message}; see '${where} --help'`;
  } else if (err instanceof CliError) {
    code = err.exitCode;
    line = err.message;
  } else if (err instanceof Error && err.name === 'FileError') {
    line = err.message; // `<file>: <what went wrong in words>` (core's toFileError)
  } else if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && /^E[A-Z0-9]+$/.test((err as NodeJS.ErrnoException).code!)) {
    // A file-system error no loader wrapped: the same words as core's fsErrorWords, naming the path when Node gave one.
    const { fsErrorWords } = await import('@ebmkit/core');
    const e = err as NodeJS.ErrnoException;
    line = e.path !== undefined ? `${e.path}: ${fsErrorWords(e)}` : `${fsErrorWords(e)} (${e.syscall ?? 'file system'})`;
  } else if (err instanceof Error) {
    line = err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  } else {
    line = String(err);
  }
  io.stderr.write(`ebm: error: ${formatErrorLine(line.split('\n')[0]!)}\n`);
  if (debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
  return code;
}

/**
 * Runs the CLI on `argv` (without `node` and the script path) and resolves to the exit code.
 * Never throws and never calls process.exit; `tasks` can be replaced in tests.
 */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  tasks: readonly TaskEntry[] = TASKS,
): Promise<number> {
  let debug = argv.includes('--debug');
  let commandPath = 'ebm';
  try {
    const g = extractGlobalFlags(argv);
    debug = g.debug;
    if (g.version) {
      io.stdout.write(`ebmkit ${VERSION}\n`);
      return EXIT_OK;
    }
    const [taskWord, ...afterTask] = g.rest;
    if (taskWord === undefined || taskWord === '--') {
      if (g.help) {
        io.stdout.write(formatMainHelp(tasks));
        return EXIT_OK;
      }
      io.stderr.write(formatMainHelp(tasks));
      throw new UsageError('missing task');
    }
    if (taskWord.startsWith('-')) throw new UsageError(`unknown flag ${taskWord} (flags go after the task and verb)`);
    const entry = tasks.find((t) => t.task === taskWord);
    if (!entry) {
      const near = suggest(taskWord, tasks.map((t) => t.task));
      throw new UsageError(
        `unknown task '${taskWord}'${near ? ` (did you mean '${near}'?)` : ''}; tasks: ${tasks.map((t) => t.task).join(', ')}`,
      );
    }
    commandPath = `ebm ${entry.task}`;
    const mod = await entry.load();
    const commands = mod.commands;

    let cmd: CommandSpec<any>;
    let cmdArgs: string[];
    if (entry.single) {
      if (commands.length !== 1) throw new Error(`task '${entry.task}' is single but exports ${commands.length} commands`);
      cmd = commands[0]!;
      cmdArgs = afterTask;
    } else {
      const verb = afterTask[0];
      if (verb === undefined || verb === '--' || verb.startsWith('-')) {
        if (g.help) {
          io.stdout.write(formatTaskHelp(entry, commands));
          return EXIT_OK;
        }
        throw new UsageError(
          verb === undefined || verb === '--'
            ? `missing verb; expected one of ${commands.map((c) => c.name).join(', ')}`
            : `expected a verb (${commands.map((c) => c.name).join(', ')}) before ${verb}`,
          commandPath,
        );
      }
      const found = commands.find((c) => c.name === verb);
      if (!found) {
        const near = suggest(verb, commands.map((c) => c.name));
        throw new UsageError(
          `unknown verb '${verb}' for '${commandPath}'${near ? ` (did you mean '${near}'?)` : ''}; ` +
            `verbs: ${commands.map((c) => c.name).join(', ')}`,
          commandPath,
        );
      }
      cmd = found;
      cmdArgs = afterTask.slice(1);
      commandPath = `${commandPath} ${cmd.name}`;
    }

    if (g.help) {
      io.stdout.write(formatCommandHelp(commandPath, cmd));
      return EXIT_OK;
    }
    checkSchema(cmd.options, GLOBAL_NAMES);
    let parsed;
    try {
      parsed = parseOptions(cmd.options, cmdArgs, cmd.args ?? []);
    } catch (err) {
      if (err instanceof UsageError) err.command ??= commandPath;
      throw err;
    }
    for (const w of parsed.warnings) io.stderr.write(`ebm: warning: ${w}\n`);
    await checkOutputs(cmd.options, parsed.options as Record<string, unknown>);
    const globals: GlobalOptions = { quiet: g.quiet, debug: g.debug, backend: g.backend };
    // The backend request travels as EBM_BACKEND, which @ebmkit/core's selectBackend() reads.
    if (g.backend !== undefined) process.env['EBM_BACKEND'] = g.backend;
    const stderr = io.stderr;
    const ctx: CommandContext<any> = {
      options: parsed.options,
      args: parsed.args,
      globals,
      io,
      commandPath,
      progress: (o) => createProgress({ ...o, stream: stderr, enabled: Boolean(stderr.isTTY) && !g.quiet }),
      note: (m) => {
        if (!g.quiet) stderr.write(`ebm: ${m}\n`);
      },
    };
    try {
      const code = await cmd.run(ctx);
      return typeof code === 'number' ? code : EXIT_OK;
    } catch (err) {
      if (err instanceof UsageError) err.command ??= commandPath;
      throw err;
    }
  } catch (err) {
    if (err instanceof UsageError) err.command ??= commandPath === 'ebm' ? undefined : commandPath;
    return await report(err, io, debug);
  }
}
