import test from 'ava';
import { UsageError, camelCase, checkSchema, parseOptions, type OptionSpec } from '@ebmkit/cli';

const schema = [
  { name: 'epochs', type: 'number', integer: true, min: 1, default: 10, help: 'passes' },
  { name: 'learning-rate', type: 'number', help: 'step size' },
  { name: 'algorithm', type: 'enum', choices: ['lbfgs', 'sgd', 'owlqn'], default: 'lbfgs', help: 'trainer' },
  { name: 'verbose', short: 'v', type: 'boolean', help: 'talk' },
  { name: 'shuffle', type: 'boolean', default: true, help: 'shuffle' },
  { name: 'tags', type: 'list', help: 'labels' },
  { name: 'out', short: 'o', type: 'string', placeholder: 'FILE', help: 'output' },
] as const satisfies readonly OptionSpec[];

test('defaults apply and the parsed object is typed by the schema', (t) => {
  const { options, args } = parseOptions(schema, []);
  // Compile-time: these assignments only type-check if the inferred types are right.
  const epochs: number = options.epochs;
  const lr: number | undefined = options.learningRate;
  const alg: 'lbfgs' | 'sgd' | 'owlqn' = options.algorithm;
  const verbose: boolean = options.verbose;
  const tags: string[] = options.tags;
  const out: string | undefined = options.out;
  t.deepEqual({ epochs, lr, alg, verbose, shuffle: options.shuffle, tags, out }, {
    epochs: 10,
    lr: undefined,
    alg: 'lbfgs',
    verbose: false,
    shuffle: true,
    tags: [],
    out: undefined,
  });
  t.deepEqual(args, []);
});

test('every value syntax is accepted', (t) => {
  const { options, args } = parseOptions(
    schema,
    ['--epochs', '3', '--learning-rate=0.5', '--algorithm', 'sgd', '-v', '--no-shuffle', '--tags', 'a,b', '--tags=c', '-o', 'x.txt', 'pos1', '--', '--not-a-flag'],
    [{ name: 'IN', help: '', variadic: true }],
  );
  t.is(options.epochs, 3);
  t.is(options.learningRate, 0.5);
  t.is(options.algorithm, 'sgd');
  t.true(options.verbose);
  t.false(options.shuffle);
  t.deepEqual(options.tags, ['a', 'b', 'c']);
  t.is(options.out, 'x.txt');
  t.deepEqual(args, ['pos1', '--not-a-flag']);
  t.is(parseOptions(schema, ['--learning-rate', '-0.25']).options.learningRate, -0.25);
  t.false(parseOptions(schema, ['--verbose=false']).options.verbose);
});

function usage(t: import('ava').ExecutionContext, argv: string[], re: RegExp, argSpecs = [] as { name: string; help: string; variadic?: boolean; required?: boolean }[]) {
  const err = t.throws(() => parseOptions(schema, argv, argSpecs), { instanceOf: UsageError });
  t.regex(err!.message, re);
}

test('bad values name the flag and what was expected', (t) => {
  usage(t, ['--epochs', 'ten'], /^--epochs expects an integer, got 'ten'$/);
  usage(t, ['--epochs', '2.5'], /^--epochs expects an integer, got '2.5'$/);
  usage(t, ['--epochs', '0'], /^--epochs must be >= 1, got 0$/);
  usage(t, ['--learning-rate', 'NaN'], /^--learning-rate expects a number, got 'NaN'$/);
  usage(t, ['--algorithm', 'sdg'], /^--algorithm expects one of lbfgs, sgd, owlqn; got 'sdg' \(did you mean 'sgd'\?\)$/);
  usage(t, ['--verbose=maybe'], /^--verbose is a switch; expected true or false, got 'maybe'$/);
  usage(t, ['--out'], /^--out needs a value \(FILE\)$/);
  usage(t, ['--out', '--verbose'], /^--out needs a value/);
});

test('unknown flags suggest the nearest one; arguments are counted', (t) => {
  usage(t, ['--epoch', '3'], /^unknown flag --epoch \(did you mean --epochs\?\)$/);
  usage(t, ['--zzz'], /^unknown flag --zzz$/);
  usage(t, ['-x'], /^unknown flag -x$/);
  usage(t, ['a', 'b'], /^unexpected argument 'b'$/, [{ name: 'IN', help: '' }]);
  usage(t, [], /^missing argument IN$/, [{ name: 'IN', help: '' }]);
  usage(t, [], /^missing argument NAME$/, [{ name: 'NAME', help: '', variadic: true }]);
  t.deepEqual(parseOptions(schema, [], [{ name: 'NAME', help: '', variadic: true, required: false }]).args, []);
  const req = [{ name: 'model', type: 'string', required: true, help: 'm' }] as const satisfies readonly OptionSpec[];
  t.throws(() => parseOptions(req, []), { instanceOf: UsageError, message: /^missing required flag --model/ });
});

test('schemas are checked once for mistakes', (t) => {
  t.notThrows(() => checkSchema(schema, ['help', 'quiet']));
  t.throws(() => checkSchema([{ name: 'quiet', type: 'boolean', help: '' }], ['quiet']), { message: /declared twice/ });
  t.throws(() => checkSchema([{ name: 'Bad_Name', type: 'boolean', help: '' }]), { message: /kebab-case/ });
  t.throws(() => checkSchema([{ name: 'a', type: 'enum', choices: ['x'], default: 'y', help: '' }]), { message: /not one of x/ });
  t.is(camelCase('max-iterations-per-epoch'), 'maxIterationsPerEpoch');
});

test('deprecated spellings reach their flag with a note; parseKnownOptions picks a shared set out of a longer line', async (t) => {
  const { parseKnownOptions } = await import('@ebmkit/cli');
  const { JEM_RECIPE_FLAGS, jemRecipeOptions } = await import('@ebmkit/cli/jem-recipe');
  const spec = [{ name: 'learning-rate', type: 'number', default: 0.1, deprecated: ['lr'], help: '' }] as const satisfies readonly OptionSpec[];
  const r = parseOptions(spec, ['--lr', '0.5']);
  t.is(r.options.learningRate, 0.5);
  t.deepEqual(r.warnings, ['--lr is deprecated; use --learning-rate (the old spelling will be removed in the next release)']);
  t.deepEqual(parseOptions(spec, ['--learning-rate=0.25']).warnings, []);
  t.throws(() => checkSchema([...spec, { name: 'lr', type: 'number', help: '' }]), { message: /clashes/ });
  // the JEM benchmark's line: its own flags are skipped, the recipe's parsed as `ebm jem train` parses them
  const line = ['--steps', '3600', '--holdout', '2000', '--skip-torch', '--lr', '3e-5', '--clamp', '--neg-batch', '128', '--section', 'x', '--reinit=0.2'];
  const known = parseKnownOptions(JEM_RECIPE_FLAGS, line);
  t.is(known.options.steps, 3600);
  t.is(known.options.learningRate, 3e-5);
  t.is(known.options.negativeBatchSize, 128);
  t.is(known.options.reinit, 0.2);
  t.true(known.options.clamp);
  t.is(known.warnings.length, 2);
  const cli = parseOptions(JEM_RECIPE_FLAGS, ['--steps', '3600', '--learning-rate', '3e-5', '--clamp', '--negative-batch-size', '128', '--reinit', '0.2']);
  t.deepEqual(jemRecipeOptions(known.options), jemRecipeOptions(cli.options));
});
