import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@ebmkit/core';
import { assertBuilt, runEbm } from './helpers.ts';

test.before(() => assertBuilt());

const dir = mkdtempSync(join(tmpdir(), 'ebm-ssvm-e2e-'));

/** Writes a seeded TSV of chains: labels from a Markov chain, 4 features = noisy label prototypes. */
function writeData(name: string, seed: number, n: number): string {
  const rng = createRng(seed);
  const protos = [[2, 0, 0, 1], [0, 2, 0, 1], [0, 0, 2, 1]];
  const names = ['A', 'B', 'C'];
  const rows = ['seq\tpos\tlabel\tf1\tf2\tf3\tf4'];
  for (let s = 0; s < n; s++) {
    let y = rng.int(3);
    const T = 2 + rng.int(4);
    for (let t = 1; t <= T; t++) {
      if (t > 1) y = rng.uniform() < 0.7 ? (y + 1) % 3 : rng.int(3);
      const f = protos[y]!.map((v) => (v + 0.6 * rng.normal()).toFixed(3));
      rows.push([`s${s}`, t, names[y], ...f].join('\t'));
    }
  }
  const p = join(dir, name);
  writeFileSync(p, rows.join('\n') + '\n');
  return p;
}

const trainFile = writeData('train.tsv', 1, 60);
const testFile = writeData('test.tsv', 2, 30);
const model = join(dir, 'chain.model');

test.serial('ebm ssvm train / eval / predict', async (t) => {
  const tr = await runEbm(['ssvm', 'train', '--data', trainFile, '--out', model, '-C', '1', '--passes', '50']);
  t.is(tr.code, 0, tr.stderr);
  t.regex(tr.stdout, /^bcfw: \d+ passes, (converged|max-passes), primal [\d.]+, gap [\d.]+%, training loss [\d.]+, [\d.]+s; saved /);
  t.regex(tr.stderr, /pass 1 {2}primal [\d.]+ {2}dual [-\d.]+ {2}gap /);
  const ev = await runEbm(['ssvm', 'eval', '--model', model, '--data', testFile, '--json']);
  t.is(ev.code, 0, ev.stderr);
  const r = JSON.parse(ev.stdout);
  t.is(r.sequences, 30);
  t.true(r.itemAccuracy > 0.8, `accuracy ${r.itemAccuracy}`);
  const out = join(dir, 'pred.tsv');
  const pr = await runEbm(['ssvm', 'predict', '--model', model, '--data', testFile, '--out', out]);
  t.is(pr.code, 0, pr.stderr);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  t.is(lines.length, readFileSync(testFile, 'utf8').trim().split('\n').length - 1);
  t.regex(lines[0]!, /^s0\t1\t[ABC]$/);
  for (const learner of ['nslack', 'oneslack', 'subgradient', 'perceptron']) {
    const m = join(dir, `${learner}.model`);
    const r2 = await runEbm(['ssvm', 'train', '--data', trainFile, '--out', m, '--algorithm', learner, '--passes', '5', '--quiet']);
    t.is(r2.code, 0, `${learner}: ${r2.stderr}`);
    t.is(r2.stderr, '');
    t.regex(r2.stdout, new RegExp(`^${learner}: `));
  }
});

test.serial('ebm ssvm reports bad input with file and row', async (t) => {
  const ragged = join(dir, 'ragged.tsv');
  writeFileSync(ragged, 's\t1\tA\t1\t2\ns\t2\tB\t1\n');
  let r = await runEbm(['ssvm', 'train', '--data', ragged, '--out', join(dir, 'x.model')]);
  t.is(r.code, 1);
  t.regex(r.stderr, /ebm: error: DataError: .*ragged\.tsv:2: expected 2 feature values/);
  const nan = join(dir, 'nan.tsv');
  writeFileSync(nan, 's\t1\tA\t1\tNaN\n');
  r = await runEbm(['ssvm', 'train', '--data', nan, '--out', join(dir, 'x.model')]);
  t.is(r.code, 1);
  t.regex(r.stderr, /nan\.tsv:1: feature 2: expected a finite number, found "NaN"/);
  r = await runEbm(['ssvm', 'train', '--data', trainFile, '--out', join(dir, 'x.model'), '-C', '0']);
  t.is(r.code, 2);
  t.regex(r.stderr, /-C\/--c must be > 0, got 0/);
  const unseen = join(dir, 'unseen.tsv');
  writeFileSync(unseen, 'q\t1\tA\t1\t0\t0\t1\nq\t2\tZ\t0\t1\t0\t1\n');
  r = await runEbm(['ssvm', 'eval', '--model', model, '--data', unseen]);
  t.is(r.code, 1);
  t.regex(r.stderr, /unseen\.tsv:2: label "Z" was not seen in training \(known: /);
  r = await runEbm(['ssvm', 'predict', '--model', model, '--data', unseen]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.trim().split('\n').length, 2);
  const wide = join(dir, 'wide.tsv');
  writeFileSync(wide, 'q\t1\tA\t1\t0\t0\n');
  r = await runEbm(['ssvm', 'predict', '--model', model, '--data', wide]);
  t.is(r.code, 1);
  t.regex(r.stderr, /wide\.tsv:1: rows have 3 features, the model expects 4/);
  r = await runEbm(['ssvm', 'train', '--out', join(dir, 'x.model')]);
  t.is(r.code, 2);
  t.regex(r.stderr, /missing required flag --data/);
});

test('ebm ssvm --help documents the verbs and the data format', async (t) => {
  const r = await runEbm(['ssvm', 'train', '--help']);
  t.is(r.code, 0);
  t.regex(r.stdout, /^Usage: ebm ssvm train/);
  t.regex(r.stdout, /sequence_id position label feature_1/);
  t.regex(r.stdout, /--algorithm bcfw\|oneslack\|nslack\|subgradient\|perceptron/);
});
