import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DataError, readConll, readLines, type ConllSentence } from '@ebmkit/core';

const fixture = fileURLToPath(new URL('../fixtures/data/chunk.txt', import.meta.url));
const corpora = process.env.EBM_CORPORA_DIR;
const corpusTest = corpora ? test : test.skip;

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-conll-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function all(path: string, options?: { columns?: number }): Promise<ConllSentence[]> {
  const out: ConllSentence[] = [];
  for await (const s of readConll(path, options)) out.push(s);
  return out;
}

test('reads sentences, skipping -DOCSTART- and repeated blank lines, keeping first-line numbers', async (t) => {
  const s = await all(fixture);
  t.deepEqual(
    s.map((x) => x.line),
    [3, 9, 14],
  );
  t.deepEqual(s[0]!.tokens, [
    ['Confidence', 'NN', 'B-NP'],
    ['in', 'IN', 'B-PP'],
    ['the', 'DT', 'B-NP'],
    ['pound', 'NN', 'I-NP'],
  ]);
  t.deepEqual(s[1]!.tokens.map((tok) => tok[0]), ['Chancellor', 'of']);
  // Runs of spaces and tabs separate columns; the last sentence needs no trailing blank line.
  t.deepEqual(s[2]!.tokens, [
    ['He', 'PRP', 'B-NP'],
    ['reckons', 'VBZ', 'B-VP'],
    ['.', '.', 'O'],
  ]);
});

test('gzip is detected by magic bytes, not by name; CRLF line ends are accepted', async (t) => {
  const text = await readFile(fixture, 'utf8');
  const gz = join(dir, 'looks-plain.txt');
  await writeFile(gz, gzipSync(text));
  t.deepEqual(await all(gz), await all(fixture));
  const crlf = join(dir, 'crlf.txt.gz'); // named .gz but plain
  await writeFile(crlf, text.replace(/\n/g, '\r\n'));
  t.deepEqual(await all(crlf), await all(fixture));
});

test('a wrong column count names file, line and both counts', async (t) => {
  const path = join(dir, 'train.txt');
  await writeFile(path, 'a DT B-NP\nb NN I-NP\n\nc NN B-NP\nd VBZ\n');
  const e = await t.throwsAsync(all(path), { instanceOf: DataError, message: `${path}:5: expected 3 columns, got 2` });
  t.is(e?.file, path);
  t.is(e?.line, 5);
  // The column count can be fixed by option instead of by the first token line.
  await t.throwsAsync(all(path, { columns: 2 }), { message: `${path}:1: expected 2 columns, got 3` });
});

test('an empty file, or one with only blank and -DOCSTART- lines, has no sentences', async (t) => {
  const empty = join(dir, 'empty.txt');
  await writeFile(empty, '');
  await t.throwsAsync(all(empty), { instanceOf: DataError, message: /^.*empty\.txt: no sentences/ });
  const docs = join(dir, 'docs.txt');
  await writeFile(docs, '-DOCSTART- -X- O\n\n  \n');
  await t.throwsAsync(all(docs), { message: /docs\.txt: no sentences/ });
  await t.throwsAsync(all(join(dir, 'absent.txt')), { instanceOf: DataError, message: /absent\.txt: no such file$/ });
});

test('a truncated gzip file is a DataError naming the file', async (t) => {
  const big = Array.from({ length: 3000 }, (_, i) => `w${i} NN O${i % 7 === 0 ? '\n' : ''}`).join('\n');
  const gz = gzipSync(big);
  const path = join(dir, 'cut.gz');
  await writeFile(path, gz.subarray(0, gz.length >> 1));
  await t.throwsAsync(all(path), { instanceOf: DataError, message: /cut\.gz: corrupt gzip data: unexpected end of file/ });
});

test('readLines numbers lines from 1 and drops a byte-order mark', async (t) => {
  const path = join(dir, 'bom.txt');
  await writeFile(path, '\uFEFFfirst\r\nsecond\n\nlast');
  const lines = [];
  for await (const l of readLines(path)) lines.push(l);
  t.deepEqual(lines, [
    { text: 'first', line: 1 },
    { text: 'second', line: 2 },
    { text: '', line: 3 },
    { text: 'last', line: 4 },
  ]);
});

corpusTest('CoNLL-2000 train and test stream with the official counts, fast', async (t) => {
  for (const [file, sentences, tokens] of [
    ['train.txt.gz', 8936, 211727],
    ['test.txt.gz', 2012, 47377],
  ] as const) {
    const t0 = performance.now();
    let ns = 0;
    let nt = 0;
    let first = '';
    for await (const s of readConll(join(corpora!, 'conll2000', file))) {
      if (ns === 0) first = s.tokens[0]!.join(' ');
      ns++;
      nt += s.tokens.length;
    }
    const ms = performance.now() - t0;
    t.log(`${file}: ${ns} sentences, ${nt} tokens in ${ms.toFixed(0)} ms`);
    t.is(ns, sentences);
    t.is(nt, tokens);
    t.is(first, file === 'train.txt.gz' ? 'Confidence NN B-NP' : 'Rockwell NNP B-NP');
    t.true(ms < 10_000, `took ${ms} ms (a gross-regression guard only: timings under a loaded test runner vary)`);
  }
});

(process.platform === 'linux' ? test.serial : test.skip)('stopping early closes the file (gzip and plain)', async (t) => {
  const { readdirSync } = await import('node:fs');
  const gz = join(dir, 'early.txt.gz');
  await writeFile(gz, gzipSync(await readFile(fixture)));
  const fds = () => readdirSync('/proc/self/fd').length;
  const before = fds();
  for (let i = 0; i < 20; i++) {
    for (const path of [gz, fixture]) {
      for await (const s of readConll(path)) {
        t.is(s.line, 3);
        break;
      }
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.true(fds() <= before, `open descriptors ${before} → ${fds()}`);
});
