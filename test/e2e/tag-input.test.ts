// `ebm tag` through the built CLI: every input kind, every output format round-tripping Unicode text byte-exactly,
// bad input (one-line errors, exit codes, no partial output file), and no `.env` read into process.env.
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { UNICODE_SAMPLES, wordBoundaries } from '../crf/unicode-corpus.js';
import { assertBuilt, runEbm, runNode } from './helpers.js';

let dir = '';
test.before(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'ebm-tag-input-'));
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const corpusText = UNICODE_SAMPLES.map((s) => s.text).join('\n') + '\n';

interface JsonToken {
  text: string;
  start: number;
  end: number;
  tag: string;
}

test('jsonl: per-token code-point offsets map back into each input line exactly; blank lines are empty records', async (t) => {
  const input = join(dir, 'uni.txt');
  await writeFile(input, corpusText.replace('\n', '\n\n'));
  const r = await runEbm(['tag', '--format', 'jsonl', input]);
  t.is(r.code, 0, r.stderr);
  const lines = (await readFile(input, 'utf8')).split('\n').slice(0, -1);
  const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; tokens: JsonToken[] });
  t.deepEqual([...new Set(recs.map((x) => x.line))], lines.map((_, i) => i + 1), 'every input line has records, in order');
  t.deepEqual(recs.find((x) => x.line === 2)!.tokens, []);
  for (const rec of recs) {
    const cps = Array.from(lines[rec.line - 1]!);
    for (const tok of rec.tokens) t.is(cps.slice(tok.start, tok.end).join(''), tok.text);
  }
  // the tokens of a line, concatenated, are the line without its whitespace: nothing lost, nothing altered
  for (let i = 0; i < lines.length; i++) {
    const toks = recs.filter((x) => x.line === i + 1).flatMap((x) => x.tokens.map((k) => k.text));
    t.is(toks.join(''), lines[i]!.replace(/\s+/gu, ''));
  }
});

test('conllu: # text is each sentence verbatim and FORM + SpaceAfter=No rebuild it; no token boundary inside a word', async (t) => {
  const input = join(dir, 'uni2.txt');
  await writeFile(input, corpusText);
  const r = await runEbm(['tag', '--format', 'conllu', input]);
  t.is(r.code, 0, r.stderr);
  const blocks = r.stdout.trim().split('\n\n');
  const joinedTexts: string[] = [];
  for (const b of blocks) {
    const rows = b.split('\n');
    const text = rows.find((l) => l.startsWith('# text = '))!.slice(9);
    joinedTexts.push(text);
    let rebuilt = '';
    for (const row of rows.filter((l) => /^\d+\t/.test(l))) {
      const cols = row.split('\t');
      t.is(cols.length, 10);
      rebuilt += cols[1]! + (cols[9] === 'SpaceAfter=No' ? '' : ' ');
    }
    t.is(rebuilt.trimEnd(), text.replace(/\s+/gu, ' '));
    if (!/[A-Za-z]['’-][A-Za-z]/.test(text)) {
      const words = wordBoundaries(text);
      let at = 0;
      for (const row of rows.filter((l) => /^\d+\t/.test(l))) {
        const cols = row.split('\t');
        at = text.indexOf(cols[1]!, at);
        t.true(words.has(at) && words.has(at + cols[1]!.length), `${cols[1]} is not a whole word of ${text}`);
        at += cols[1]!.length;
      }
    }
  }
  // every sample line is covered by its sentences' # text, in order
  const all = joinedTexts.join(' ').replace(/\s+/gu, '');
  t.is(all, corpusText.replace(/\s+/gu, ''));
});

test('slash and conll: token texts byte-exact (emoji and astral letters intact, no U+FFFD)', async (t) => {
  const input = join(dir, 'uni3.txt');
  await writeFile(input, corpusText);
  for (const format of ['slash', 'conll']) {
    const r = await runEbm(['tag', '--format', format, input]);
    t.is(r.code, 0, r.stderr);
    t.false(r.stdout.includes('\uFFFD'));
    const toks =
      format === 'slash'
        ? r.stdout.split(/\s+/).filter((x) => x).map((x) => x.slice(0, x.lastIndexOf('/')))
        : r.stdout.split('\n').filter((x) => x).map((x) => x.split('\t')[0]!);
    t.is(toks.join(''), corpusText.replace(/\s+/gu, ''), format);
    for (const w of UNICODE_SAMPLES.flatMap((s) => s.words)) t.true(toks.includes(w), `${format}: ${w} is one token`);
  }
});

test('gzip input is read by its magic bytes; --tokenized keeps the given tokens', async (t) => {
  const gz = join(dir, 'notes.txt.gz');
  await writeFile(gz, gzipSync('She sleeps.\nHe runs home.\n'));
  const r = await runEbm(['tag', gz]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'She/PRON sleeps/VERB ./PUNCT\nHe/PRON runs/VERB home/ADV ./PUNCT\n');
  const tok = join(dir, 'tok.txt');
  await writeFile(tok, "I do n't know .\n\nlong-term  plans\n");
  const r2 = await runEbm(['tag', '--tokenized', '--format', 'jsonl', tok]);
  t.is(r2.code, 0, r2.stderr);
  const recs = r2.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(recs[0].tokens.map((x: JsonToken) => x.text), ['I', 'do', "n't", 'know', '.']);
  t.deepEqual(recs[1], { line: 2, tokens: [] });
  t.deepEqual(recs[2].tokens.map((x: JsonToken) => [x.text, x.start, x.end]), [['long-term', 0, 9], ['plans', 11, 16]]);
});

test('CoNLL-U input keeps every other column, comment and multiword line; CoNLL input keeps its columns', async (t) => {
  const cu = join(dir, 'in.conllu');
  const src = [
    '# sent_id = a1',
    "# text = I don't sleep.",
    '1\tI\tI\tX\tPRP\tCase=Nom\t3\tnsubj\t_\t_',
    "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_",
    '2\tdo\tdo\tX\tVBP\t_\t3\taux\t_\t_',
    "3\tn't\tnot\tX\tRB\t_\t4\tadvmod\t_\t_",
    '4\tsleep\tsleep\tX\tVB\t_\t0\troot\t_\tSpaceAfter=No',
    '5\t.\t.\tX\t.\t_\t4\tpunct\t_\t_',
    '',
  ].join('\n');
  await writeFile(cu, src + '\n');
  const r = await runEbm(['tag', cu]);
  t.is(r.code, 0, r.stderr);
  const out = r.stdout.split('\n');
  const inp = src.split('\n');
  t.is(out.length, inp.length + 1);
  for (let i = 0; i < inp.length; i++) {
    const a = inp[i]!.split('\t');
    const b = out[i]!.split('\t');
    if (a.length === 10 && /^\d+$/.test(a[0]!)) {
      t.deepEqual([...b.slice(0, 3), ...b.slice(4)], [...a.slice(0, 3), ...a.slice(4)], 'only UPOS changes');
      t.not(b[3], 'X');
    } else t.is(out[i], inp[i]);
  }
  t.deepEqual(out.filter((l) => /^\d+\t/.test(l)).map((l) => l.split('\t')[3]), ['PRON', 'AUX', 'PART', 'VERB', 'PUNCT']);
  const co = join(dir, 'in.conll');
  await writeFile(co, 'She\tx1\nsleeps\tx2\n\n');
  const r2 = await runEbm(['tag', co]);
  t.is(r2.code, 0, r2.stderr);
  t.is(r2.stdout, 'She\tx1\tPRON\nsleeps\tx2\tVERB\n\n');
});

const bad: [string, () => Promise<string[]>, RegExp, number][] = [
  ['missing file', async () => ['tag', join(dir, 'missing.txt')], /missing\.txt: no such file/, 1],
  ['a path-looking argument that does not exist', async () => ['tag', 'notes.txt'], /notes\.txt: no such file/, 1],
  ['a directory', async () => ['tag', dir], /is a directory/, 1],
  [
    'truncated gzip',
    async () => {
      const gz = gzipSync(Buffer.from('Hello world. '.repeat(5000)));
      await writeFile(join(dir, 'cut.txt.gz'), gz.subarray(0, gz.length >> 1));
      return ['tag', join(dir, 'cut.txt.gz')];
    },
    /cut\.txt\.gz: truncated gzip data/,
    1,
  ],
  [
    'binary file',
    async () => {
      await writeFile(join(dir, 'bin.dat'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0]));
      return ['tag', join(dir, 'bin.dat')];
    },
    /bin\.dat: binary input \(a NUL byte at byte 5\)/,
    1,
  ],
  [
    'invalid UTF-8',
    async () => {
      await writeFile(join(dir, 'latin1.txt'), Buffer.concat([Buffer.from('ok line\nsecond caf'), Buffer.from([0xe9]), Buffer.from(' here\n')]));
      return ['tag', join(dir, 'latin1.txt')];
    },
    /latin1\.txt: invalid UTF-8 at line 2 \(byte 19: 0xe9\)/,
    1,
  ],
  ['--marginals without jsonl', async () => ['tag', '--marginals', 'Hello there.'], /--marginals has no effect with --format slash/, 2],
  ['--tokenized against --input', async () => ['tag', '--tokenized', '--input', 'conllu', 'x y'], /--tokenized contradicts --input conllu/, 2],
];

for (const [name, setup, message, code] of bad) {
  test(`bad input: ${name} → one-line error, exit ${code}`, async (t) => {
    const r = await runEbm(await setup());
    t.is(r.code, code, r.stderr);
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.false(r.stderr.includes('    at '));
  });
}

test('a word with a slash is text unless it is meant as a path: and/or is tagged, sub/missing in an existing folder is an error', async (t) => {
  const r = await runEbm(['tag', 'and/or'], { cwd: dir });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^and\/[A-Z]+ .*or\/[A-Z]+\n$/); // tagged as text (EWT-style tokens)
  await mkdir(join(dir, 'sub'), { recursive: true });
  const m = await runEbm(['tag', 'sub/missing'], { cwd: dir });
  t.is(m.code, 1);
  t.regex(m.stderr, /^ebm: error: sub\/missing: no such file/);
  const d = await runEbm(['tag', './missing'], { cwd: dir });
  t.is(d.code, 1);
  t.regex(d.stderr, /^ebm: error: \.\/missing: no such file/);
});

test('empty input and whitespace-only lines: correct empty output', async (t) => {
  await writeFile(join(dir, 'empty.txt'), '');
  const r = await runEbm(['tag', '--format', 'jsonl', join(dir, 'empty.txt')]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '');
  await writeFile(join(dir, 'ws.txt'), '  \n\t\n');
  const r2 = await runEbm(['tag', '--format', 'jsonl', join(dir, 'ws.txt')]);
  t.is(r2.code, 0, r2.stderr);
  t.is(r2.stdout, '{"line":1,"tokens":[]}\n{"line":2,"tokens":[]}\n');
});

test('--output is written only when everything was tagged: a failing input leaves no partial file', async (t) => {
  const good = join(dir, 'good.txt');
  await writeFile(good, 'She sleeps.\n');
  const target = join(dir, 'out', 'tagged.txt');
  await mkdir(join(dir, 'out'), { recursive: true });
  const ok = await runEbm(['tag', good, '-o', target]);
  t.is(ok.code, 0, ok.stderr);
  t.is(await readFile(target, 'utf8'), 'She/PRON sleeps/VERB ./PUNCT\n');
  await writeFile(join(dir, 'bad.bin'), Buffer.from([65, 0, 66]));
  const target2 = join(dir, 'out', 'never.txt');
  const fail = await runEbm(['tag', good, join(dir, 'bad.bin'), '-o', target2]);
  t.is(fail.code, 1);
  t.false(existsSync(target2));
  const { readdir } = await import('node:fs/promises');
  t.deepEqual((await readdir(join(dir, 'out'))).sort(), ['tagged.txt'], 'no temporary file left');
});

test('a .env file in the working directory is not read: process.env is untouched by the tokenizer, the tagger and ebm tag', async (t) => {
  const cwd = join(dir, 'envdir');
  await mkdir(cwd, { recursive: true });
  await writeFile(join(cwd, '.env'), 'EBM_DOTENV_PROBE=leaked\nDOTENV_CONFIG_QUIET=leaked\n');
  const crf = new URL('../../packages/crf/dist/index.js', import.meta.url).href;
  const script =
    `const before = JSON.stringify(process.env);` +
    `const m = await import(${JSON.stringify(crf)});` +
    `m.createTokenizer().tokenize("It's fine.");` +
    `const tagger = await m.loadEnglishTagger(); tagger.tag('She sleeps.');` +
    `console.log(before === JSON.stringify(process.env) && process.env.EBM_DOTENV_PROBE === undefined ? 'untouched' : 'CHANGED');`;
  const r = await runNode(['--input-type=module', '-e', script], { cwd });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.trim(), 'untouched');
  const probe = join(cwd, 'probe.cjs');
  await writeFile(probe, `const before = JSON.stringify(process.env);\nprocess.on('exit', () => process.stderr.write(before === JSON.stringify(process.env) ? 'ENV untouched\\n' : 'ENV CHANGED\\n'));\n`);
  const cli = await runEbm(['tag', 'She sleeps.'], { cwd, nodeArgs: ['--require', probe] });
  t.is(cli.code, 0, cli.stderr);
  t.regex(cli.stderr, /ENV untouched/);
});
