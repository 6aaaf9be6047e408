import test from 'ava';
import { readFileSync } from 'node:fs';
import { BACKEND_CHOICES } from '@ebmkit/core/backend';
import {
  BACKEND_FLAG_CHOICES,
  CliError,
  TASKS,
  UsageError,
  VERSION,
  defineCommand,
  type TaskEntry,
  type TaskModule,
} from '@ebmkit/cli';
import { runCli } from './helpers.ts';

// A fake task exercising the dispatcher without loading anything real.
let lastRun: { options: unknown; args: string[]; backendEnv: string | undefined } | undefined;
const train = defineCommand({
  name: 'train',
  summary: 'Train a toy model',
  description: 'Longer text about training.',
  args: [{ name: 'DATA', help: 'training file' }],
  options: [
    { name: 'epochs', type: 'number', integer: true, min: 1, default: 5, help: 'Passes over the data' },
    { name: 'algorithm', type: 'enum', choices: ['lbfgs', 'sgd'], default: 'lbfgs', help: 'Trainer' },
  ],
  examples: ['ebm toy train data.txt --epochs 3'],
  run(ctx) {
    lastRun = { options: ctx.options, args: ctx.args, backendEnv: process.env['EBM_BACKEND'] };
    ctx.note('training');
    const bar = ctx.progress({ label: 'epoch', total: 2, unit: 'epochs' });
    bar.tick();
    bar.tick();
    bar.done();
    ctx.io.stdout.write(`trained ${ctx.args[0]} for ${ctx.options.epochs}\n`);
  },
});
const boom = defineCommand({
  name: 'boom',
  summary: 'Fails',
  options: [{ name: 'kind', type: 'enum', choices: ['cli', 'range', 'usage'], default: 'cli', help: 'which error' }],
  run(ctx) {
    if (ctx.options.kind === 'cli') throw new CliError('data/train.txt:17: expected 3 columns, got 2');
    if (ctx.options.kind === 'usage') throw new UsageError('--kind usage is only for tests');
    throw new RangeError('labels length 3 !== sequence length 4');
  },
});
let loads = 0;
const toyModule: TaskModule = { commands: [train, boom] };
const TOY: TaskEntry[] = [
  {
    task: 'toy',
    summary: 'A toy task',
    load: async () => {
      loads++;
      return toyModule;
    },
  },
  { task: 'never', summary: 'Must not be loaded by other tasks', load: () => Promise.reject(new Error('loaded!')) },
];

test.serial('a verb runs with parsed flags and returns 0', async (t) => {
  const r = await runCli(['toy', 'train', 'x.txt', '--epochs', '3', '--algorithm=sgd'], { tasks: TOY });
  t.is(r.code, 0);
  t.is(r.stdout, 'trained x.txt for 3\n');
  t.deepEqual(lastRun?.options, { epochs: 3, algorithm: 'sgd' });
  t.is(r.stderr, 'ebm: training\n', 'note on stderr; no progress bar when stderr is not a TTY');
});

test.serial('global flags work anywhere; --quiet silences notes and progress; --backend reaches EBM_BACKEND', async (t) => {
  const before = process.env['EBM_BACKEND'];
  try {
    const r = await runCli(['--quiet', 'toy', 'train', '--backend', 'cpu', 'x.txt'], { tasks: TOY, tty: true });
    t.is(r.code, 0);
    t.is(r.stderr, '');
    t.is(lastRun?.backendEnv, 'cpu');
    const tty = await runCli(['toy', 'train', 'x.txt'], { tasks: TOY, tty: true });
    t.regex(tty.stderr, /\repoch \[#+\]\s+100%\s+2\/2 epochs/, 'progress bar drawn on a TTY');
    t.notRegex(tty.stdout, /epoch \[/, 'never on stdout');
  } finally {
    if (before === undefined) delete process.env['EBM_BACKEND'];
    else process.env['EBM_BACKEND'] = before;
  }
});

test.serial('--help works at every level and exits 0 without running anything', async (t) => {
  lastRun = undefined;
  const top = await runCli(['--help'], { tasks: TOY });
  t.is(top.code, 0);
  t.regex(top.stdout, /Usage: ebm <task> <verb> \[flags\]/);
  t.regex(top.stdout, /toy\s+A toy task/);
  t.regex(top.stdout, /--backend auto\|tensorflow\|wasm\|cpu/);
  const task = await runCli(['toy', '-h'], { tasks: TOY });
  t.is(task.code, 0);
  t.regex(task.stdout, /Usage: ebm toy <verb>/);
  t.regex(task.stdout, /train\s+Train a toy model/);
  const verb = await runCli(['toy', 'train', '--epochs', 'bad', '--help'], { tasks: TOY });
  t.is(verb.code, 0, 'help wins over bad flags');
  t.regex(verb.stdout, /Usage: ebm toy train \[flags\] DATA/);
  t.regex(verb.stdout, /--epochs N\s+Passes over the data \(default: 5\)/);
  t.regex(verb.stdout, /--algorithm lbfgs\|sgd\s+Trainer \(default: lbfgs\)/);
  t.regex(verb.stdout, /Global flags:[\s\S]*--quiet/);
  t.regex(verb.stdout, /Examples:\n  ebm toy train data.txt --epochs 3/);
  t.is(lastRun, undefined);
});

test.serial('usage errors exit 2 with one line naming the problem and pointing at --help', async (t) => {
  const cases: [string[], RegExp][] = [
    [['toy', 'train', 'x', '--epochs', 'ten'], /^ebm: error: --epochs expects an integer, got 'ten'; see 'ebm toy train --help'\n$/],
    [['toy', 'train', 'x', '--epoch', '2'], /^ebm: error: unknown flag --epoch \(did you mean --epochs\?\); see 'ebm toy train --help'\n$/],
    [['toy', 'trian'], /^ebm: error: unknown verb 'trian' for 'ebm toy' \(did you mean 'train'\?\); verbs: train, boom; see 'ebm toy --help'\n$/],
    [['toy'], /^ebm: error: missing verb; expected one of train, boom; see 'ebm toy --help'\n$/],
    [['tyo'], /^ebm: error: unknown task 'tyo' \(did you mean 'toy'\?\); tasks: toy, never; see 'ebm --help'\n$/],
    [['toy', 'train'], /^ebm: error: missing argument DATA; see 'ebm toy train --help'\n$/],
    [['--backend', 'gpu', 'toy', 'train', 'x'], /^ebm: error: --backend expects one of auto, tensorflow, wasm, cpu; got 'gpu' \(did you mean 'cpu'\?\); see 'ebm --help'\n$/],
    [['--frobnicate'], /^ebm: error: unknown flag --frobnicate/],
    [['toy', 'boom', '--kind', 'usage'], /^ebm: error: --kind usage is only for tests; see 'ebm toy boom --help'\n$/],
  ];
  for (const [argv, re] of cases) {
    const r = await runCli(argv, { tasks: TOY });
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.stderr, re, argv.join(' '));
    t.is(r.stdout, '');
  }
  const bare = await runCli([], { tasks: TOY });
  t.is(bare.code, 2);
  t.regex(bare.stderr, /Usage: ebm[\s\S]*ebm: error: missing task; see 'ebm --help'\n$/);
});

test.serial('failures exit 1 with one line; the stack only with --debug', async (t) => {
  const r = await runCli(['toy', 'boom'], { tasks: TOY });
  t.is(r.code, 1);
  t.is(r.stderr, 'ebm: error: data/train.txt:17: expected 3 columns, got 2\n');
  const range = await runCli(['toy', 'boom', '--kind', 'range'], { tasks: TOY });
  t.is(range.code, 1);
  t.is(range.stderr, 'ebm: error: RangeError: labels length 3 !== sequence length 4\n');
  const dbg = await runCli(['toy', 'boom', '--kind', 'range', '--debug'], { tasks: TOY });
  t.regex(dbg.stderr, /^ebm: error: RangeError: labels length 3 !== sequence length 4\nRangeError: [^\n]*\n\s+at /);
});

test.serial('only the task used is loaded; --version loads nothing', async (t) => {
  loads = 0;
  const v = await runCli(['--version'], { tasks: TOY });
  t.is(v.code, 0);
  t.is(v.stdout, `ebmkit ${VERSION}\n`);
  await runCli(['--help'], { tasks: TOY });
  t.is(loads, 0);
  await runCli(['toy', 'train', 'x'], { tasks: TOY });
  t.is(loads, 1, "the 'never' task was not loaded");
});

test('every real task and verb answers --help with exit 0', async (t) => {
  for (const entry of TASKS) {
    const r = await runCli([entry.task, '--help']);
    t.is(r.code, 0, entry.task);
    t.regex(r.stdout, new RegExp(`^Usage: ebm ${entry.task}`), entry.task);
    if (entry.single) continue;
    const mod = await entry.load();
    for (const cmd of mod.commands) {
      const v = await runCli([entry.task, cmd.name, '-h']);
      t.is(v.code, 0, `${entry.task} ${cmd.name}`);
      t.regex(v.stdout, new RegExp(`^Usage: ebm ${entry.task} ${cmd.name}`));
      t.regex(v.stdout, /Global flags:/);
    }
  }
});

test('the CLI version and backend choices agree with the packages', (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8'));
  t.is(VERSION, pkg.version);
  t.deepEqual([...BACKEND_FLAG_CHOICES], [...BACKEND_CHOICES]);
});
