// The faults of issue 17, each reproduced: a bad --out found only after the work, --threads without a cap, numeric
// API options failing with a TypeError, memory-sizing flags without a bound, file-system errors that do not name the
// file, binary bytes in an error line, and --max-iterations after --resume counted from the resume point.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { FileError, fsErrorWords, numberProblem, toFileError } from '@ebmkit/core';
import { Crf } from '@ebmkit/crf';
import { convertValue, formatErrorLine, type OptionSpec } from '@ebmkit/cli';
import { runCli } from './helpers.js';
import { syntheticSequences } from '../crf/synthetic.js';

let dir = '';
const p = (name: string) => join(dir, name);

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-faults-'));
  const { sequences, words } = syntheticSequences(40, 3);
  await writeFile(p('train.txt'), words.map((ws, s) => ws.map((w, t) => `${w} ${sequences[s]!.labels[t]}`).join('\n') + '\n').join('\n'));
  await writeFile(p('seq.tsv'), 'a\t1\tX\t0.5\na\t2\tY\t-0.5\nb\t1\tX\t0.4\n');
  await writeFile(p('data.csv'), 'a,b\n0,1\n1,0\n1,1\n0,0\n');
  await writeFile(p('a-file'), 'not a folder');
  await mkdir(p('a-dir'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

const missing = () => p('no/such/dir/m.safetensors');

test('a bad --out fails before any work, naming --out, exit 1 (crf, ssvm, rbm, dbn, jem, segment train and predict)', async (t) => {
  const cases: string[][] = [
    ['crf', 'train', '--train', p('train.txt'), '--features', 'chunking', '--out', missing()],
    ['ssvm', 'train', '--data', p('seq.tsv'), '--out', missing()],
    ['ssvm', 'predict', '--model', p('absent.model'), '--data', p('seq.tsv'), '--out', missing()],
    ['rbm', 'train', '--data', p('data.csv'), '--hidden', '2', '--out', missing()],
    ['dbn', 'train', '--data', p('data.csv'), '--hidden', '2', '--out', missing()],
    ['jem', 'train', '--data', p('data.csv'), '--out', missing()],
    ['segment', 'train', '--images', p('a-dir'), '--masks', p('a-dir'), '--out', missing()],
  ];
  for (const argv of cases) {
    const r = await runCli(argv);
    t.is(r.code, 1, `${argv.join(' ')}\n${r.stderr}`);
    t.is(r.stderr, `ebm: error: --out ${missing()}: directory ${p('no/such/dir')} does not exist\n`, argv.join(' '));
  }
  // a directory where a file is expected
  const r = await runCli(['crf', 'train', '--train', p('train.txt'), '--features', 'chunking', '--out', p('a-dir')]);
  t.is(r.code, 1);
  t.is(r.stderr, `ebm: error: --out ${p('a-dir')}: is a directory; give a file name\n`);
  // segment predict writes a folder (created when missing): a regular file in the way is refused up front
  const sp = await runCli(['segment', 'predict', '--model', p('absent.model'), '--images', p('a-dir'), '--out', p('a-file/masks')]);
  t.is(sp.code, 1, sp.stderr);
  t.is(sp.stderr, `ebm: error: --out ${p('a-file/masks')}: ${p('a-file')} is not a directory\n`);
  // other output flags are checked the same way
  const ck = await runCli(['crf', 'train', '--train', p('train.txt'), '--features', 'chunking', '--checkpoint', p('a-file/ck'), '--out', p('ok.safetensors')]);
  t.is(ck.code, 1);
  t.regex(ck.stderr, /^ebm: error: --checkpoint .*a-file\/ck: .*a-file is not a directory\n$/);
});

test('--threads above the core count is capped with a warning; the API validates threads like the CLI', async (t) => {
  const cores = availableParallelism();
  const r = await runCli(['crf', 'train', '--train', p('train.txt'), '--features', 'pos', '--max-iterations', '2', '--threads', '300', '--out', p('t.safetensors')]);
  t.is(r.code, 0, r.stderr);
  t.true(r.stderr.includes(`warning: --threads 300 is more than the ${cores} cores of this machine; using ${cores}`), r.stderr);
  const { sequences } = syntheticSequences(10, 1);
  const res = await Crf.train(sequences, { threads: 300, trainer: { algorithm: 'lbfgs', maxIterations: 1 } });
  t.true((res.info.hyperparameters['threads'] as number) <= cores);
  await t.throwsAsync(Crf.train(sequences, { threads: NaN }), { instanceOf: RangeError, message: 'threads expects an integer, got NaN' });
  await t.throwsAsync(Crf.train(sequences, { threads: 0 }), { instanceOf: RangeError, message: 'threads must be >= 1, got 0' });
  await t.throwsAsync(Crf.train(sequences, { trainer: { algorithm: 'lbfgs', c2: -1 } }), { instanceOf: RangeError, message: 'c2 must be >= 0, got -1' });
  await t.throwsAsync(Crf.train(sequences, { trainer: { algorithm: 'sgd', epochs: 2.5 } }), { instanceOf: RangeError, message: 'epochs expects an integer, got 2.5' });
  // the CLI says the same thing about the same value
  const c = await runCli(['crf', 'train', '--train', p('train.txt'), '--threads', '0', '--out', p('t.safetensors')]);
  t.is(c.code, 2);
  t.regex(c.stderr, /^ebm: error: --threads must be >= 1, got 0;/);
});

test.serial('memory-sizing flags are bounded with an error saying how much memory they would need', async (t) => {
  const env = { EBM_BACKEND: 'cpu' };
  const cols = Array.from({ length: 300 }, (_, i) => `c${i}`);
  const rows = Array.from({ length: 4 }, (_, r) => cols.map((_, i) => (r + i) % 2).join(','));
  await writeFile(p('wide.csv'), [cols.join(','), ...rows].join('\n') + '\n');
  const tr = await runCli(['rbm', 'train', '--data', p('wide.csv'), '--hidden', '2', '--epochs', '1', '--out', p('wide.rbm')], { env });
  t.is(tr.code, 0, tr.stderr);
  const r = await runCli(['rbm', 'eval', '--model', p('wide.rbm'), '--data', p('wide.csv'), '--ais', '--ais-runs', '10000000', '--ais-steps', '3'], { env });
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /^ebm: error: --ais-runs 10000000 .*would need .*[\d.]+ [kMGTP]B/);
  const h = await runCli(['rbm', 'train', '--data', p('wide.csv'), '--hidden', '2000000000', '--out', p('h.rbm')], { env });
  t.is(h.code, 2, h.stderr);
  t.regex(h.stderr, /^ebm: error: --hidden 2000000000 .*would need about [\d.]+ [kMGTP]B of memory/);
  const j = await runCli(['jem', 'train', '--data', p('data.csv'), '--label-column', 'b', '--buffer', '1000000000000', '--out', p('j.model')], { env });
  t.is(j.code, 2, j.stderr);
  t.regex(j.stderr, /^ebm: error: --buffer 1000000000000 .*would need about [\d.]+ [kMGTP]B of memory/);
});

test('a directory given as a data file is named, in words (crf, ssvm, rbm, jem)', async (t) => {
  const cases: string[][] = [
    ['crf', 'train', '--train', p('a-dir'), '--features', 'pos', '--out', p('x.safetensors')],
    ['ssvm', 'train', '--data', p('a-dir'), '--out', p('x.model')],
    ['rbm', 'train', '--data', p('a-dir'), '--hidden', '2', '--out', p('x.rbm')],
    ['jem', 'train', '--data', p('a-dir'), '--out', p('x.jem')],
  ];
  for (const argv of cases) {
    const r = await runCli(argv);
    t.is(r.code, 1, argv.join(' '));
    t.regex(r.stderr, /^ebm: error: .*a-dir: is a directory, not a file$/m, argv.join(' '));
    t.false(r.stderr.includes('EISDIR'), r.stderr);
  }
});

test('file-system errors map to words through one function; ENOSPC and EROFS name the file', (t) => {
  const errno = (code: string, syscall: string) => Object.assign(new Error(`${code}: something, ${syscall}`), { code, syscall });
  const full = toFileError(errno('ENOSPC', 'write'), 'out/m.safetensors');
  t.true(full instanceof FileError);
  t.is((full as Error).message, 'out/m.safetensors: no space left on the device (disk full)');
  t.is((toFileError(errno('EROFS', 'open'), 'm') as Error).message, 'm: read-only file system');
  t.is((toFileError(errno('EACCES', 'open'), 'm') as Error).message, 'm: permission denied');
  t.is(fsErrorWords(errno('EISDIR', 'read')), 'is a directory, not a file');
  t.is(fsErrorWords(errno('ENOTDIR', 'open')), 'a part of the path is not a directory');
  const plain = new TypeError('x');
  t.is(toFileError(plain, 'm'), plain);
});

test('an unwrapped file-system error is printed in words through the same mapping', async (t) => {
  const task = {
    task: 'boom',
    summary: 'fails',
    single: true,
    load: async () => ({
      commands: [
        {
          name: 'boom',
          summary: 'fails',
          options: [],
          run: () => {
            throw Object.assign(new Error("ENOSPC: no space left on device, write '/x/y'"), { code: 'ENOSPC', syscall: 'write', path: '/x/y' });
          },
        },
      ],
    }),
  };
  const r = await runCli(['boom'], { tasks: [task] });
  t.is(r.code, 1);
  t.is(r.stderr, 'ebm: error: /x/y: no space left on the device (disk full)\n');
});

test('a binary CRF++ template gives one short error line with its bytes escaped', async (t) => {
  const bytes = Buffer.alloc(900);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) % 256;
  bytes.write('U00:', 0);
  await writeFile(p('binary.tpl'), bytes);
  const r = await runCli(['crf', 'train', '--train', p('train.txt'), '--template', p('binary.tpl'), '--out', p('x.safetensors')]);
  t.is(r.code, 1);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  t.is(lines.length, 1, r.stderr);
  t.true(lines[0]!.length <= 320, `${lines[0]!.length} characters`);
  t.true(lines[0]!.includes('binary.tpl'), lines[0]);
  t.false(/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(lines[0]!), 'no control bytes or replacement characters');
});

test('formatErrorLine escapes control bytes and cuts at 300 characters on a code-point boundary', (t) => {
  t.is(formatErrorLine('a\u0000b\u001bc\ufffd'), 'a\\x00b\\x1bc\\ufffd');
  const long = '😀'.repeat(400);
  const cut = formatErrorLine(long);
  t.true(cut.endsWith('…'));
  t.is([...cut].length, 300);
  t.false(/[\ud800-\udbff]…$/.test(cut), 'no half surrogate pair');
  t.is(formatErrorLine('x'.repeat(300)), 'x'.repeat(300));
});

test('the CLI and the library word a bad number the same way', (t) => {
  const specs: OptionSpec[] = [
    { name: 'threads', type: 'number', integer: true, min: 1, help: '' },
    { name: 'rate', type: 'number', min: 0, max: 1, help: '' },
  ];
  for (const spec of specs) {
    for (const raw of ['0', '-1', '2', '1.5', 'nan', 'Infinity', '']) {
      let cli: string | undefined;
      try {
        convertValue(spec, raw);
      } catch (e) {
        cli = (e as Error).message;
      }
      const problem = numberProblem(raw.trim() === '' ? NaN : Number(raw), spec as { integer?: boolean; min?: number; max?: number });
      t.is(cli === undefined, problem === undefined, `${spec.name} ${raw}`);
      if (cli !== undefined) t.is(cli.replace(/got '(.*)'$/, 'got $1'), `--${spec.name} ${problem!.replace(/got .*$/, `got ${raw}`)}`);
    }
  }
});
