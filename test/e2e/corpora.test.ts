import test from 'ava';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startCorpusFixture } from '../cli/corpus-fixture.ts';
import { assertBuilt, runEbm } from './helpers.ts';

test.before(() => assertBuilt());

const mirror = process.env['EBM_CORPORA_DIR'];
const haveMirror = mirror !== undefined && existsSync(mirror);
if (!haveMirror) {
  console.log(
    `test/e2e/corpora: EBM_CORPORA_DIR ${mirror === undefined ? 'is not set' : `(${mirror}) does not exist`}; ` +
      'skipping the mirror verify test (e.g. EBM_CORPORA_DIR=../shared/corpora npm test)',
  );
}

(haveMirror ? test : test.skip)('ebm corpora verify reports every registered corpus OK against EBM_CORPORA_DIR', async (t) => {
  const r = await runEbm(['corpora', 'verify'], { env: { EBM_CORPORA_DIR: mirror!, EBM_CACHE_DIR: '/nonexistent/ebm-cache' } });
  t.is(r.code, 0, r.stdout + r.stderr);
  const summary = r.stdout.split('\n\n')[1]!;
  for (const name of ['conll2000', 'ud_english_ewt', 'ocr_letters_taskar', 'fashion_mnist', 'mnist', 'sklearn_digits', 'weizmann_horse'])
    t.regex(summary, new RegExp(`^${name}\\s+OK\\s+${mirror!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'), name);
  t.regex(r.stdout, /\nmnist\s+train-images-idx3-ubyte\.gz\s+MISSING \(optional\)/);
  t.regex(r.stdout, /\nmnist\s+OK\s+\S+mnist_partial \(partial: optional train-images-idx3-ubyte\.gz missing\)/);
  t.regex(r.stdout, /\nweizmann_horse\s+\[files in SHA256SUMS\]\s+OK\s+984\/984 listed files OK/);
  t.notRegex(r.stdout, /MISMATCH/);
  const fileLines = r.stdout.split('\n').filter((l) => /\s(OK|MISSING|MISMATCH)/.test(l) && !l.startsWith('looking'));
  t.true(fileLines.length >= 25, `${fileLines.length} status lines`);
});

test('ebm corpora fetch downloads from a local server into EBM_CACHE_DIR and verify then passes', async (t) => {
  const fx = await startCorpusFixture();
  try {
    const r = await runEbm(['corpora', 'fetch', 'toy', 'pics'], { env: fx.env });
    t.is(r.code, 0, r.stdout + r.stderr);
    t.regex(r.stdout, /toy  gamma\.bin  downloaded .* sha256 OK/);
    t.regex(r.stdout, /pics  2 files listed in SHA256SUMS: 2 downloaded/);
    t.false(r.stderr.includes('\r'), 'no progress bar when stderr is not a TTY');
    const v = await runEbm(['corpora', 'verify', 'toy', 'pics'], { env: fx.env });
    t.is(v.code, 0, v.stdout);
    const bad = await runEbm(['corpora', 'fetch', 'broken'], { env: fx.env });
    t.is(bad.code, 1);
    t.regex(bad.stderr, /ebm: error: could not fetch every required file of broken/);
    const leftovers = existsSync(path.join(fx.cacheDir, 'broken')) ? readdirSync(path.join(fx.cacheDir, 'broken')) : [];
    t.deepEqual(leftovers, []);
  } finally {
    await fx.close();
    rmSync(fx.root, { recursive: true, force: true });
  }
});
