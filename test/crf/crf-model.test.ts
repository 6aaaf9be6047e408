import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ChainDistribution, createRng, Dictionary, loadModel, saveModel } from '@ebmkit/core';
import { bruteForceChain, checkGradient } from '@ebmkit/core/testing';
import {
  buildFeatureIndex,
  Crf,
  encodeCorpus,
  itemSequenceFromAttributes,
  LikelihoodWorkspace,
  negLogLikelihood,
  ParallelLikelihood,
  trainCrf,
} from '@ebmkit/crf';
import { syntheticSequences } from './synthetic.js';

function encoded(n: number, seed: number, opts = {}) {
  const { sequences } = syntheticSequences(n, seed);
  const attributes = new Dictionary();
  const labels = new Dictionary();
  const corpus = encodeCorpus(sequences, attributes, labels);
  const index = buildFeatureIndex(corpus, attributes.size, labels.size, opts);
  return { sequences, corpus, index, attributes, labels };
}

test('the negative log-likelihood gradient matches finite differences (JavaScript loops and WebAssembly kernels)', (t) => {
  for (const [opts, wasm] of [
    [{}, false],
    [{}, true],
    [{ allPossibleStates: true, allPossibleTransitions: true }, false],
    [{ allPossibleStates: true, allPossibleTransitions: true }, true],
  ] as const) {
    const { corpus, index } = encoded(8, 1, opts);
    const rng = createRng(2);
    const w = rng.fillNormal(new Float64Array(index.numWeights), 0, 0.5);
    // Masked-out transitions are not features: keep them at 0.
    for (let k = 0; k < index.transitionMask.length; k++) if (!index.transitionMask[k]) w[index.numState + k] = 0;
    const ws = new LikelihoodWorkspace(index.numLabels, { wasm });
    const f = (x: Float64Array) => negLogLikelihood(index, corpus, 0, corpus.numSequences, x, new Float64Array(x.length), ws);
    const grad = (x: Float64Array) => {
      const g = new Float64Array(x.length);
      negLogLikelihood(index, corpus, 0, corpus.numSequences, x, g, ws);
      return g;
    };
    // Masked-out transitions are not variables of the model (always 0): compare the real features only.
    const vars = [...Array(index.numWeights).keys()].filter((k) => k < index.numState || index.transitionMask[k - index.numState]);
    const r = checkGradient(f, grad, w, { epsilon: 1e-5, indices: vars });
    t.true(r.maxRelError < 1e-6, `max rel error ${r.maxRelError} at ${r.worstIndex}`);
    // Masked transitions get no gradient.
    const g = grad(w);
    for (let k = 0; k < index.transitionMask.length; k++) if (!index.transitionMask[k]) t.is(g[index.numState + k], 0);
  }
});

test('WebAssembly state-feature kernels equal the JavaScript loops: weighted attributes, SGD scale, shards', (t) => {
  const rng = createRng(31);
  const { sequences } = syntheticSequences(60, 32);
  // Weighted attributes: every item gets its attributes with random values.
  const weighted = sequences.map((s) => ({
    labels: s.labels,
    items: itemSequenceFromAttributes(
      Array.from({ length: s.items.length }, (_, t) => {
        const names = s.items.names.slice(s.items.offsets[t]!, s.items.offsets[t + 1]!) as string[];
        return { names, values: names.map(() => 0.5 + rng.uniform()) };
      }),
    ),
  }));
  for (const seqs of [sequences, weighted]) {
    const corpus = encodeCorpus(seqs, new Dictionary(), new Dictionary());
    const attrs = Math.max(...corpus.attr) + 1;
    const index = buildFeatureIndex(corpus, attrs, Math.max(...corpus.label) + 1);
    const w = rng.fillNormal(new Float64Array(index.numWeights), 0, 0.7);
    for (const [from, to, scale] of [
      [0, corpus.numSequences, 1],
      [10, 40, 1],
      [0, corpus.numSequences, 0.37],
    ] as const) {
      const gj = new Float64Array(w.length);
      const gw = new Float64Array(w.length);
      const fj = negLogLikelihood(index, corpus, from, to, w, gj, new LikelihoodWorkspace(index.numLabels, { wasm: false }), scale);
      const fw = negLogLikelihood(index, corpus, from, to, w, gw, new LikelihoodWorkspace(index.numLabels, { wasm: true }), scale);
      const where = `${corpus.value ? 'weighted' : 'unweighted'} [${from}, ${to}) scale ${scale}`;
      t.true(Math.abs(fj - fw) <= 1e-12 * Math.abs(fj), `${where}: ${fj} vs ${fw}`);
      let md = 0;
      for (let k = 0; k < w.length; k++) md = Math.max(md, Math.abs(gj[k]! - gw[k]!));
      t.true(md < 1e-10, `${where}: gradient differs by ${md}`);
    }
  }
});

test('the log-likelihood equals brute-force enumeration of each sentence', (t) => {
  const { corpus, index } = encoded(5, 3);
  const w = createRng(4).fillNormal(new Float64Array(index.numWeights), 0, 1);
  const ws = new LikelihoodWorkspace(index.numLabels);
  for (let s = 0; s < corpus.numSequences; s++) {
    const nll = negLogLikelihood(index, corpus, s, s + 1, w, new Float64Array(w.length), ws);
    const T = corpus.seqStart[s + 1]! - corpus.seqStart[s]!;
    if (T > 6) continue;
    const L = index.numLabels;
    const unary = new Float64Array(T * L);
    // Rebuild the potentials independently from the attributes.
    for (let tt = 0; tt < T; tt++) {
      const i = corpus.seqStart[s]! + tt;
      for (let j = corpus.itemStart[i]!; j < corpus.itemStart[i + 1]!; j++) {
        const a = corpus.attr[j]!;
        for (let k = index.attrStart[a]!; k < index.attrStart[a + 1]!; k++) unary[tt * L + index.featLabel[k]!]! += w[k]!;
      }
    }
    const p = { T, L, unary, transition: w.subarray(index.numState) };
    const bf = bruteForceChain(p);
    const gold = corpus.label.slice(corpus.seqStart[s]!, corpus.seqStart[s + 1]!);
    const want = bf.logZ - new ChainDistribution(p).score(gold);
    t.true(Math.abs(nll - want) < 1e-9, `${nll} vs ${want}`);
  }
});

test('the gradient summed by worker threads equals the single-thread gradient', async (t) => {
  const { corpus, index } = encoded(200, 5);
  const w = createRng(6).fillNormal(new Float64Array(index.numWeights), 0, 0.3);
  const one = await ParallelLikelihood.create(index, corpus, 1);
  const three = await ParallelLikelihood.create(index, corpus, 3);
  t.is(three.threads, 3);
  const g1 = new Float64Array(w.length);
  const g3 = new Float64Array(w.length);
  const f1 = await one.evaluate(w, g1);
  const f3 = await three.evaluate(w, g3);
  // Twice, to check that worker buffers are reset between evaluations.
  const f3b = await three.evaluate(w, g3);
  await three.close();
  t.true(Math.abs(f1 - f3) < 1e-9 * Math.abs(f1));
  t.is(f3, f3b);
  let m = 0;
  for (let k = 0; k < w.length; k++) m = Math.max(m, Math.abs(g1[k]! - g3[k]!));
  t.true(m < 1e-9, `max gradient difference ${m}`);
});

test('every algorithm learns the synthetic task (token accuracy on held-out data)', async (t) => {
  const train = syntheticSequences(300, 10).sequences;
  const test_ = syntheticSequences(100, 11).sequences;
  const acc = (m: Crf) => {
    let c = 0;
    let n = 0;
    for (const s of test_) {
      const y = m.tag(s.items);
      y.forEach((l, i) => (c += l === s.labels[i] ? 1 : 0));
      n += y.length;
    }
    return c / n;
  };
  const results: Record<string, number> = {};
  for (const trainer of [
    { algorithm: 'lbfgs', c2: 0.1 },
    { algorithm: 'owlqn', c1: 0.1 },
    { algorithm: 'sgd', c2: 0.1, epochs: 10 },
    { algorithm: 'perceptron', epochs: 5 },
  ] as const) {
    const model = await Crf.train(train, { trainer, threads: 2 });
    results[trainer.algorithm] = acc(model);
  }
  t.log(results);
  for (const [k, v] of Object.entries(results)) t.true(v > 0.85, `${k}: ${v}`);
});

test('L-BFGS reaches the same optimum with 1 and 2 threads; OWL-QN zeroes weights', async (t) => {
  const train = syntheticSequences(150, 12).sequences;
  const a = await trainCrf(train, { trainer: { algorithm: 'lbfgs', c2: 1 }, threads: 1 });
  const b = await trainCrf(train, { trainer: { algorithm: 'lbfgs', c2: 1 }, threads: 2 });
  t.true(Math.abs(a.info.objective - b.info.objective) < 1e-6 * Math.abs(a.info.objective));
  const l1 = await trainCrf(train, { trainer: { algorithm: 'owlqn', c1: 5 }, threads: 1 });
  const zeros = l1.model.weights.filter((v) => v === 0).length;
  t.true(zeros > l1.model.weights.length / 4, `${zeros} of ${l1.model.weights.length} weights are zero`);
});

test('save/load round-trips the model bit-exactly and tags identically', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ebmkit-crf-'));
  try {
    const train = syntheticSequences(100, 13).sequences;
    const model = await Crf.train(train, { trainer: { algorithm: 'lbfgs', c2: 0.5 }, threads: 1 });
    const path = join(dir, 'm.safetensors');
    await model.save(path);
    const back = await Crf.load(path);
    t.deepEqual(back.labels, model.labels);
    for (const s of train.slice(0, 20)) {
      t.deepEqual(back.tag(s.items), model.tag(s.items));
      const a = back.marginals(s.items).probabilities;
      const b = model.marginals(s.items).probabilities;
      t.deepEqual(Array.from(a), Array.from(b));
    }
    // A model of another kind is refused with a clear message.
    const bytes = await readFile(path);
    await writeFile(join(dir, 'copy.safetensors'), bytes);
    t.truthy(await Crf.load(join(dir, 'copy.safetensors')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('model files: format 2 packs the attribute names; format 1 files still load; names with a lone surrogate stay format 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ebmkit-crf-'));
  try {
    const train = syntheticSequences(60, 21).sequences;
    const model = await Crf.train(train, { trainer: { algorithm: 'lbfgs', c2: 0.5 }, threads: 1 });
    const path = join(dir, 'm.safetensors');
    await model.save(path);
    const file = await loadModel<{ attributes?: string[] }>(path, { maxFormatVersion: 2 });
    t.is(file.formatVersion, 2);
    t.is(file.metadata.attributes, undefined);
    t.deepEqual(Object.keys(file.tensors).filter((k) => k.startsWith('attr_')).sort(), ['attr_offsets', 'attr_start', 'attr_table', 'attr_utf8']);
    const back = await Crf.load(path);
    t.deepEqual(back.attributes.toArray(), model.attributes.toArray().filter((_, a) => back.attributes.get(model.attributes.string(a)) >= 0));
    // the same model written the format-1 way (names as JSON in the metadata) loads and tags identically
    const names = back.attributes.toArray();
    const { attr_utf8: _u, attr_offsets: _o, attr_table: _t, ...tensors } = file.tensors;
    const v1 = join(dir, 'v1.safetensors');
    await saveModel(v1, { kind: 'crf', formatVersion: 1, metadata: { ...file.metadata, attributes: names }, tensors });
    const old = await Crf.load(v1);
    for (const s of train.slice(0, 10)) t.deepEqual(old.tag(s.items), back.tag(s.items));
    // a format-2 file that lost its table is refused in one line
    const broken = join(dir, 'broken.safetensors');
    await saveModel(broken, { kind: 'crf', formatVersion: 2, metadata: file.metadata, tensors: { ...tensors, attr_utf8: _u!, attr_offsets: _o! } });
    await t.throwsAsync(Crf.load(broken), { message: /broken\.safetensors: invalid CRF model: missing tensor attr_table/ });
    // an attribute name with a lone surrogate cannot be UTF-8: the model is written in format 1 and round-trips
    const { sequences: few, words } = syntheticSequences(30, 22);
    const odd = few.map((s, i) => ({ labels: s.labels, items: itemSequenceFromAttributes(words[i]!.map((w) => ({ names: [`w=${w}`, 'odd\ud800'] }))) }));
    const oddModel = await Crf.train(odd, { trainer: { algorithm: 'lbfgs', c2: 0.5 }, threads: 1 });
    const oddPath = join(dir, 'odd.safetensors');
    await oddModel.save(oddPath);
    t.is((await loadModel(oddPath, { maxFormatVersion: 2 })).formatVersion, 1);
    const oddBack = await Crf.load(oddPath);
    t.true(oddBack.attributes.get('odd\ud800') >= 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('n-best, marginals and constraints agree with brute force on a trained model', async (t) => {
  const train = syntheticSequences(100, 14).sequences;
  const model = await Crf.train(train, { trainer: { algorithm: 'lbfgs', c2: 0.5 }, threads: 1 });
  const items = itemSequenceFromAttributes(['the', 'cat', 'runs', 'a'].map((w, i, a) => ({ names: [`w=${w}`, `w[-1]=${i ? a[i - 1] : '__BOS__'}`, 'bias'] })));
  const p = model.potentials(items);
  const bf = bruteForceChain(p);
  const nb = model.nbest(items, 5);
  const want = bf.topK(5);
  t.is(nb.length, 5);
  nb.forEach((r, i) => {
    t.true(Math.abs(r.score - want[i]!.score) < 1e-9);
    t.true(Math.abs(r.probability - Math.exp(want[i]!.score - bf.logZ)) < 1e-9);
  });
  // BIO constraints: no I-X after O, nor at the start.
  const cons = model.tag(items, { scheme: 'bio' });
  for (let i = 0; i < cons.length; i++) {
    if (cons[i] === 'I-X') t.true(i > 0 && cons[i - 1] !== 'O');
  }
  // Fixed labels are respected and the rest is the constrained optimum.
  const fixed = model.tag(items, { fixed: [null, 'O', null, null] });
  t.is(fixed[1], 'O');
  const L = model.labels.length;
  let best = -Infinity;
  for (let i = 0; i < bf.scores.length; i++) {
    let r = i;
    const y: number[] = [];
    for (let k = 0; k < 4; k++) (y.unshift(r % L), (r = Math.floor(r / L)));
    if (model.labels[y[1]!] === 'O') best = Math.max(best, bf.scores[i]!);
  }
  t.true(Math.abs(new ChainDistribution(p).score(fixed.map((l) => model.labelId(l))) - best) < 1e-9);
  t.throws(() => model.tag(items, { fixed: [null, 'Q', null, null] }), { message: /unknown label "Q"/ });
});

test('bad training input gives clear errors', async (t) => {
  await t.throwsAsync(() => Crf.train([]), { message: /no sequences/ });
  const items = itemSequenceFromAttributes([{ names: ['a'] }, { names: ['b'] }]);
  await t.throwsAsync(() => Crf.train([{ items, labels: ['X'] }], { source: 'train.txt' }), {
    message: /train\.txt #1: labels length 1 !== items length 2/,
  });
});

test('a sentence of 100,000 tokens tags without overflow', async (t) => {
  const train = syntheticSequences(100, 15).sequences;
  const model = await Crf.train(train, { trainer: { algorithm: 'lbfgs', c2: 0.5 }, threads: 1 });
  const rng = createRng(16);
  const words = ['the', 'cat', 'runs', 'a', 'dog', 'sleeps'];
  const items = itemSequenceFromAttributes(
    Array.from({ length: 100_000 }, () => ({ names: [`w=${words[rng.int(words.length)]}`, 'bias'] })),
  );
  const y = model.tag(items);
  t.is(y.length, 100_000);
  const m = model.marginals(items);
  t.false(m.probabilities.some((v) => Number.isNaN(v)));
});
