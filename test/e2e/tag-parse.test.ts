// `ebm tag --parse`: the bundled tagger and the bundled parser together on raw text, CoNLL-U and JSON lines out;
// every sentence gets a well-formed tree (one root word, heads in range, no cycle), CoNLL-U input keeps its other
// columns, and flags without effect are usage errors.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { assertBuilt, runEbm } from './helpers.js';

let dir = '';
test.before(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'ebm-tag-parse-'));
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The CoNLL-U word lines of each sentence, as column arrays. */
function conlluSentences(text: string): string[][][] {
  return text
    .trim()
    .split(/\n\n+/)
    .map((block) => block.split('\n').filter((l) => /^\d+\t/.test(l)).map((l) => l.split('\t')));
}

/** Null when `heads` (1-based, 0 = root, index 0 unused) is a tree with exactly one root word, else why not. */
function treeProblem(heads: number[]): string | null {
  const n = heads.length - 1;
  const roots = heads.slice(1).filter((h) => h === 0).length;
  if (roots !== 1) return `${roots} root words`;
  for (let d = 1; d <= n; d++) {
    if (!(heads[d]! >= 0 && heads[d]! <= n) || heads[d] === d) return `bad head ${heads[d]} of word ${d}`;
    let u = d;
    for (let steps = 0; u !== 0; steps++) {
      if (steps > n) return `cycle through word ${d}`;
      u = heads[u]!;
    }
  }
  return null;
}

test('raw text → CoNLL-U (the default with --parse): one well-formed tree per sentence with relations', async (t) => {
  const text = 'The dog barked at the mailman. She sent her résumé to the café in Zürich yesterday!\n\nI like 🍕.';
  const r = await runEbm(['tag', '--parse', text.replace(/\n/g, ' ')]);
  t.is(r.code, 0, r.stderr);
  const sentences = conlluSentences(r.stdout);
  t.is(sentences.length, 3);
  for (const words of sentences) {
    const heads = [-1, ...words.map((c) => Number(c[6]))];
    t.is(treeProblem(heads), null, words.map((c) => c.join(' ')).join(' | '));
    for (const c of words) t.regex(c[7]!, /^[a-z]+(:[a-z]+)?$/, `relation of ${c[1]}`);
  }
  const first = sentences[0]!;
  t.deepEqual(first.map((c) => c[1]), ['The', 'dog', 'barked', 'at', 'the', 'mailman', '.']);
  t.is(first.find((c) => c[1] === 'barked')![6], '0', 'the verb is the root');
  t.is(first.find((c) => c[1] === 'dog')![7], 'nsubj');
  t.regex(r.stdout, /^# text = The dog barked at the mailman\.$/m);
});

test('JSON lines carry head and relation per token; CoNLL-U input keeps its other columns', async (t) => {
  const j = await runEbm(['tag', '--parse', '--format', 'jsonl', 'The dog barked.']);
  t.is(j.code, 0, j.stderr);
  const rec = JSON.parse(j.stdout.trim()) as { line: number; tokens: { text: string; head: number; deprel: string }[] };
  t.is(rec.line, 1);
  t.is(treeProblem([-1, ...rec.tokens.map((x) => x.head)]), null);
  t.true(rec.tokens.every((x) => typeof x.deprel === 'string' && x.deprel.length > 0));

  const file = join(dir, 'in.conllu');
  await writeFile(
    file,
    '# sent_id = a\n# text = Dogs bark loudly.\n1\tDogs\tdog\tX\t_\tNumber=Plur\t0\t_\t_\t_\n2\tbark\tbark\tX\t_\t_\t0\t_\t_\t_\n' +
      '3\tloudly\tloudly\tX\t_\t_\t0\t_\t_\tSpaceAfter=No\n4\t.\t.\tX\t_\t_\t0\t_\t_\t_\n\n',
  );
  const c = await runEbm(['tag', '--parse', file]);
  t.is(c.code, 0, c.stderr);
  t.regex(c.stdout, /^# sent_id = a$/m, 'comments kept');
  const [words] = conlluSentences(c.stdout);
  t.deepEqual(words!.map((w) => [w[2], w[5], w[9]]), [['dog', 'Number=Plur', '_'], ['bark', '_', '_'], ['loudly', '_', 'SpaceAfter=No'], ['.', '_', '_']]);
  t.true(words!.every((w) => w[3] !== 'X'), 'UPOS replaced by the tagger');
  t.is(treeProblem([-1, ...words!.map((w) => Number(w[6]))]), null, 'HEAD replaced by the parser');
});

test('--parse with --format slash, and --parser without --parse, are usage errors (exit 2)', async (t) => {
  const a = await runEbm(['tag', '--parse', '--format', 'slash', 'The dog.']);
  t.is(a.code, 2);
  t.regex(a.stderr, /--parse has no effect with --format slash/);
  const b = await runEbm(['tag', '--parser', 'x.safetensors', 'The dog.']);
  t.is(b.code, 2);
  t.regex(b.stderr, /--parser has no effect without --parse/);
  const c = await runEbm(['tag', '--parse', '--parser', join(dir, 'missing.safetensors'), 'The dog.']);
  t.is(c.code, 1);
  t.regex(c.stderr, /missing\.safetensors: no such parser model/);
});
