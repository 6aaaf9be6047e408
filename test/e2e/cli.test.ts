import test from 'ava';
import { readFileSync } from 'node:fs';
import { assertBuilt, runEbm } from './helpers.ts';

test.before(() => assertBuilt());

const pkgVersion = JSON.parse(readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8')).version;

test('ebm --help lists the tasks and global flags', async (t) => {
  const r = await runEbm(['--help']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^ebm — energy-based structured prediction/);
  t.regex(r.stdout, /\n  info\s+Show versions/);
  t.regex(r.stdout, /\n  corpora\s+List, fetch and verify/);
  t.regex(r.stdout, /--backend auto\|tensorflow\|wasm\|cpu/);
  t.is(r.stderr, '');
});

test('ebm --version prints the package version', async (t) => {
  const r = await runEbm(['--version']);
  t.is(r.code, 0);
  t.is(r.stdout, `ebmkit ${pkgVersion}\n`);
});

test('every task and verb answers --help', async (t) => {
  for (const argv of [['info', '--help'], ['corpora', '-h'], ['corpora', 'list', '--help'], ['corpora', 'fetch', '-h'], ['corpora', 'verify', '--help']]) {
    const r = await runEbm(argv);
    t.is(r.code, 0, argv.join(' '));
    t.regex(r.stdout, new RegExp(`^Usage: ebm ${argv[0]}`), argv.join(' '));
  }
});

test('ebm info reports version, node, backend and why, threads and corpora locations', async (t) => {
  const r = await runEbm(['info'], { env: { EBM_CORPORA_DIR: '/nonexistent/ebm-corpora', EBM_CACHE_DIR: '/nonexistent/ebm-cache' } });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`^ebmkit\\s+${pkgVersion.replace(/\./g, '\\.')}\\n`));
  t.regex(r.stdout, new RegExp(`\\nnode\\s+${process.version.replace(/\./g, '\\.')} `));
  t.regex(r.stdout, /\nbackend\s+(tensorflow|wasm|cpu) \(.*selected.*\)\n/);
  t.regex(r.stdout, /\nthreads\s+\d+ \(os\.availableParallelism\)\n/);
  t.regex(r.stdout, /\ncorpora\s+\/nonexistent\/ebm-corpora \(EBM_CORPORA_DIR; does not exist\)\n/);
  t.regex(r.stdout, /\ncache\s+\/nonexistent\/ebm-cache \(EBM_CACHE_DIR; does not exist yet\)\n/);
  t.regex(r.stdout, /\nregistry\s+.*corpora\/registry\.json \(7 corpora\)\n/);
  t.is(r.stderr, '', 'no tfjs banner or warning on stderr');

  const cpu = await runEbm(['info', '--json', '--backend', 'cpu']);
  t.is(cpu.code, 0, cpu.stderr);
  const j = JSON.parse(cpu.stdout);
  t.is(j.backend, 'cpu');
  t.regex(j.backendReason, /requested by EBM_BACKEND/);
  t.is(cpu.stderr, '');
  const env = await runEbm(['info', '--json'], { env: { EBM_BACKEND: 'cpu' } });
  t.is(JSON.parse(env.stdout).backend, 'cpu');
});

test('ebm corpora list prints the registry table', async (t) => {
  const r = await runEbm(['corpora', 'list']);
  t.is(r.code, 0, r.stderr);
  for (const name of ['conll2000', 'ud_english_ewt', 'ocr_letters_taskar', 'fashion_mnist', 'mnist', 'sklearn_digits', 'weizmann_horse'])
    t.regex(r.stdout, new RegExp(`\\n${name}\\s+\\d`), name);
});

test('usage errors exit 2 with a one-line message that names the flag and points at --help', async (t) => {
  const cases: [string[], RegExp][] = [
    [['corpora', 'list', '--jsn'], /^ebm: error: unknown flag --jsn \(did you mean --json\?\); see 'ebm corpora list --help'\n$/],
    [['corpora', 'lst'], /^ebm: error: unknown verb 'lst' for 'ebm corpora' \(did you mean 'list'\?\); verbs: list, fetch, verify; see 'ebm corpora --help'\n$/],
    [['corpora', 'fetch', 'conll2000', '--jobs', 'many'], /^ebm: error: --jobs expects an integer, got 'many'; see 'ebm corpora fetch --help'\n$/],
    [['corpora', 'fetch'], /^ebm: error: missing argument NAME; see 'ebm corpora fetch --help'\n$/],
    [['info', '--backend', 'gpu'], /^ebm: error: --backend expects one of auto, tensorflow, wasm, cpu; got 'gpu'/],
    [['nosuchtask'], /^ebm: error: unknown task 'nosuchtask'; tasks: (\w+, )*info, (\w+, )*corpora\b/],
    [[], /ebm: error: missing task; see 'ebm --help'\n$/],
  ];
  for (const [argv, re] of cases) {
    const r = await runEbm(argv);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.stderr, re, argv.join(' '));
    t.is(r.stdout, '', argv.join(' '));
  }
});

test('a failing command exits 1 with one line; --debug adds the stack', async (t) => {
  const env = { EBM_CORPORA_REGISTRY: '/nonexistent/registry.json' };
  const r = await runEbm(['corpora', 'list'], { env });
  t.is(r.code, 1);
  t.is(r.stderr, 'ebm: error: /nonexistent/registry.json: no such file\n');
  const d = await runEbm(['corpora', 'list', '--debug'], { env });
  t.is(d.code, 1);
  t.regex(d.stderr, /^ebm: error: \/nonexistent\/registry\.json: no such file\nFileError: [^\n]*\n\s+at /);
  const tf = await runEbm(['info', '--backend', 'tensorflow']);
  if (tf.code !== 0) {
    t.is(tf.code, 1);
    t.regex(tf.stderr, /^ebm: error: tfjs backend 'tensorflow' is not available: @tensorflow\/tfjs-node (is not installed|failed to load)/);
    t.is(tf.stderr.split('\n').length, 2, 'one line');
  }
});
