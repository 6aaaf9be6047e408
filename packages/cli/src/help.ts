/** `--help` text, generated from the same schemas that parse the flags. */
import type { CommandSpec, TaskEntry } from './command.js';
import { GLOBAL_OPTIONS } from './global-options.js';
import { placeholderOf, type ArgumentSpec, type OptionSpec } from './options.js';
import { VERSION } from './version.js';

/** Two-column layout: left cells padded to a common width (capped), help text after. */
function columns(rows: readonly (readonly [string, string])[], indent = '  '): string {
  const width = Math.min(30, Math.max(0, ...rows.map(([l]) => l.length)));
  return rows
    .map(([l, r]) => (l.length > width ? `${indent}${l}\n${indent}${' '.repeat(width)}  ${r}` : `${indent}${l.padEnd(width)}  ${r}`))
    .join('\n');
}

/** The left cell of one flag: `-o, --out FILE`. */
function flagCell(o: OptionSpec): string {
  const p = placeholderOf(o);
  return `${o.short ? `-${o.short}, ` : '    '}--${o.name}${p ? ' ' + p : ''}`;
}

/** Help text of one flag including its default. */
function flagHelp(o: OptionSpec): string {
  let h = o.help;
  if (o.required) h += ' (required)';
  else if (o.default !== undefined && o.type !== 'boolean') {
    const d = Array.isArray(o.default) ? (o.default as readonly string[]).join(',') : String(o.default);
    if (d !== '') h += ` (default: ${d})`;
  }
  return h;
}

/** The `Flags:` block for a schema. */
export function formatOptions(options: readonly OptionSpec[]): string {
  return columns(options.map((o) => [flagCell(o), flagHelp(o)] as const));
}

function argUsage(a: ArgumentSpec): string {
  const n = a.variadic ? `${a.name}...` : a.name;
  return a.required === false ? `[${n}]` : n;
}

/** `ebm --help`. */
export function formatMainHelp(tasks: readonly TaskEntry[]): string {
  return [
    `ebm — energy-based structured prediction, p(y|x) ∝ exp(−E(x,y)) (ebmkit ${VERSION})`,
    '',
    'Usage: ebm <task> <verb> [flags]',
    '       ebm <task> [<verb>] --help',
    '',
    'Tasks:',
    columns(tasks.map((t) => [t.task, t.summary] as const)),
    '',
    'Global flags (valid with every task and verb):',
    formatOptions(GLOBAL_OPTIONS),
    '',
    'Exit codes: 0 ok, 1 failure, 2 usage error.',
    'Environment: EBM_BACKEND (tfjs backend), EBM_CORPORA_DIR (local corpora mirror),',
    '             EBM_CACHE_DIR (corpora download cache), EBM_CORPORA_REGISTRY (registry file override).',
    '',
  ].join('\n');
}

/** `ebm <task> --help` for a task with verbs. */
export function formatTaskHelp(entry: TaskEntry, commands: readonly CommandSpec<any>[]): string {
  return [
    `Usage: ebm ${entry.task} <verb> [flags]`,
    '',
    entry.summary,
    '',
    'Verbs:',
    columns(commands.map((c) => [c.name, c.summary] as const)),
    '',
    `Run 'ebm ${entry.task} <verb> --help' for a verb's flags; global flags: see 'ebm --help'.`,
    '',
  ].join('\n');
}

/** `ebm <task> <verb> --help` (or `ebm <task> --help` for a single-command task). */
export function formatCommandHelp(commandPath: string, cmd: CommandSpec<any>): string {
  const args = cmd.args ?? [];
  const out: string[] = [];
  out.push(`Usage: ${commandPath}${cmd.options.length ? ' [flags]' : ''}${args.map((a) => ' ' + argUsage(a)).join('')}`);
  out.push('', cmd.summary);
  if (cmd.description) out.push('', cmd.description.trim());
  if (args.length) {
    out.push('', 'Arguments:', columns(args.map((a) => [argUsage(a), a.help] as const)));
  }
  if (cmd.options.length) out.push('', 'Flags:', formatOptions(cmd.options));
  out.push('', 'Global flags:', formatOptions(GLOBAL_OPTIONS));
  if (cmd.examples?.length) out.push('', 'Examples:', ...cmd.examples.map((e) => `  ${e}`));
  out.push('');
  return out.join('\n');
}
