import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { loadRegistry, validateRegistry } from '@ebmkit/cli';
import { startCorpusFixture, type CorpusFixture } from './corpus-fixture.ts';
import { runCli } from './helpers.ts';

let fx: CorpusFixture;
test.before(async () => {
  fx = await startCorpusFixture();
});
test.after.always(async () => {
  await fx?.close();
  if (fx) rmSync(fx.root, { recursive: true, force: true });
});

/** Every file under dir (relative paths), to look for left-over temporary files. */
function listAll(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as any).path, e.name)));
}

test.serial('list shows the registry named by EBM_CORPORA_REGISTRY', async (t) => {
  const r = await runCli(['corpora', 'list'], { env: fx.env });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^NAME\s+FILES\s+SIZE\s+LICENCE\s+LOCAL\s+TITLE\n/);
  t.regex(r.stdout, /\ntoy\s+4\s/);
  t.regex(r.stdout, /\npics\s+1\+2\s/);
  const long = await runCli(['corpora', 'list', '--long'], { env: fx.env });
  t.true(long.stdout.includes(`${fx.baseUrl}/gamma.bin`));
});

test.serial('fetch downloads, checks sha256, gzips plain content, falls through URLs and skips optional files', async (t) => {
  const r = await runCli(['corpora', 'fetch', 'toy'], { env: fx.env, tty: true });
  t.is(r.code, 0, r.stderr);
  const dir = path.join(fx.cacheDir, 'toy');
  t.regex(r.stdout, /toy  alpha\.txt\.gz  downloaded \d+ B from http:\/\/127\.0\.0\.1:\d+\/alpha\.txt\.gz, sha256 OK\n/);
  t.regex(r.stdout, /toy  beta\.conllu\.gz  downloaded .* sha256 OK \(gzipped here; content sha256\)\n/);
  t.regex(r.stdout, /toy  gamma\.bin  downloaded .* from http:\/\/127\.0\.0\.1:\d+\/gamma\.bin, sha256 OK\n/);
  t.regex(r.stdout, /toy  delta\.txt  skipped \(optional; no download URL: derived file, not downloadable\)\n/);
  t.regex(r.stderr, /toy\/gamma\.bin \[#+\]\s+100%/, 'progress bar on the (fake) TTY');
  t.true(fx.requests.includes('/missing/gamma.bin'), 'the first URL (404) was tried');
  t.deepEqual(gunzipSync(readFileSync(path.join(dir, 'beta.conllu.gz'))), fx.content.beta);
  t.deepEqual(readFileSync(path.join(dir, 'gamma.bin')), fx.content.gamma);
  t.deepEqual(listAll(dir).sort(), ['alpha.txt.gz', 'beta.conllu.gz', 'gamma.bin']);

  const v = await runCli(['corpora', 'verify', 'toy'], { env: fx.env });
  t.is(v.code, 0, v.stdout);
  t.regex(v.stdout, /toy\s+alpha\.txt\.gz\s+OK\n/);
  t.regex(v.stdout, /toy\s+beta\.conllu\.gz\s+OK \(content sha256\)\n/);
  t.regex(v.stdout, /toy\s+delta\.txt\s+MISSING \(optional\)/);

  const n = fx.requests.length;
  const again = await runCli(['corpora', 'fetch', 'toy', '--quiet'], { env: fx.env, tty: true });
  t.is(again.code, 0);
  t.is(again.stderr, '');
  t.regex(again.stdout, /toy  alpha\.txt\.gz  already present, sha256 OK\n/);
  t.is(fx.requests.length, n, 'nothing downloaded again');
  await runCli(['corpora', 'fetch', 'toy', '--force'], { env: fx.env });
  t.true(fx.requests.length > n, '--force downloads again');
});

test.serial('a download that does not match its sha256 fails and leaves nothing behind', async (t) => {
  const r = await runCli(['corpora', 'fetch', 'broken'], { env: fx.env });
  t.is(r.code, 1);
  t.regex(r.stdout, /broken  bad\.bin  FAILED: http:\/\/127\.0\.0\.1:\d+\/bad\.bin: sha256 mismatch \(got [0-9a-f]{64}, expected [0-9a-f]{64}\)\n/);
  t.is(r.stderr, 'ebm: fetching broken into ' + path.join(fx.cacheDir, 'broken') + '\nebm: error: could not fetch every required file of broken (see the FAILED lines)\n');
  t.deepEqual(listAll(path.join(fx.cacheDir, 'broken')), [], 'no partial or temporary file');
});

test.serial('a manifest corpus: the list is copied from the registry, listed files downloaded and verified', async (t) => {
  const r = await runCli(['corpora', 'fetch', 'pics'], { env: fx.env });
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /pics  SHA256SUMS  copied from the registry, sha256 OK\n/);
  t.regex(r.stdout, /pics  2 files listed in SHA256SUMS: 2 downloaded, 0 already present, 0 failed\n/);
  const v = await runCli(['corpora', 'verify', 'pics'], { env: fx.env });
  t.is(v.code, 0);
  t.regex(v.stdout, /pics\s+\[files in SHA256SUMS\]\s+OK\s+2\/2 listed files OK/);
  writeFileSync(path.join(fx.cacheDir, 'pics', 'img', 'b.dat'), 'tampered');
  const bad = await runCli(['corpora', 'verify', 'pics'], { env: fx.env });
  t.is(bad.code, 1);
  t.regex(bad.stdout, /pics\s+img\/b\.dat\s+MISMATCH\s+sha256 [0-9a-f]{64} != [0-9a-f]{64}/);
  t.regex(bad.stderr, /ebm: error: 1 of 1 corpora failed verification/);
});

test.serial('verify: re-compressed copies pass by content; changed content, missing required files fail; optional files may be absent', async (t) => {
  // A mirror (EBM_CORPORA_DIR) using the alternative directory name toy_partial.
  const mirror = path.join(fx.root, 'mirror', 'toy_partial');
  mkdirSync(mirror, { recursive: true });
  writeFileSync(path.join(mirror, 'alpha.txt.gz'), gzipSync(fx.content.alpha, { level: 1 }));
  writeFileSync(path.join(mirror, 'beta.conllu.gz'), gzipSync(fx.content.beta, { level: 4 }));
  writeFileSync(path.join(mirror, 'gamma.bin'), fx.content.gamma);
  const env = { ...fx.env, EBM_CORPORA_DIR: path.join(fx.root, 'mirror') };
  const ok = await runCli(['corpora', 'verify', 'toy'], { env });
  t.is(ok.code, 0, ok.stdout);
  t.regex(ok.stdout, /toy\s+alpha\.txt\.gz\s+OK \(content sha256\)\n/);
  t.regex(ok.stdout, /\ntoy\s+OK\s+.*toy_partial \(partial: optional delta\.txt missing\)\n/);

  writeFileSync(path.join(mirror, 'alpha.txt.gz'), gzipSync(Buffer.from('other content')));
  const changed = await runCli(['corpora', 'verify', 'toy'], { env });
  t.is(changed.code, 1);
  t.regex(changed.stdout, /toy\s+alpha\.txt\.gz\s+MISMATCH\s+sha256 [0-9a-f]{64} != [0-9a-f]{64}; content sha256 [0-9a-f]{64} != [0-9a-f]{64}\n/);

  writeFileSync(path.join(mirror, 'alpha.txt.gz'), gzipSync(fx.content.alpha));
  rmSync(path.join(mirror, 'gamma.bin'));
  const missing = await runCli(['corpora', 'verify', 'toy'], { env });
  t.is(missing.code, 1);
  t.regex(missing.stdout, /toy\s+gamma\.bin\s+MISSING\n/);
  t.regex(missing.stdout, /\ntoy\s+FAILED\s/);

  const nowhere = await runCli(['corpora', 'verify', 'broken'], { env });
  t.is(nowhere.code, 1);
  t.regex(nowhere.stdout, /broken\s+\*\s+MISSING\s+no broken directory in any location/);
  writeFileSync(path.join(mirror, 'gamma.bin'), fx.content.gamma);
  const present = await runCli(['corpora', 'verify', 'toy', 'broken', '--present'], { env });
  t.is(present.code, 0, present.stdout);
  t.regex(present.stdout, /broken\s+SKIPPED/);
});

test.serial('unknown corpus names are usage errors with a suggestion', async (t) => {
  const r = await runCli(['corpora', 'fetch', 'tyo'], { env: fx.env });
  t.is(r.code, 2);
  t.is(r.stderr, "ebm: error: unknown corpus 'tyo' (did you mean 'toy'?); registered: toy, pics, broken; see 'ebm corpora fetch --help'\n");
  const v = await runCli(['corpora', 'verify', 'nope'], { env: fx.env });
  t.is(v.code, 2);
});

test('a malformed registry is refused with the file, corpus and field named', (t) => {
  const base = { name: 'x', title: 'X', description: 'd', homepage: 'h', licence: 'l', format: 'f', dir: 'x' };
  t.throws(() => validateRegistry({ version: 1, corpora: [{ ...base, files: [{ path: 'a', sha256: 'abc', urls: [] }] }] }, 'reg.json'), {
    message: "reg.json: corpora[0] (x) file \"a\": 'sha256' must be 64 lower-case hex digits",
  });
  t.throws(() => validateRegistry({ version: 2, corpora: [] }, 'reg.json'), { message: 'reg.json: version: expected 1, got 2' });
  t.throws(() => validateRegistry({ version: 1, corpora: [{ ...base, files: [{ path: '../a', sha256: 'a'.repeat(64), urls: [] }] }] }, 'r'), {
    message: /must be a relative path inside the corpus directory/,
  });
});

test('the real registry lists the seven benchmark corpora with complete entries', (t) => {
  const reg = loadRegistry({});
  t.deepEqual(
    reg.corpora.map((c) => c.name),
    ['conll2000', 'ud_english_ewt', 'ocr_letters_taskar', 'fashion_mnist', 'mnist', 'sklearn_digits', 'weizmann_horse'],
  );
  for (const c of reg.corpora) {
    t.regex(c.homepage, /^https?:\/\//, c.name);
    for (const f of c.files) {
      const inMirror = !(c.name === 'mnist' && f.path === 'train-images-idx3-ubyte.gz');
      if (f.path.endsWith('.gz') && inMirror) t.truthy(f.contentSha256, `${c.name}/${f.path} has a content sha256`);
      if (!f.optional) t.true(f.urls.length > 0 || f.copy !== undefined, `${c.name}/${f.path} can be fetched`);
      if (f.copy) {
        const copy = readFileSync(path.resolve(path.dirname(reg.file), f.copy));
        t.is(createHash('sha256').update(copy).digest('hex'), f.sha256, `${f.copy} matches`);
      }
    }
  }
  const mnist = reg.corpora.find((c) => c.name === 'mnist')!;
  t.deepEqual(mnist.mirrorDirs, ['mnist_partial']);
  t.true(mnist.files.find((f) => f.path === 'train-images-idx3-ubyte.gz')!.optional);
});

test('registered sha256 sums agree with the mirror SOURCES.md (when EBM_CORPORA_DIR is set)', (t) => {
  const dir = process.env['EBM_CORPORA_DIR'];
  const sources = dir ? path.join(dir, 'SOURCES.md') : undefined;
  if (!sources || !existsSync(sources)) {
    t.log('EBM_CORPORA_DIR not set or has no SOURCES.md; cross-check skipped');
    t.pass();
    return;
  }
  const text = readFileSync(sources, 'utf8');
  let full = 0;
  for (const c of loadRegistry({}).corpora) {
    for (const f of c.files) {
      // SOURCES.md gives most sums in full and a few (licence files) as an 8-digit prefix with "…".
      const listed = text.includes(f.sha256) || text.includes(`${f.sha256.slice(0, 8)}…`);
      if (c.name === 'mnist' && f.path === 'train-images-idx3-ubyte.gz') continue; // not in the mirror
      t.true(listed, `${c.name}/${f.path} sha256 appears in SOURCES.md`);
      if (text.includes(f.sha256)) full++;
    }
  }
  t.true(full >= 16, `${full} full sums matched`);
});
