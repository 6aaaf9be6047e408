/**
 * The typed option schema every command declares. Parsing, validation and the `--help` text all come
 * from the same `OptionSpec` list, so a flag cannot be documented one way and parsed another.
 *
 * Flag syntax: `--name value`, `--name=value`, `-x value` (when `short` is set); booleans as `--name`,
 * `--no-name` or `--name=true|false`; lists as comma-separated values, repeatable
 * (`--tags a,b --tags c` → ["a", "b", "c"]); `--` ends the flags.
 */
import { UsageError } from './errors.js';
import { suggest } from './suggest.js';

/** The value kinds a flag can take. */
export type OptionType = 'string' | 'number' | 'boolean' | 'enum' | 'list';

interface OptionBase {
  /** Long name without dashes, kebab-case: `max-iterations` → `--max-iterations`, read as `maxIterations`. */
  readonly name: string;
  /** One-letter alias without the dash, e.g. `o` for `-o`. */
  readonly short?: string;
  /** One line of help text. */
  readonly help: string;
  /** Name of the value in help text, e.g. `FILE` (defaults from the type). */
  readonly placeholder?: string;
  /** The flag must be given (there is no sensible default). */
  readonly required?: boolean;
  /**
   * Old spellings still accepted for one release (without dashes, e.g. `lr` for `learning-rate`); using one prints
   * a deprecation note on stderr.
   */
  readonly deprecated?: readonly string[];
}

/** A free-form string flag. */
export interface StringOption extends OptionBase {
  readonly type: 'string';
  readonly default?: string;
  /**
   * The value is a path the command writes: a `file` (written atomically beside itself) or a `dir` (created when
   * missing). The dispatcher checks it is writable before the command runs. A flag named `out` is an output
   * without saying so (a `dir` when its placeholder is `DIR`); `output: false` opts out.
   */
  readonly output?: 'file' | 'dir' | false;
}
/** A numeric flag; `integer` rejects fractions, `min`/`max` bound it (inclusive). */
export interface NumberOption extends OptionBase {
  readonly type: 'number';
  readonly default?: number;
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}
/** An on/off flag; false unless given. */
export interface BooleanOption extends OptionBase {
  readonly type: 'boolean';
  readonly default?: boolean;
}
/** One of a fixed set of strings. */
export interface EnumOption extends OptionBase {
  readonly type: 'enum';
  readonly choices: readonly string[];
  readonly default?: string;
}
/** A list of strings (comma-separated and/or repeated); empty unless given. */
export interface ListOption extends OptionBase {
  readonly type: 'list';
  readonly default?: readonly string[];
}

/** One flag of a command: name, type, default and help. */
export type OptionSpec = StringOption | NumberOption | BooleanOption | EnumOption | ListOption;

/** A positional argument of a command. */
export interface ArgumentSpec {
  /** Upper-case name shown in usage, e.g. `NAME`. */
  readonly name: string;
  readonly help: string;
  /** Must be given (default true). */
  readonly required?: boolean;
  /** Takes all remaining arguments (only the last argument may be variadic). */
  readonly variadic?: boolean;
}

/** `max-iterations` → `maxIterations`. */
export type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

/** The parsed value type of one option spec. */
export type OptionValue<S extends OptionSpec> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'number' }
    ? number
    : S extends { type: 'list' }
      ? string[]
      : S extends { type: 'enum'; choices: readonly (infer C extends string)[] }
        ? C
        : string;

type AlwaysSet<S extends OptionSpec> = S extends { type: 'boolean' } | { type: 'list' } | { required: true }
  ? true
  : S extends { default: unknown }
    ? true
    : false;

/** The object a command receives: one camelCase key per option, `undefined` only where an option has no default. */
export type ParsedOptions<O extends readonly OptionSpec[]> = {
  [S in O[number] as CamelCase<S['name']>]: AlwaysSet<S> extends true ? OptionValue<S> : OptionValue<S> | undefined;
};

/** Result of parsing a command's flags and arguments. */
export interface ParseResult<O extends readonly OptionSpec[]> {
  readonly options: ParsedOptions<O>;
  readonly args: string[];
  /** Deprecation notes for old spellings used on this command line (the dispatcher prints them on stderr). */
  readonly warnings: string[];
}

/** `max-iterations` → `maxIterations` at run time. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Whether a flag names a path the command writes, and of which kind (see `StringOption.output`). */
export function outputKind(spec: OptionSpec): 'file' | 'dir' | undefined {
  if (spec.type !== 'string') return undefined;
  if (spec.output !== undefined) return spec.output === false ? undefined : spec.output;
  if (spec.name === 'out') return spec.placeholder === 'DIR' ? 'dir' : 'file';
  return undefined;
}

/** The placeholder shown after a flag in help text (`--out FILE`). */
export function placeholderOf(spec: OptionSpec): string {
  if (spec.placeholder) return spec.placeholder;
  switch (spec.type) {
    case 'boolean':
      return '';
    case 'number':
      return spec.integer ? 'N' : 'X';
    case 'enum':
      return spec.choices.join('|');
    case 'list':
      return 'A,B,...';
    default:
      return 'VALUE';
  }
}

const NAME_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Checks a schema once (duplicate names, bad defaults); a programming error, so it throws a plain Error. */
export function checkSchema(specs: readonly OptionSpec[], reserved: readonly string[] = []): void {
  const seen = new Set<string>(reserved);
  for (const s of specs) {
    if (!NAME_RE.test(s.name)) throw new Error(`option name '${s.name}' is not kebab-case`);
    if (seen.has(s.name)) throw new Error(`option --${s.name} is declared twice (or clashes with a global flag)`);
    seen.add(s.name);
    if (s.short !== undefined) {
      if (!/^[a-zA-Z]$/.test(s.short)) throw new Error(`short alias '${s.short}' of --${s.name} must be one letter`);
      if (seen.has('-' + s.short)) throw new Error(`short alias -${s.short} is declared twice`);
      seen.add('-' + s.short);
    }
    for (const old of s.deprecated ?? []) {
      if (!NAME_RE.test(old)) throw new Error(`deprecated name '${old}' of --${s.name} is not kebab-case`);
      if (seen.has(old)) throw new Error(`deprecated name --${old} of --${s.name} clashes with another flag`);
      seen.add(old);
    }
    if (s.type === 'enum') {
      if (s.choices.length === 0) throw new Error(`enum option --${s.name} has no choices`);
      if (s.default !== undefined && !s.choices.includes(s.default))
        throw new Error(`default '${s.default}' of --${s.name} is not one of ${s.choices.join(', ')}`);
    }
  }
}

/** Converts and checks one raw flag value; throws UsageError naming the flag and what was expected. */
export function convertValue(spec: OptionSpec, raw: string): string | number | boolean | string[] {
  const flag = `--${spec.name}`;
  switch (spec.type) {
    case 'string':
      return raw;
    case 'number': {
      // The words of @ebmkit/core's numberProblem, which checks the library's numeric options (test/cli/faults.test.ts
      // holds the two to the same messages; the CLI's entry chunk must not import core, see test/e2e/startup.test.ts).
      const v = raw.trim() === '' ? NaN : Number(raw);
      const what = spec.integer ? 'an integer' : 'a number';
      if (!Number.isFinite(v)) throw new UsageError(`${flag} expects ${what}, got '${raw}'`);
      if (spec.integer && !Number.isInteger(v)) throw new UsageError(`${flag} expects an integer, got '${raw}'`);
      if (spec.min !== undefined && v < spec.min) throw new UsageError(`${flag} must be >= ${spec.min}, got ${raw}`);
      if (spec.max !== undefined && v > spec.max) throw new UsageError(`${flag} must be <= ${spec.max}, got ${raw}`);
      return v;
    }
    case 'boolean': {
      const r = raw.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(r)) return true;
      if (['false', '0', 'no', 'off'].includes(r)) return false;
      throw new UsageError(`${flag} is a switch; expected true or false, got '${raw}'`);
    }
    case 'enum': {
      if (spec.choices.includes(raw)) return raw;
      const near = suggest(raw, spec.choices);
      throw new UsageError(
        `${flag} expects one of ${spec.choices.join(', ')}; got '${raw}'${near ? ` (did you mean '${near}'?)` : ''}`,
      );
    }
    case 'list':
      return raw
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
  }
}

/**
 * Parses `argv` (the tokens after the verb, global flags already removed) against `specs` and `argSpecs`.
 * Throws UsageError for an unknown flag (with a "did you mean"), a missing or malformed value,
 * a missing required flag or argument, or a surplus argument.
 */
export function parseOptions<const O extends readonly OptionSpec[]>(
  specs: O,
  argv: readonly string[],
  argSpecs: readonly ArgumentSpec[] = [],
): ParseResult<O> {
  const byName = new Map<string, OptionSpec>();
  const byShort = new Map<string, OptionSpec>();
  const byOldName = new Map<string, OptionSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    if (s.short) byShort.set(s.short, s);
    for (const old of s.deprecated ?? []) byOldName.set(old, s);
  }
  const warnings: string[] = [];
  const lookup = (name: string): OptionSpec | undefined => {
    const spec = byName.get(name) ?? byName.get(name.toLowerCase());
    if (spec) return spec;
    const old = byOldName.get(name);
    if (old) {
      const note = `--${name} is deprecated; use --${old.name} (the old spelling will be removed in the next release)`;
      if (!warnings.includes(note)) warnings.push(note);
    }
    return old;
  };
  const values = new Map<string, unknown>();
  const args: string[] = [];
  const unknown = (flag: string): never => {
    const near = suggest(flag.replace(/^-+/, ''), [...byName.keys()]);
    throw new UsageError(`unknown flag ${flag}${near ? ` (did you mean --${near}?)` : ''}`);
  };
  const set = (spec: OptionSpec, raw: string): void => {
    const v = convertValue(spec, raw);
    if (spec.type === 'list') values.set(spec.name, [...((values.get(spec.name) as string[]) ?? []), ...(v as string[])]);
    else values.set(spec.name, v);
  };

  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (tok.startsWith('--') && tok.length > 2) {
      const eq = tok.indexOf('=');
      const name = eq >= 0 ? tok.slice(2, eq) : tok.slice(2);
      // Exact name first, then case-insensitively (so `--C` reaches a flag named `c`).
      let spec = lookup(name);
      if (!spec && name.startsWith('no-') && eq < 0) {
        const neg = byName.get(name.slice(3));
        if (neg?.type === 'boolean') {
          values.set(neg.name, false);
          continue;
        }
      }
      if (!spec) spec = unknown(`--${name}`);
      if (eq >= 0) set(spec, tok.slice(eq + 1));
      else if (spec.type === 'boolean') values.set(spec.name, true);
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--'))
          throw new UsageError(`--${spec.name} needs a value (${placeholderOf(spec)})`);
        set(spec, next);
        i++;
      }
      continue;
    }
    if (tok.startsWith('-') && tok.length > 1 && !/^-[0-9.]/.test(tok)) {
      const spec = byShort.get(tok.slice(1)) ?? unknown(tok);
      if (spec.type === 'boolean') values.set(spec.name, true);
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--'))
          throw new UsageError(`${tok} (--${spec.name}) needs a value (${placeholderOf(spec)})`);
        set(spec, next);
        i++;
      }
      continue;
    }
    args.push(tok);
  }

  const options: Record<string, unknown> = {};
  for (const s of specs) {
    let v = values.get(s.name);
    if (v === undefined) {
      if (s.required) throw new UsageError(`missing required flag --${s.name} (${placeholderOf(s) || s.type})`);
      if (s.default !== undefined) v = Array.isArray(s.default) ? [...s.default] : s.default;
      else if (s.type === 'boolean') v = false;
      else if (s.type === 'list') v = [];
    }
    options[camelCase(s.name)] = v;
  }

  let k = 0;
  for (const a of argSpecs) {
    if (a.variadic) {
      if (a.required !== false && k >= args.length) throw new UsageError(`missing argument ${a.name}`);
      k = args.length;
      break;
    }
    if (k >= args.length) {
      if (a.required !== false) throw new UsageError(`missing argument ${a.name}`);
      break;
    }
    k++;
  }
  if (k < args.length) throw new UsageError(`unexpected argument '${args[k]}'`);

  return { options: options as ParsedOptions<O>, args, warnings };
}

/**
 * Parses only the flags of `specs` out of a longer command line (for a script that has flags of its own besides a
 * shared set, such as the JEM benchmark with the JEM recipe's flags): tokens of other flags are skipped, with the
 * value after them when it does not start with `--`. Positional arguments are ignored.
 */
export function parseKnownOptions<const O extends readonly OptionSpec[]>(specs: O, argv: readonly string[]): ParseResult<O> {
  const takesValue = new Map<string, boolean>();
  for (const s of specs) {
    for (const n of [s.name, ...(s.deprecated ?? [])]) takesValue.set(n, s.type !== 'boolean');
    if (s.type === 'boolean') takesValue.set(`no-${s.name}`, false);
  }
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (!tok.startsWith('--') || tok === '--') continue;
    const eq = tok.indexOf('=');
    const name = eq >= 0 ? tok.slice(2, eq) : tok.slice(2);
    const hasNext = argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--');
    const known = takesValue.get(name);
    if (known === undefined) {
      if (eq < 0 && hasNext) i++;
      continue;
    }
    kept.push(tok);
    if (known && eq < 0 && hasNext) kept.push(argv[++i]!);
  }
  return parseOptions(specs, kept);
}
