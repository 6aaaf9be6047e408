import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createRng } from '@ebmkit/core';
import {
  conlleval,
  conllevalText,
  formatConlleval,
  formatFixed,
  ConllevalAccumulator,
  type ConllevalFileOptions,
} from '../../packages/crf/src/eval/conlleval.js';

// Expected outputs were produced by the real scripts; see "_source" in the fixture file.
interface Case {
  name: string;
  args: string[];
  input: string;
  perl: string;
  iobes?: string;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/conlleval-cases.json', import.meta.url), 'utf8')) as { cases: Case[] };

function optionsFromArgs(args: string[]): ConllevalFileOptions {
  const o: ConllevalFileOptions = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-r') o.raw = true;
    else if (args[i] === '-d') o.delimiter = args[++i]!;
    else if (args[i] === '-o') o.oTag = args[++i]!;
  }
  return o;
}

for (const c of fixture.cases) {
  test(`conlleval perl output, byte for byte: ${c.name}`, (t) => {
    const r = conllevalText(c.input, { ...optionsFromArgs(c.args), rules: 'conlleval', file: c.name });
    t.is(formatConlleval(r), c.perl);
  });
  if (c.iobes !== undefined) {
    const iobes = c.iobes;
    test(`conlleval.py (IOBES) output: ${c.name}`, (t) => {
      const r = conllevalText(c.input, { ...optionsFromArgs(c.args), rules: 'iobes', file: c.name });
      t.is(formatConlleval(r), iobes);
    });
  }
}

test("'auto' rules pick the perl rules without S/E tags and the IOBES rules with them", (t) => {
  const byName = new Map(fixture.cases.map((c) => [c.name, c]));
  const iob2 = byName.get('iob2')!;
  const r1 = conllevalText(iob2.input);
  t.is(r1.rules, 'conlleval');
  t.is(formatConlleval(r1), iob2.perl);
  const bioes = byName.get('bioes')!;
  const r2 = conllevalText(bioes.input);
  t.is(r2.rules, 'iobes');
  t.is(formatConlleval(r2), bioes.iobes!);
  t.not(bioes.iobes, bioes.perl); // the 2004 script merges BIOES chunks: the two really differ here
});

test('array API equals the text API on files with an empty line after each sentence', (t) => {
  const gold = [
    ['B-NP', 'I-NP', 'O', 'B-VP'],
    ['B-PP', 'B-NP', 'I-NP'],
    ['O'],
  ];
  const guess = [
    ['B-NP', 'B-NP', 'O', 'B-VP'],
    ['B-PP', 'B-NP', 'I-NP'],
    ['B-NP'],
  ];
  const text = gold.map((s, i) => s.map((g, j) => `w ${g} ${guess[i]![j]}\n`).join('') + '\n').join('');
  const a = conlleval(gold, guess);
  const b = conllevalText(text);
  t.deepEqual(a, b);
  t.is(a.overall.gold, 4);
  t.is(a.overall.guessed, 6);
  t.is(a.overall.correct, 3);
  t.is(a.tokens, 8);
  t.is(a.correctTags, 6);
  t.is(a.byType.find((s) => s.type === 'NP')!.correct, 1);
});

test('a chunk is correct only with the same start, end and type; sentence ends close chunks', (t) => {
  // gold NP spans tokens 0-1; guess ends it one token later → wrong
  const r = conlleval([['B-NP', 'I-NP', 'O']], [['B-NP', 'I-NP', 'I-NP']]);
  t.is(r.overall.correct, 0);
  // type change inside a chunk ends it (I-NP → I-VP)
  const r2 = conlleval([['B-NP', 'I-VP']], [['B-NP', 'B-VP']]);
  t.is(r2.overall.gold, 2);
  t.is(r2.overall.correct, 2);
  // a chunk at the end of one sentence does not continue into the next
  const r3 = conlleval([['B-NP'], ['I-NP']], [['B-NP'], ['I-NP']]);
  t.is(r3.overall.gold, 2);
  t.is(r3.overall.correct, 2);
});

test('streaming accumulator gives the same result as the batch function', (t) => {
  const gold = [['B-NP', 'I-NP', 'O'], ['S-PER', 'B-LOC', 'E-LOC']];
  const guess = [['B-NP', 'O', 'O'], ['S-PER', 'B-LOC', 'I-LOC']];
  const acc = new ConllevalAccumulator('iobes');
  for (let s = 0; s < gold.length; s++) {
    for (let i = 0; i < gold[s]!.length; i++) acc.token(gold[s]![i]!, guess[s]![i]!);
    acc.boundary();
  }
  t.deepEqual(acc.result(), conlleval(gold, guess));
});

test('bad input: shape mismatches and malformed lines name what is wrong', (t) => {
  t.throws(() => conlleval([['O']], []), { message: 'gold has 1 sentences, guessed has 0' });
  t.throws(() => conlleval([['O', 'O']], [['O']]), { message: 'sentence 0: gold has 2 tags, guessed has 1' });
  t.throws(() => conllevalText('a B-NP B-NP\nb B-NP\n', { file: 'pred.txt' }), { message: 'pred.txt:2: expected 3 fields, got 2' });
  t.throws(() => conllevalText('a\n', { file: 'pred.txt' }), { message: /^pred\.txt:1: expected at least 2 fields/ });
  t.throws(() => conlleval([['O']], [['O']], { rules: 'bio' as never }), { message: /rules "bio"/ });
});

test('formatFixed rounds exact ties to even like printf, otherwise to nearest', (t) => {
  t.is(formatFixed(0.125, 2), '0.12'); // Number#toFixed gives 0.13
  t.is(formatFixed(0.375, 2), '0.38');
  t.is(formatFixed(2.5, 0), '2');
  t.is(formatFixed(3.5, 0), '4');
  t.is(formatFixed(99.995, 2), (99.995).toFixed(2)); // not an exact tie in binary
  t.is(formatFixed(99.999, 2), '100.00');
  t.is(formatFixed(0, 2), '0.00');
  t.is(formatFixed(100, 2), '100.00');
  t.is(formatFixed(1 / 3, 2), '0.33');
  t.is(formatFixed(2 / 3, 2), '0.67');
});

// ---------------------------------------------------------------------------------------------------------------
// A real prediction-like file: the CoNLL-2000 test set (gold) against a deterministically corrupted copy. The
// corpus is not in the repository; the test runs when EBM_CORPORA_DIR holds conll2000/test.txt.gz.
// Set CONLLEVAL_DUMP=FILE to write the generated file for the perl script.

function readConll2000Test(dir: string): string[][][] {
  const text = gunzipSync(readFileSync(join(dir, 'conll2000', 'test.txt.gz'))).toString('utf8');
  const sentences: string[][][] = [];
  let cur: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (cur.length > 0) sentences.push(cur);
      cur = [];
    } else cur.push(line.split(' '));
  }
  if (cur.length > 0) sentences.push(cur);
  return sentences;
}

/** Gold chunk tags with three kinds of damage: wrong type, B↔I swap, and O. */
function corrupt(sentences: string[][][]): string[][] {
  const rng = createRng(2000);
  const tags = [...new Set(sentences.flatMap((s) => s.map((tok) => tok[2]!)))].sort();
  return sentences.map((s) =>
    s.map((tok) => {
      const g = tok[2]!;
      const u = rng.uniform();
      if (u < 0.03) return tags[rng.int(tags.length)]!;
      if (u < 0.05 && g !== 'O') return (g.startsWith('B-') ? 'I-' : 'B-') + g.slice(2);
      if (u < 0.06) return 'O';
      return g;
    }),
  );
}

const corpora = process.env.EBM_CORPORA_DIR;
const haveCorpus = corpora !== undefined && existsSync(join(corpora, 'conll2000', 'test.txt.gz'));
(haveCorpus ? test : test.skip)('CoNLL-2000 test set vs a corrupted copy: the perl script’s numbers', (t) => {
  const sentences = readConll2000Test(corpora!);
  const guess = corrupt(sentences);
  const gold = sentences.map((s) => s.map((tok) => tok[2]!));
  if (process.env.CONLLEVAL_DUMP) {
    const text = sentences.map((s, i) => s.map((tok, j) => `${tok.join(' ')} ${guess[i]![j]}\n`).join('') + '\n').join('');
    writeFileSync(process.env.CONLLEVAL_DUMP, text);
  }
  const r = conlleval(gold, guess);
  t.is(r.rules, 'conlleval');
  t.is(formatConlleval(r), EXPECTED_CONLL2000);
});

// `perl conlleval.pl < dump` (see the fixture's _source for the script's origin)
const EXPECTED_CONLL2000 = `processed 47377 tokens with 23852 phrases; found: 25069 phrases; correct: 21957.
accuracy:  94.59%; precision:  87.59%; recall:  92.06%; FB1:  89.77
             ADJP: precision:  72.34%; recall:  96.12%; FB1:  82.55  582
             ADVP: precision:  85.26%; recall:  96.19%; FB1:  90.40  977
            CONJP: precision:   6.06%; recall:  88.89%; FB1:  11.35  132
             INTJ: precision:   2.67%; recall: 100.00%; FB1:   5.19  75
              LST: precision:   3.38%; recall: 100.00%; FB1:   6.54  148
               NP: precision:  86.73%; recall:  89.57%; FB1:  88.13  12830
               PP: precision:  96.99%; recall:  95.88%; FB1:  96.44  4756
              PRT: precision:  55.50%; recall: 100.00%; FB1:  71.38  191
             SBAR: precision:  77.29%; recall:  96.07%; FB1:  85.67  665
               VP: precision:  91.83%; recall:  92.92%; FB1:  92.37  4713
`;
