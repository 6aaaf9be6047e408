import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, readConllu, type ConlluSentence } from '@ebmkit/core';

const fixture = fileURLToPath(new URL('../fixtures/data/sample.conllu', import.meta.url));
const corpora = process.env.EBM_CORPORA_DIR;
const corpusTest = corpora ? test : test.skip;

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-conllu-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function all(path: string): Promise<ConlluSentence[]> {
  const out: ConlluSentence[] = [];
  for await (const s of readConllu(path)) out.push(s);
  return out;
}

test('reads words, comments, multiword tokens and empty nodes', async (t) => {
  const [s1, s2, ...rest] = await all(fixture);
  t.is(rest.length, 0);
  t.is(s1!.line, 1);
  t.deepEqual(s1!.meta, { 'newdoc id': 'sample-doc', sent_id: 's1', text: "I don't know." });
  t.is(s1!.comments.length, 3);
  t.deepEqual(
    s1!.words.map((w) => [w.id, w.form, w.upos, w.head, w.deprel]),
    [
      [1, 'I', 'PRON', 4, 'nsubj'],
      [2, 'do', 'AUX', 4, 'aux'],
      [3, "n't", 'PART', 4, 'advmod'],
      [4, 'know', 'VERB', 0, 'root'],
      [5, '.', 'PUNCT', 4, 'punct'],
    ],
  );
  t.deepEqual(s1!.multiwords, [{ first: 2, last: 3, form: "don't", misc: '_', line: 5 }]);
  const know = s1!.words[3]!;
  t.deepEqual(know, {
    id: 4, form: 'know', lemma: 'know', upos: 'VERB', xpos: 'VB', feats: 'VerbForm=Inf', head: 0, deprel: 'root', deps: '0:root', misc: 'SpaceAfter=No', line: 8,
  });
  t.is(s2!.line, 11);
  t.is(s2!.meta.sent_id, 's2');
  t.deepEqual(s2!.words.map((w) => w.form), ['Sue', 'likes', 'coffee', 'and', 'Bill', 'tea']);
  t.is(s2!.emptyNodes.length, 1);
  t.is(s2!.emptyNodes[0]!.id, '5.1');
  t.is(s2!.emptyNodes[0]!.after, 5);
  t.is(s2!.emptyNodes[0]!.fields[9], 'CopyOf=2');
  t.is(s2!.emptyNodes[0]!.line, 18);
});

const WORD = (id: string, head = '0') => `${id}\tw\tw\tX\tX\t_\t${head}\tdep\t_\t_`;

test('malformed lines are reported with file:line and what was expected', async (t) => {
  const cases: [string, string[], number, RegExp][] = [
    ['nine columns', [WORD('1'), '2\tw\tw\tX\tX\t_\t1\tdep\t_'], 2, /expected 10 tab-separated columns, found 9$/],
    ['spaces, not tabs', [WORD('1'), '2 w w X X _ 1 dep _ _'], 2, /expected 10 tab-separated columns, found 1$/],
    ['non-integer id', [WORD('1'), WORD('two', '1')], 2, /column ID: expected an integer word id, a range like 3-4 or an empty node like 8\.1, found "two"$/],
    ['skipped id', [WORD('1'), WORD('3', '1')], 2, /column ID: expected word id 2, found 3$/],
    ['bad head', [WORD('1'), WORD('2', 'x')], 2, /column HEAD: expected an integer word id or "_", found "x"$/],
    ['head past the end', ['# text = a b', WORD('1'), WORD('2', '7')], 3, /column HEAD: expected a word id in 0\.\.2, found 7$/],
    ['bad range', [WORD('1'), '3-2\tab\t_\t_\t_\t_\t_\t_\t_\t_', WORD('2', '1')], 2, /expected a range first-last with first < last, found 3-2$/],
    ['comment inside', [WORD('1'), '# late comment', WORD('2', '1')], 2, /found a comment inside a sentence$/],
  ];
  for (const [what, lines, line, message] of cases) {
    const path = join(dir, `${what.replace(/\W+/g, '-')}.conllu`);
    await writeFile(path, `${lines.join('\n')}\n\n`);
    const e = await t.throwsAsync(all(path), { instanceOf: DataError }, what);
    t.regex(e!.message, message, what);
    t.true(e!.message.startsWith(`${path}:${line}: `), `${what}: ${e!.message}`);
    t.is(e!.line, line, what);
  }
  const empty = join(dir, 'empty.conllu');
  await writeFile(empty, '\n\n');
  await t.throwsAsync(all(empty), { message: `${empty}: no sentences (the file is empty or holds only blank lines)` });
});

test('the fixture survives a round trip through gzip', async (t) => {
  const { gzipSync } = await import('node:zlib');
  const path = join(dir, 'sample.conllu.gz');
  await writeFile(path, gzipSync(await readFile(fixture)));
  t.deepEqual(await all(path), await all(fixture));
});

corpusTest('UD English-EWT dev and train: sentence, word, multiword and empty-node counts', async (t) => {
  const count = async (file: string) => {
    let sentences = 0;
    let words = 0;
    let multiwords = 0;
    let empty = 0;
    const t0 = performance.now();
    for await (const s of readConllu(join(corpora!, 'ud_english_ewt', file))) {
      sentences++;
      words += s.words.length;
      multiwords += s.multiwords.length;
      empty += s.emptyNodes.length;
    }
    t.log(`${file}: ${sentences} sentences, ${words} words, ${multiwords} multiword tokens, ${empty} empty nodes in ${(performance.now() - t0).toFixed(0)} ms`);
    return { sentences, words, multiwords, empty };
  };
  const dev = await count('en_ewt-ud-dev.conllu.gz');
  t.is(dev.sentences, 2001);
  t.is(dev.words, 25147);
  t.deepEqual(await count('en_ewt-ud-train.conllu.gz'), { sentences: 12544, words: 204577, multiwords: 2614, empty: 37 });
});
