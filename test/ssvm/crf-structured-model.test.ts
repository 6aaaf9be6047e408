import test from 'ava';
import { createRng, sequenceScore, sparseDot } from '@ebmkit/core';
import { enumerateLabellings } from '@ebmkit/core/testing';
import { buildFeatureIndex, encodeCorpus, itemSequenceFromAttributes, stateScores, trainCrf, transitionWeights, type LabeledSequence } from '@ebmkit/crf';
import { CrfStructuredModel, trainCrfSsvm } from '../../packages/crf/src/structured-model.ts';
import { Dictionary } from '@ebmkit/core';

/** Tiny tagging data: label-dependent words, attributes word, previous word and bias. */
function tagging(n: number, seed: number): LabeledSequence[] {
  const rng = createRng(seed);
  const vocab = [['the', 'a'], ['cat', 'dog', 'fish'], ['runs', 'eats']];
  const names = ['D', 'N', 'V'];
  const out: LabeledSequence[] = [];
  for (let s = 0; s < n; s++) {
    const T = 1 + rng.int(4);
    const labels: string[] = [];
    const items = [];
    let prev = '<s>';
    for (let t = 0; t < T; t++) {
      const y = t === 0 ? rng.int(3) : (names.indexOf(labels[t - 1]!) + 1) % 3;
      const pool = rng.uniform() < 0.15 ? vocab.flat() : vocab[y]!;
      const word = pool[rng.int(pool.length)]!;
      labels.push(names[y]!);
      items.push({ names: [`w=${word}`, `p=${prev}`, 'bias'] });
      prev = word;
    }
    out.push({ items: itemSequenceFromAttributes(items), labels });
  }
  return out;
}

function setup(n = 40) {
  const attributes = new Dictionary();
  const labels = new Dictionary();
  const corpus = encodeCorpus(tagging(n, 3), attributes, labels);
  const index = buildFeatureIndex(corpus, attributes.size, labels.size);
  return { corpus, index, model: new CrfStructuredModel(index, corpus) };
}

test('w·ψ(s, y) is the CRF score of y, and loss-augmented inference matches brute force', (t) => {
  const { corpus, index, model } = setup();
  const rng = createRng(1);
  const L = index.numLabels;
  for (let s = 0; s < 15; s++) {
    const w = rng.fillNormal(new Float64Array(index.numWeights));
    const T = model.length(s);
    const unary = new Float64Array(T * L);
    stateScores(index, corpus, s, w, unary);
    // unmasked transitions are not features: zero them as training keeps them
    const tw = transitionWeights(index, w);
    for (let q = 0; q < L * L; q++) if (!index.transitionMask[q]) tw[q] = 0;
    const p = { T, L, unary, transition: tw };
    const y = model.goldLabels(s);
    t.true(Math.abs(sparseDot(model.jointFeature(s, y), w) - sequenceScore(p, y)) < 1e-9);
    let best = -Infinity;
    for (const yh of enumerateLabellings(T, L)) best = Math.max(best, sequenceScore(p, yh) + model.loss(y, yh));
    const yh = model.lossAugmentedInference(s, y, w);
    t.true(Math.abs(sequenceScore(p, yh) + model.loss(y, yh) - best) < 1e-9);
    const half = model.lossAugmentedInferenceScaled(s, y, w, 0.5);
    let best2 = -Infinity;
    for (const z of enumerateLabellings(T, L)) best2 = Math.max(best2, 0.5 * sequenceScore(p, z) + model.loss(y, z));
    t.true(Math.abs(0.5 * sequenceScore(p, half) + model.loss(y, half) - best2) < 1e-9);
  }
});

test('trainCrfSsvm: BCFW and n-slack reach the same objective and tag the training data well; onPass can stop', async (t) => {
  const { corpus, index, model } = setup(60);
  const bcfw = await trainCrfSsvm(index, corpus, { algorithm: 'bcfw', C: 1, tolerance: 1e-3, passes: 300 });
  const nslack = await trainCrfSsvm(index, corpus, { algorithm: 'nslack', C: 1, tolerance: 1e-6, passes: 300 });
  t.is(nslack.status, 'converged');
  const lower = nslack.log[nslack.log.length - 1]!.dual;
  t.true(bcfw.objective - lower <= 1.5e-3 * bcfw.objective, `${bcfw.objective} vs ${lower}`);
  for (const e of bcfw.log) t.true(e.dual <= nslack.objective + 1e-12);
  let right = 0;
  let all = 0;
  for (let s = 0; s < corpus.numSequences; s++) {
    const p = model.inference(s, nslack.w);
    const y = model.goldLabels(s);
    for (let q = 0; q < y.length; q++) (all++, p[q] === y[q] && right++);
  }
  t.true(right / all > 0.8, `training accuracy ${right / all}`);
  const passes: number[] = [];
  const stopped = await trainCrfSsvm(index, corpus, { algorithm: 'perceptron-ssvm', passes: 20 }, {
    onPass: async (e, w) => {
      passes.push(e.pass);
      t.is(w.length, index.numWeights);
      return e.pass < 2;
    },
  });
  t.is(stopped.status, 'stopped');
  t.deepEqual(passes, [1, 2]);
  t.is(stopped.passes, 2);
});

test('trainCrf with the SSVM algorithms trains a working Crf (dev tracking through the progress callback)', async (t) => {
  const sequences = tagging(80, 5);
  const dev = tagging(30, 6);
  for (const algorithm of ['bcfw', 'oneslack', 'nslack', 'subgradient', 'perceptron-ssvm'] as const) {
    const progress: number[] = [];
    const { model, info, log } = await trainCrf(sequences, {
      trainer: { algorithm, C: 1, passes: 15 },
      dev,
      onProgress: (p) => void progress.push(p.iteration),
    });
    t.is(info.algorithm, algorithm);
    t.true(log.length >= 1 && log.every((p) => p.dev !== undefined), algorithm);
    t.deepEqual(progress, log.map((p) => p.iteration));
    let right = 0;
    let all = 0;
    for (const s of dev) {
      const tags = model.tag(s.items);
      tags.forEach((tag, i) => (all++, tag === s.labels[i] && right++));
    }
    t.true(right / all > 0.8, `${algorithm}: dev accuracy ${right / all}`);
  }
});
