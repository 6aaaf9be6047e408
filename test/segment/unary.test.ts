// The forest unary's parts: the filter bank against a naive 2-D convolution and analytic responses, the random
// forest on separable toy problems, the forest unary end to end (with ignored pixels), ROC AUC and F1 by hand.
import test from 'ava';
import { createRng, type RgbImage } from '@ebmkit/core';
import {
  ConfusionMatrix,
  FilterBank,
  ForestUnary,
  IGNORE_LABEL,
  RandomForest,
  RocAuc,
  Segmenter,
  convolveSeparable,
  gaussianKernel,
  gaussianSmooth,
  mergeForests,
  mirror,
  trainSegmenter,
  tunedUnaryLoss,
} from '@ebmkit/segment';

const greyImage = (W: number, H: number, v: (x: number, y: number) => number): RgbImage => {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.fill(Math.max(0, Math.min(255, Math.round(v(x, y)))), 3 * (y * W + x), 3 * (y * W + x) + 3);
  return { width: W, height: H, data };
};

test('separable Gaussian equals a naive 2-D convolution with mirrored borders', (t) => {
  const W = 13;
  const H = 9;
  const rng = createRng(3);
  const src = rng.fillUniform(new Float32Array(W * H));
  for (const sigma of [0.7, 1.6, 2.5]) {
    const k = gaussianKernel(sigma);
    const r = (k.length - 1) / 2;
    const got = convolveSeparable(src, W, H, k, new Float32Array(W * H));
    let maxErr = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let s = 0;
        for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) s += k[dy + r]! * k[dx + r]! * src[mirror(y + dy, H) * W + mirror(x + dx, W)]!;
        maxErr = Math.max(maxErr, Math.abs(s - got[y * W + x]!));
      }
    }
    t.true(maxErr < 1e-5, `σ ${sigma}: max error ${maxErr}`);
  }
  t.deepEqual([mirror(-1, 5), mirror(-2, 5), mirror(5, 5), mirror(6, 5), mirror(12, 5)], [0, 1, 4, 3, 2]);
});

test('box-approximated Gaussian (σ ≥ 3) keeps constants and has the Gaussian variance on an impulse', (t) => {
  const W = 121;
  const H = 1;
  const imp = new Float32Array(W);
  imp[60] = 1;
  for (const sigma of [3, 5, 8]) {
    const out = gaussianSmooth(imp, W, H, sigma, new Float32Array(W));
    let m0 = 0;
    let m2 = 0;
    for (let x = 0; x < W; x++) {
      m0 += out[x]!;
      m2 += out[x]! * (x - 60) ** 2;
    }
    t.true(Math.abs(m0 - 1) < 1e-5, `mass ${m0}`);
    t.true(Math.abs(Math.sqrt(m2) - sigma) < 0.1 * sigma, `σ ${sigma}: std ${Math.sqrt(m2)}`);
  }
  const c = gaussianSmooth(new Float32Array(40 * 30).fill(2.5), 40, 30, 6, new Float32Array(40 * 30));
  t.true(c.every((v) => Math.abs(v - 2.5) < 1e-5));
});

test('filter bank: Hessian, LoG, gradient and structure tensor match analytic values on quadratic, ridge and ramp planes', (t) => {
  const W = 64;
  const H = 64;
  const N = W * H;
  const bank = new FilterBank({ scales: [1, 2], colour: false });
  const names = bank.names;
  const responses = (v: (x: number, y: number) => number) => {
    const I = new Float32Array(N);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) I[y * W + x] = v(x, y);
    const f = new Float32Array(bank.size * N);
    t.is(bank.scaleResponses(I, W, H, f, 2), bank.size);
    return (name: string, x = 32, y = 32) => f[names.indexOf(name) * N + y * W + x]!;
  };
  // I = a(x−32)² + b(y−32)² + c(x−32)(y−32): smoothing adds a constant, so second differences are exact:
  // Hessian [[2a, c], [c, 2b]], scaled by σ²
  const [a, b, c] = [0.05, 0.02, 0.01];
  const q = responses((x, y) => a * (x - 32) ** 2 + b * (y - 32) ** 2 + c * (x - 32) * (y - 32));
  const m = a + b;
  const d = Math.sqrt((a - b) ** 2 + c * c);
  for (const s of [1, 2]) {
    t.true(Math.abs(q(`hess1@${s}`) - s * s * (m + d)) < 1e-4, `hess1@${s} ${q(`hess1@${s}`)} vs ${s * s * (m + d)}`);
    t.true(Math.abs(q(`hess2@${s}`) - s * s * (m - d)) < 1e-4, `hess2@${s}`);
    t.true(Math.abs(q(`log@${s}`) - s * s * 2 * (a + b)) < 1e-4, `log@${s}`);
  }
  // the DoG of a quadratic is the difference of the constants the two Gaussians add: −(a + b)(σ₂² − σ₁²) (up to the
  // discrete kernels' variances)
  t.true(Math.abs(q('dog@1') + (a + b) * 3) < 0.02, `dog ${q('dog@1')}`);
  // a ramp I = 2x + y: gradient magnitude σ·√5, structure tensor eigenvalues (5σ², 0), Hessian 0
  const r = responses((x, y) => 2 * x + y);
  for (const s of [1, 2]) {
    t.true(Math.abs(r(`gradmag@${s}`) - s * Math.sqrt(5)) < 1e-3, `gradmag@${s} ${r(`gradmag@${s}`)}`);
    t.true(Math.abs(r(`st1@${s}`) - 5 * s * s) < 1e-2 && Math.abs(r(`st2@${s}`)) < 1e-3, `st@${s} ${r(`st1@${s}`)}, ${r(`st2@${s}`)}`);
    t.true(Math.abs(r(`hess1@${s}`)) < 1e-4 && Math.abs(r(`hess2@${s}`)) < 1e-4);
  }
  // a bright ridge along y: one strongly negative eigenvalue across it, ~0 along it
  const g = responses((x) => Math.exp(-((x - 32) ** 2) / 2));
  t.true(g('hess2@1') < -0.1 && Math.abs(g('hess1@1')) < 1e-4, `ridge eigenvalues ${g('hess1@1')}, ${g('hess2@1')}`);
  // the whole bank on an image: names and planes agree, colour adds a*, b* at every scale
  const img = greyImage(20, 16, (x, y) => 60 + 3 * x + 2 * y);
  t.is(bank.compute(img).length, bank.size * 20 * 16);
  t.is(new FilterBank({ scales: [1, 2], colour: true }).size, names.length + 4);
});

test('random forest separates a toy problem no single threshold can (XOR of two features) and is seeded', (t) => {
  const rng = createRng(5);
  const n = 2000;
  const F = 4;
  const x = new Float32Array(n * F);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) x[i * F + f] = rng.uniform();
    y[i] = (x[i * F]! > 0.5) !== (x[i * F + 1]! > 0.5) ? 1 : 0;
  }
  const fit = (seed: number) => RandomForest.fit({ x, numFeatures: F, y, numLabels: 2 }, createRng(seed), { trees: 10, maxDepth: 8 });
  const rf = fit(1);
  // held-out points
  const m = 500;
  const xt = new Float32Array(m * F);
  const yt = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    for (let f = 0; f < F; f++) xt[i * F + f] = rng.uniform();
    yt[i] = (xt[i * F]! > 0.5) !== (xt[i * F + 1]! > 0.5) ? 1 : 0;
  }
  const p = rf.predictRows(xt, m);
  let right = 0;
  for (let i = 0; i < m; i++) if ((p[2 * i + 1]! > 0.5 ? 1 : 0) === yt[i]) right++;
  t.true(right / m > 0.95, `held-out accuracy ${right / m}`);
  for (let i = 0; i < m; i++) t.true(Math.abs(p[2 * i]! + p[2 * i + 1]! - 1) < 1e-5);
  t.deepEqual(Array.from(fit(1).arrays.threshold), Array.from(rf.arrays.threshold), 'same seed, same forest');
});

test('forest unary: thin bright lines on a grey background, ignored pixels never sampled, save/load identical', async (t) => {
  const W = 40;
  const H = 32;
  const rng = createRng(2);
  const examples = Array.from({ length: 6 }, (_, i) => {
    const col = 5 + ((7 * i) % 28);
    const row = 4 + ((5 * i) % 24);
    const labels = new Uint8Array(W * H);
    const image = greyImage(W, H, (x, y) => {
      const on = x === col || y === row;
      return (on ? 150 : 90) + 25 * (rng.uniform() - 0.5);
    });
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) labels[y * W + x] = x === col || y === row ? 1 : 0;
    // the left 6 columns carry no label (IGNORE_LABEL ≥ K: the fit would throw if it sampled one)
    for (let y = 0; y < H; y++) for (let x = 0; x < 6; x++) labels[y * W + x] = IGNORE_LABEL;
    return { image, labels };
  });
  const fu = ForestUnary.fit(
    examples.map((e) => e.image),
    examples.map((e) => e.labels),
    2,
    createRng(1),
    { trees: 8, samples: 3000, bank: { scales: [0.7, 1.6, 4] } },
  );
  const lp = fu.logProbabilities(examples[0]!.image);
  const cm = new ConfusionMatrix(2);
  cm.add(examples[0]!.labels, Uint8Array.from({ length: W * H }, (_, p) => (lp[2 * p + 1]! > lp[2 * p]! ? 1 : 0)));
  t.true(cm.f1()[1]! > 0.9, `line F1 ${cm.f1()[1]}`);
  const allIgnored = examples.map((e) => new Uint8Array(e.labels.length).fill(IGNORE_LABEL));
  t.throws(() => ForestUnary.fit([examples[0]!.image], [allIgnored[0]!], 2, createRng(1)), { message: /every training pixel is ignored/ });

  const { segmenter } = await trainSegmenter(examples, { numLabels: 2, unary: 'forest', forest: { trees: 6, samples: 2000, bank: { scales: [0.7, 1.6] } }, seed: 3 });
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const path = join(tmpdir(), `ebm-forest-${process.pid}.model`);
  await segmenter.save(path);
  const back = await Segmenter.load(path);
  const a = await segmenter.predict(examples[1]!.image, { marginals: true });
  const b = await back.predict(examples[1]!.image, { marginals: true });
  t.deepEqual(b.labels, a.labels);
  t.deepEqual(b.marginals, a.marginals);
  t.is(back.config.unary, 'forest');
  const { rm } = await import('node:fs/promises');
  await rm(path, { force: true });
});

test('ROC AUC and F1 by hand', (t) => {
  // positives 0.9, 0.6, 0.4; negatives 0.5, 0.4, 0.1: pairs won 1+1+1, 1+1+1, 0+0.5+1 of 9 ⇒ 7.5/9
  const roc = new RocAuc();
  roc.addImage(Uint8Array.from([1, 1, 1, 0, 0, 0, IGNORE_LABEL]), [0.9, 0.6, 0.4, 0.5, 0.4, 0.1, 0.0], 1);
  t.true(Math.abs(roc.auc() - 7.5 / 9) < 1e-12, `AUC ${roc.auc()}`);
  t.true(Number.isNaN(new RocAuc().auc()));
  const cm = new ConfusionMatrix(2).add(Uint8Array.from([1, 1, 1, 0, 0, IGNORE_LABEL]), Uint8Array.from([1, 1, 0, 1, 0, 1]));
  // class 1: TP 2, FN 1, FP 1 ⇒ F1 = 4/6; class 0: TP 1, FN 1, FP 1 ⇒ 2/4
  t.deepEqual(cm.f1(), [0.5, 4 / 6]);
});

test('training warns when the unary is no better than the majority class (labels unrelated to the image)', async (t) => {
  const rng = createRng(4);
  const W = 16;
  const H = 12;
  const examples = Array.from({ length: 6 }, () => ({
    image: greyImage(W, H, () => 120),
    labels: Uint8Array.from({ length: W * H }, () => (rng.uniform() < 0.25 ? 1 : 0)),
  }));
  const { report } = await trainSegmenter(examples, { numLabels: 2, unary: 'forest', forest: { trees: 4, samples: 500 }, seed: 2 });
  t.true(report.majorityError > 0.1 && report.majorityError < 0.4, `majority error ${report.majorityError}`);
  t.is(report.warnings.length, 1);
  t.regex(report.warnings[0]!, /no better than always predicting the most frequent class/);
});

test('mergeForests: the merged forest predicts the average of its parts', (t) => {
  const rng = createRng(8);
  const n = 600;
  const F = 3;
  const x = Float32Array.from({ length: n * F }, () => rng.uniform());
  const y = Uint8Array.from({ length: n }, (_, i) => (x[i * F]! + 0.3 * x[i * F + 1]! > 0.6 ? 1 : 0));
  const a = RandomForest.fit({ x, numFeatures: F, y, numLabels: 2 }, createRng(1), { trees: 3, maxDepth: 5 });
  const b = RandomForest.fit({ x, numFeatures: F, y, numLabels: 2 }, createRng(2), { trees: 3, maxDepth: 7 });
  const m = mergeForests([a, b]);
  t.is(m.numTrees, 6);
  const pa = a.predictRows(x, n);
  const pb = b.predictRows(x, n);
  const pm = m.predictRows(x, n);
  for (let i = 0; i < pm.length; i++) t.true(Math.abs(pm[i]! - (pa[i]! + pb[i]!) / 2) < 1e-6);
});

test('forest unary auto-context: a second stage over out-of-fold first-stage probabilities, kept only when validation says so, saved and loaded', (t) => {
  const W = 40;
  const H = 32;
  const rng = createRng(4);
  // faint thin lines in strong noise: a pixel alone is ambiguous, its neighbourhood less so
  const make = (i: number) => {
    const col = 5 + ((7 * i) % 28);
    const row = 4 + ((5 * i) % 24);
    const labels = new Uint8Array(W * H);
    for (let yy = 0; yy < H; yy++) for (let xx = 0; xx < W; xx++) labels[yy * W + xx] = xx === col || yy === row ? 1 : 0;
    const image = greyImage(W, H, (xx, yy) => 110 + (labels[yy * W + xx] ? 30 : 0) + 80 * (rng.uniform() - 0.5));
    return { image, labels };
  };
  const train = Array.from({ length: 6 }, (_, i) => make(i));
  const val = Array.from({ length: 3 }, (_, i) => make(10 + i));
  const opts = { trees: 8, samples: 4000, bank: { scales: [0.7, 1.6, 4] } };
  const two = ForestUnary.fit(train.map((e) => e.image), train.map((e) => e.labels), 2, createRng(1), opts);
  t.truthy(two.context, 'without validation images the second stage is kept');
  t.is(two.context!.forest.arrays.numFeatures, two.bank.size + 1 + 4);
  t.is(two.forest.numTrees, 8, 'the first stage is both folds\' forests (4 trees each)');
  const one = ForestUnary.fit(train.map((e) => e.image), train.map((e) => e.labels), 2, createRng(1), { ...opts, context: false });
  t.is(one.context, undefined);
  // save and load: the same log-probabilities
  const { meta, tensors } = two.toFile('forest');
  const back = ForestUnary.fromFile(meta, 2, (name) => tensors[name]!, 'forest');
  t.deepEqual(Array.from(back.logProbabilities(val[0]!.image)), Array.from(two.logProbabilities(val[0]!.image)));
  // with validation images: the stage is kept exactly when its tuned validation loss is lower
  const chosen = ForestUnary.fit(train.map((e) => e.image), train.map((e) => e.labels), 2, createRng(1), opts, undefined, { images: val.map((e) => e.image), labels: val.map((e) => e.labels), criterion: 'f1' });
  t.regex(chosen.notes[0]!, /auto-context stage (kept|dropped) \(validation loss [\d.]+ with it, [\d.]+ without/);
  const s = val.map((e) => two.stages(e.image));
  const l1 = tunedUnaryLoss(s.map((x) => x.stage1), val.map((e) => e.labels), 2, 'f1');
  const l2 = tunedUnaryLoss(s.map((x) => x.stage2!), val.map((e) => e.labels), 2, 'f1');
  t.is(chosen.context !== undefined, l2 < l1, `with ${l2}, without ${l1}`);
  t.true(l2 < l1, `on faint lines in noise the context stage helps: ${l2} vs ${l1}`);
});
