import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { readParseCorpus } from '@ebmkit/parse';
import { syntheticCorpus, toConllu } from '../parse/synthetic.js';
import { runCli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ebm-parse-cli-'));
writeFileSync(join(dir, 'train.conllu'), toConllu(syntheticCorpus(7, 120)));
writeFileSync(join(dir, 'test.conllu'), toConllu(syntheticCorpus(8, 30)));

test('ebm parse train, eval and parse on CoNLL-U (gold tags)', async (t) => {
  const model = join(dir, 'p.safetensors');
  const tr = await runCli(['parse', 'train', '--train', join(dir, 'train.conllu'), '--dev', join(dir, 'test.conllu'), '--epochs', '3', '--arc-bits', '16', '--label-bits', '10', '-o', model]);
  t.is(tr.code, 0, tr.stderr);
  t.regex(tr.stderr, /epoch 3: .*dev UAS/);
  const ev = await runCli(['parse', 'eval', '--model', model, '--tags', 'gold', join(dir, 'test.conllu')]);
  t.is(ev.code, 0, ev.stderr);
  const uas = Number(/UAS: ([\d.]+)/.exec(ev.stdout)![1]);
  t.true(uas >= 95, ev.stdout);
  t.regex(ev.stdout, /nsubj/);
  const out = join(dir, 'out.conllu');
  const pa = await runCli(['parse', 'parse', '--model', model, '--tags', 'gold', '-o', out, join(dir, 'test.conllu')]);
  t.is(pa.code, 0, pa.stderr);
  const back = await readParseCorpus(out, { requireTrees: true });
  t.is(back.length, 30);
  t.is(readFileSync(out, 'utf8').split('\n\n').length - 1, 30);
});

test('ebm parse: bad input is a one-line error with file and line; usage errors exit 2', async (t) => {
  const bad = join(dir, 'cycle.conllu');
  writeFileSync(bad, '1\ta\ta\tDET\t_\t_\t2\tdet\t_\t_\n2\tb\tb\tNOUN\t_\t_\t1\tnsubj\t_\t_\n\n');
  const r = await runCli(['parse', 'train', '--train', bad, '-o', join(dir, 'x.safetensors')]);
  t.is(r.code, 1);
  t.regex(r.stderr, /cycle\.conllu:1: /);
  t.is(r.stderr.trim().split('\n').length, 1);
  const cols = join(dir, 'cols.conllu');
  writeFileSync(cols, '1\ta\ta\tDET\n\n');
  const r2 = await runCli(['parse', 'eval', '--tags', 'gold', '--model', join(dir, 'p.safetensors'), cols]);
  t.is(r2.code, 1);
  t.regex(r2.stderr, /cols\.conllu:1/);
  const u = await runCli(['parse', 'train', '--train', bad]);
  t.is(u.code, 2);
});
