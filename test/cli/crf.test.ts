// `ebm crf train|tag|eval|dump` and `ebm tag`, in process, on small CoNLL files written by the test.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { saveModel } from '@ebmkit/core';
import { runCli } from './helpers.js';
import { syntheticSequences } from '../crf/synthetic.js';

let dir = '';
const conll = (seed: number, n: number) => {
  const { sequences, words } = syntheticSequences(n, seed);
  // columns: word, a POS-like tag (first letter class), chunk label
  return words
    .map((ws, s) => ws.map((w, t) => `${w} ${w.length > 3 ? 'L' : 'S'} ${sequences[s]!.labels[t]}`).join('\n') + '\n')
    .join('\n');
};

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-crf-cli-'));
  await writeFile(join(dir, 'train.txt'), conll(1, 200));
  await writeFile(join(dir, 'test.txt'), conll(2, 60));
  await writeFile(join(dir, 'tpl.txt'), '# unigrams\nU00:%x[0,0]\nU01:%x[-1,0]\nU02:%x[0,0]/%x[0,1]\n\nB\n');
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

test.serial('crf train (template) → tag → eval → dump', async (t) => {
  const model = join(dir, 'm.safetensors');
  const tr = await runCli(['crf', 'train', '--train', join(dir, 'train.txt'), '--dev', join(dir, 'test.txt'), '--template', join(dir, 'tpl.txt'), '--c2', '0.1', '--threads', '1', '--out', model]);
  t.is(tr.code, 0, tr.stderr);
  t.regex(tr.stderr, /iter +1 +objective/);
  t.regex(tr.stderr, /dev acc [\d.]+ F1 [\d.]+/);
  const tagged = await runCli(['crf', 'tag', '--model', model, join(dir, 'test.txt')]);
  t.is(tagged.code, 0, tagged.stderr);
  const lines = tagged.stdout.split('\n').filter((l) => l);
  // Input columns (word, tag, gold) are echoed, the prediction appended.
  t.true(lines.every((l) => l.split('\t').length === 2 && l.split('\t')[0]!.split(' ').length === 3) || lines.every((l) => l.split('\t').length === 4));
  const ev = await runCli(['crf', 'eval', '--model', model, join(dir, 'test.txt')]);
  t.is(ev.code, 0, ev.stderr);
  const acc = Number(/token accuracy: ([\d.]+)%/.exec(ev.stdout)![1]);
  t.true(acc > 85, ev.stdout);
  t.regex(ev.stdout, /processed \d+ tokens with \d+ phrases; found: \d+ phrases; correct: \d+\./);
  const dump = await runCli(['crf', 'dump', '--model', model, '--top', '5']);
  t.is(dump.code, 0);
  t.regex(dump.stdout, /labels \(3\): /);
  t.regex(dump.stdout, /CRF\+\+ template/);
  t.is(dump.stdout.split('\n').filter((l) => /^ +-?\d+\.\d{4} /.test(l)).length, 5);
});

test.serial('crf train with the perceptron and a built-in set; raw-text tagging with --input text', async (t) => {
  const model = join(dir, 'p.safetensors');
  const tr = await runCli(['crf', 'train', '--train', join(dir, 'train.txt'), '--features', 'pos', '--algorithm', 'perceptron', '--epochs', '3', '--out', model]);
  t.is(tr.code, 0, tr.stderr);
  await writeFile(join(dir, 'raw.txt'), 'the cat runs and the dog sleeps.\n\na bird eats\n');
  const out = await runCli(['crf', 'tag', '--model', model, '--input', 'text', '--format', 'jsonl', join(dir, 'raw.txt')]);
  t.is(out.code, 0, out.stderr);
  const rows = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(rows.map((r) => r.line), [1, 2, 3], 'one record per sentence, the blank line kept as an empty record');
  t.deepEqual(rows[0].tokens.slice(0, 3).map((x: { text: string }) => x.text), ['the', 'cat', 'runs']);
  t.deepEqual(rows[1].tokens, []);
  t.true(rows[0].tokens.every((x: { tag: string }) => typeof x.tag === 'string'));
});

test.serial('checkpoint and resume continue training from the saved weights', async (t) => {
  const ck = join(dir, 'ck');
  const a = await runCli(['crf', 'train', '--train', join(dir, 'train.txt'), '--features', 'pos', '--max-iterations', '10', '--checkpoint', ck, '--threads', '1', '--out', join(dir, 'a.safetensors')]);
  t.is(a.code, 0, a.stderr);
  const b = await runCli(['crf', 'train', '--train', join(dir, 'train.txt'), '--features', 'pos', '--max-iterations', '15', '--checkpoint', ck, '--resume', '--threads', '1', '--out', join(dir, 'b.safetensors')]);
  t.is(b.code, 0, b.stderr);
  // Iterations continue from 10; --max-iterations is the total.
  t.regex(b.stderr, /iter +11 /);
  t.regex(b.stderr, /after 15 iterations/);
  // A total already reached leaves nothing to do (it used to run 15 more).
  const c = await runCli(['crf', 'train', '--train', join(dir, 'train.txt'), '--features', 'pos', '--max-iterations', '10', '--checkpoint', ck, '--resume', '--threads', '1', '--out', join(dir, 'c.safetensors')]);
  t.is(c.code, 0, c.stderr);
  t.notRegex(c.stderr, /iter +1[1-9] /);
  t.regex(c.stderr, /after (10|15) iterations/);
});

test('bad input: wrong column count names file and line; empty file; missing template column; wrong model kind', async (t) => {
  await writeFile(join(dir, 'bad.txt'), 'a X B-X\nb Y\n');
  const r1 = await runCli(['crf', 'train', '--train', join(dir, 'bad.txt'), '--features', 'pos', '--out', join(dir, 'x.safetensors')]);
  t.is(r1.code, 1);
  t.regex(r1.stderr, /bad\.txt:2: expected 3 columns, got 2/);
  t.is(r1.stderr.split('\n').filter((l) => l.startsWith('ebm: error')).length, 1);
  t.false(r1.stderr.includes('    at '), 'no stack trace without --debug');
  await writeFile(join(dir, 'empty.txt'), '');
  const r2 = await runCli(['crf', 'train', '--train', join(dir, 'empty.txt'), '--features', 'pos', '--out', join(dir, 'x.safetensors')]);
  t.is(r2.code, 1);
  t.regex(r2.stderr, /empty\.txt.*no sentences/);
  await writeFile(join(dir, 'tpl5.txt'), 'U00:%x[0,5]\nB\n');
  const r3 = await runCli(['crf', 'train', '--train', join(dir, 'train.txt'), '--template', join(dir, 'tpl5.txt'), '--out', join(dir, 'x.safetensors')]);
  t.is(r3.code, 1);
  t.regex(r3.stderr, /tpl5\.txt:1: .*column 5/);
  await writeFile(join(dir, 'notcrf.safetensors'), Buffer.alloc(64));
  const r4 = await runCli(['crf', 'tag', '--model', join(dir, 'notcrf.safetensors'), join(dir, 'test.txt')]);
  t.is(r4.code, 1);
  t.regex(r4.stderr, /notcrf\.safetensors/);
  await saveModel(join(dir, 'rbm.safetensors'), { kind: 'rbm', formatVersion: 1, metadata: {}, tensors: { w: { dtype: 'F64', shape: [1], data: new Float64Array(1) } } });
  const r6 = await runCli(['crf', 'dump', '--model', join(dir, 'rbm.safetensors')]);
  t.is(r6.code, 1);
  t.regex(r6.stderr, /rbm\.safetensors.*kind "crf".*"rbm"/);
  const r5 = await runCli(['crf', 'train', '--train', join(dir, 'train.txt'), '--out', join(dir, 'x.safetensors'), '--template', 'a', '--features', 'pos']);
  t.is(r5.code, 2);
});

test('eval with labels never seen in training gives a correct result and names them', async (t) => {
  const model = join(dir, 'e.safetensors');
  const tr = await runCli(['crf', 'train', '--train', join(dir, 'train.txt'), '--features', 'pos', '--threads', '1', '--max-iterations', '30', '--out', model]);
  t.is(tr.code, 0, tr.stderr);
  const text = await readFile(join(dir, 'test.txt'), 'utf8');
  await writeFile(join(dir, 'unseen.txt'), text.replace(/ O\n/, ' Z-NEW\n'));
  const ev = await runCli(['crf', 'eval', '--model', model, join(dir, 'unseen.txt')]);
  t.is(ev.code, 0, ev.stderr);
  t.regex(ev.stdout, /never seen in training.*Z-NEW ×1/);
});

test('crf train with a structured-SVM learner (bcfw, --C)', async (t) => {
  const model = join(dir, 's.safetensors');
  const tr = await runCli(['crf', 'train', '--train', join(dir, 'train.txt'), '--features', 'pos', '--algorithm', 'bcfw', '--C', '1', '--passes', '5', '--out', model]);
  t.is(tr.code, 0, tr.stderr);
  const ev = await runCli(['crf', 'eval', '--model', model, join(dir, 'test.txt')]);
  t.true(Number(/token accuracy: ([\d.]+)%/.exec(ev.stdout)![1]) > 85, ev.stdout);
  const bad = await runCli(['crf', 'train', '--train', join(dir, 'train.txt'), '--algorithm', 'bcfw', '--C', '0', '--out', model]);
  t.is(bad.code, 2);
});
