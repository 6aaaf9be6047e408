/**
 * The one check of a numeric option, shared by the library's public boundaries and the CLI's flag parser so that
 * `Crf.train(…, {threads: NaN})` and `--threads nan` fail with the same words: `threads expects an integer, got NaN`
 * and `--threads expects an integer, got 'nan'`.
 */

/** Constraints of a numeric option. */
export interface NumberConstraint {
  /** Reject fractions. */
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
}

/**
 * What is wrong with `value` for an option with these constraints, as the rest of a sentence that starts with the
 * option's name (`expects an integer, got 2.5`, `must be >= 1, got 0`); undefined when it is fine. `shown` is how the
 * value is quoted in the message (default: `String(value)`).
 */
export function numberProblem(value: unknown, c: NumberConstraint, shown: string = typeof value === 'string' ? `'${value}'` : String(value)): string | undefined {
  const what = c.integer ? 'an integer' : 'a number';
  if (typeof value !== 'number' || !Number.isFinite(value)) return `expects ${what}, got ${shown}`;
  if (c.integer && !Number.isInteger(value)) return `expects an integer, got ${shown}`;
  if (c.min !== undefined && value < c.min) return `must be >= ${c.min}, got ${shown}`;
  if (c.max !== undefined && value > c.max) return `must be <= ${c.max}, got ${shown}`;
  return undefined;
}

/** Throws a RangeError `<name> <problem>` unless `value` satisfies the constraints; returns it typed as a number. */
export function checkNumberOption(name: string, value: unknown, c: NumberConstraint): number {
  const p = numberProblem(value, c);
  if (p !== undefined) throw new RangeError(`${name} ${p}`);
  return value as number;
}

/**
 * Checks the numeric options present in `options` against `specs` (name → constraints); absent (undefined) options
 * are skipped. Throws a RangeError naming the first offending option.
 */
export function checkNumberOptions(options: object, specs: Readonly<Record<string, NumberConstraint>>): void {
  const o = options as Record<string, unknown>;
  for (const [name, c] of Object.entries(specs)) if (o[name] !== undefined) checkNumberOption(name, o[name], c);
}
