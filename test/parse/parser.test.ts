import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createRng, readConllu, treeError } from '@ebmkit/core';
import {
  ArcFactoredModel,
  DependencyParser,
  evaluateParses,
  formatConllu,
  formatParseScores,
  MAX_PARSE_WORDS,
  MAX_PROJECTIVE_PARSE_WORDS,
  prepareTraining,
  readParseCorpus,
  scoreArcs,
  trainParser,
  trainParserSsvm,
  universalRelation,
} from '@ebmkit/parse';
import { syntheticCorpus, toConllu } from './synthetic.js';

const train = syntheticCorpus(1, 150);
const heldOut = syntheticCorpus(2, 60);
const dir = mkdtempSync(join(tmpdir(), 'ebm-parse-'));

for (const learner of ['pa', 'perceptron', 'crf'] as const) {
  test(`${learner}: learns the synthetic grammar (held-out UAS ≥ 95, LAS ≥ 93)`, (t) => {
    const r = trainParser(train, { learner, epochs: 5, arcBits: 18, labelBits: 12, seed: 3 });
    const pred = heldOut.map((s) => r.parser.parse(s));
    for (const p of pred) t.is(treeError(p.heads, p.heads.length - 1), null);
    const s = evaluateParses(heldOut, pred);
    t.true(s.uas >= 95, `UAS ${s.uas}`);
    t.true(s.las >= 93, `LAS ${s.las}`);
  });
}

test('projective decoding returns projective single-rooted trees and learns the grammar', (t) => {
  const r = trainParser(train, { epochs: 4, arcBits: 18, labelBits: 12, projective: true });
  const pred = heldOut.map((s) => r.parser.parse(s));
  for (const p of pred) t.is(treeError(p.heads, p.heads.length - 1, { projective: true }), null);
  t.true(evaluateParses(heldOut, pred).uas >= 95);
});

test('projectiveDecoding: trained over all trees (same weights), decoded projectively', (t) => {
  const opts = { learner: 'crf', epochs: 2, arcBits: 14, labelBits: 10, seed: 5 } as const;
  const all = trainParser(train.slice(0, 60), opts);
  const split = trainParser(train.slice(0, 60), { ...opts, projectiveDecoding: true });
  t.false(all.parser.config.projective);
  t.true(split.parser.config.projective);
  t.deepEqual(split.parser.arcWeights, all.parser.arcWeights);
  for (const s of heldOut.slice(0, 20)) t.is(treeError(split.parser.parse(s).heads, s.forms.length, { projective: true }), null);
});

test('a dev set keeps the best epoch; save and load give the same parses; a bad file is refused', async (t) => {
  const r = trainParser(train, { epochs: 3, arcBits: 16, labelBits: 10, dev: heldOut.slice(0, 20) });
  t.true(r.bestEpoch >= 1 && r.bestEpoch <= 3);
  const path = join(dir, 'p.safetensors');
  await r.parser.save(path);
  const back = await DependencyParser.load(path);
  for (const s of heldOut.slice(0, 10)) t.deepEqual(back.parse(s), r.parser.parse(s));
  writeFileSync(join(dir, 'bad.safetensors'), 'not a model');
  await t.throwsAsync(() => DependencyParser.load(join(dir, 'bad.safetensors')), { message: /bad\.safetensors/ });
});

test('parse checks its input', (t) => {
  const r = trainParser(train.slice(0, 20), { epochs: 1, arcBits: 12, labelBits: 8 });
  t.throws(() => r.parser.parse({ forms: ['a', 'b'], tags: ['DET'] }), { message: /tags length 1 !== words 2/ });
  t.throws(() => r.parser.parse({ forms: [], tags: [] }), { message: /no words/ });
  // Unseen words and tags and a long sentence still give a tree.
  const long = { forms: Array.from({ length: 400 }, (_, i) => `w${i}`), tags: Array.from({ length: 400 }, (_, i) => (i % 3 ? 'NOUN' : 'XYZ')) };
  t.is(treeError(r.parser.parse(long).heads, 400), null);
  // Past MAX_PARSE_WORDS: parsed in windows, still one tree with one root word.
  const n = MAX_PARSE_WORDS + 300;
  const huge = { forms: Array.from({ length: n }, (_, i) => `w${i % 50}`), tags: Array.from({ length: n }, (_, i) => ['DET', 'NOUN', 'VERB'][i % 3]!) };
  const p = r.parser.parse(huge);
  t.is(treeError(p.heads, n), null);
  t.is(p.deprels.length, n);
  // A projective parser cuts run-on input into shorter windows (Eisner is cubic); the result is still one tree, and
  // its first window equals the parse of those words alone.
  const proj = new DependencyParser({ ...r.parser.config, projective: true }, r.parser.arcWeights, r.parser.labelWeights);
  const m = MAX_PROJECTIVE_PARSE_WORDS + 100;
  const runOn = { forms: huge.forms.slice(0, m), tags: huge.tags.slice(0, m) };
  const q = proj.parse(runOn);
  t.is(treeError(q.heads, m), null);
  const W = MAX_PROJECTIVE_PARSE_WORDS;
  const first = proj.parse({ forms: runOn.forms.slice(0, W), tags: runOn.tags.slice(0, W) });
  t.deepEqual(Array.from(q.heads.subarray(1, W + 1)), Array.from(first.heads.subarray(1)));
});

test('ArcFactoredModel: w·ψ(x, y) equals the summed arc scores; loss-augmented inference; an SSVM learner fits', (t) => {
  const { codes, tagCount } = prepareTraining(train, { arcBits: 14, labelBits: 8, features: {}, projective: false });
  const model = new ArcFactoredModel(14, tagCount);
  const rng = createRng(4);
  const w = rng.fillNormal(new Float64Array(model.sizeJointFeature));
  const x = codes[0]!;
  const y = train[0]!.heads!;
  const N = x.n + 1;
  const arcs = scoreArcs(x, w, model.sizeJointFeature - 1, tagCount, new Float64Array(N * N));
  let expected = 0;
  for (let d = 1; d < N; d++) expected += arcs[y[d]! * N + d]!;
  const psi = model.jointFeature(x, y);
  let dot = 0;
  for (let i = 0; i < psi.length; i++) dot += w[psi.indices[i]!]! * psi.values[i]!;
  t.true(Math.abs(dot - expected) < 1e-9 * Math.max(1, Math.abs(expected)));
  // Loss-augmented output scores at least as high as the plain MAP under score + loss.
  const yHat = model.lossAugmentedInference(x, y, w);
  const map = model.inference(x, w);
  const aug = (tree: Int32Array) => {
    let s = model.loss(y, tree);
    for (let d = 1; d < N; d++) s += arcs[tree[d]! * N + d]!;
    return s;
  };
  t.true(aug(yHat) >= aug(map) - 1e-9);
  const parser = trainParserSsvm(train.slice(0, 80), { learner: 'bcfw', arcBits: 14, labelBits: 8, maxPasses: 8, C: 10 });
  const s = evaluateParses(heldOut, heldOut.map((q) => parser.parse(q)));
  t.true(s.uas >= 90, `BCFW UAS ${s.uas}`);
});

test('CoNLL-U: multiword tokens and empty nodes are skipped and written back; cycles are a file:line error', async (t) => {
  const text = [
    '# text = I can\'t go',
    '1\tI\tI\tPRON\t_\t_\t3\tnsubj\t_\t_',
    '2-3\tcan\'t\t_\t_\t_\t_\t_\t_\t_\t_',
    '2\tca\tcan\tAUX\t_\t_\t4\taux\t_\t_',
    '3\tn\'t\tnot\tPART\t_\t_\t4\tadvmod\t_\t_',
    '3.1\tgo\tgo\tVERB\t_\t_\t_\t_\t0:root\t_',
    '4\tgo\tgo\tVERB\t_\t_\t0\troot\t_\t_',
    '',
  ].join('\n');
  const p = join(dir, 'mw.conllu');
  writeFileSync(p, text);
  const [s] = await readParseCorpus(p);
  t.deepEqual(s!.sentence.forms, ['I', 'ca', "n't", 'go']);
  const out = formatConllu(s!.source, { heads: Int32Array.from([-1, 4, 4, 4, 0]), deprels: ['nsubj', 'aux', 'advmod', 'root'] });
  t.true(out.includes("2-3\tcan't"));
  t.true(out.includes('3.1\tgo'));
  t.true(out.includes('1\tI\tI\tPRON\t_\t_\t4\tnsubj'));
  const cyc = join(dir, 'cycle.conllu');
  writeFileSync(cyc, '# sent_id = c\n1\ta\ta\tDET\t_\t_\t2\tdet\t_\t_\n2\tb\tb\tNOUN\t_\t_\t1\tnsubj\t_\t_\n\n');
  await t.throwsAsync(() => readParseCorpus(cyc, { requireTrees: true }), { message: /cycle\.conllu:1: .*(cycle|root)/ });
  const two = join(dir, 'tworoots.conllu');
  writeFileSync(two, '1\ta\ta\tDET\t_\t_\t0\troot\t_\t_\n2\tb\tb\tNOUN\t_\t_\t0\troot\t_\t_\n\n');
  await t.throwsAsync(() => readParseCorpus(two, { requireTrees: true }), { message: /tworoots\.conllu:1: .*2 words are attached to the root/ });
  t.truthy(readConllu);
});

test('evaluateParses counts heads and universal relations as the CoNLL 2018 scorer', (t) => {
  const gold = [{ forms: ['a', 'b', 'c'], tags: ['X', 'X', 'X'], heads: Int32Array.from([-1, 2, 0, 2]), deprels: ['obl:tmod', 'root', 'punct'] }];
  const pred = [{ heads: Int32Array.from([-1, 2, 0, 1]), deprels: ['obl', 'root', 'nsubj'] }];
  const s = evaluateParses(gold, pred, [['X', 'Y', 'X']]);
  t.is(s.words, 3);
  t.is(s.uas.toFixed(2), '66.67');
  t.is(s.las.toFixed(2), '66.67');
  t.is(s.labelAccuracy.toFixed(2), '66.67');
  t.is(s.tagAccuracy!.toFixed(2), '66.67');
  t.is(universalRelation('nmod:poss'), 'nmod');
  t.regex(formatParseScores(s), /LAS: 66\.67/);
});

test('a training corpus round-trips through CoNLL-U', async (t) => {
  const p = join(dir, 'train.conllu');
  writeFileSync(p, toConllu(train.slice(0, 5)));
  const back = await readParseCorpus(p, { requireTrees: true });
  t.deepEqual(back.map((x) => [...x.sentence.heads!]), train.slice(0, 5).map((s) => [...s.heads!]));
});
