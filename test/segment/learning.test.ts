import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, type RgbImage } from '@ebmkit/core';
import { checkObjectiveGradient } from '@ebmkit/core/testing';
import {
  ConfusionMatrix,
  GridCrf,
  PixelFeatures,
  Segmenter,
  fitPairwiseWeights,
  BIAS_GRID,
  imageEdgeFeatures,
  logisticObjective,
  samplePixels,
  trainContrastive,
  trainLogistic,
  trainSegmenter,
  type SegmentationInput,
} from '@ebmkit/segment';
import { createLearner } from '@ebmkit/ssvm';
import { syntheticExample } from './helpers.js';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ebm-seg-learn-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Noisy ellipses (noise strong enough that per-pixel decisions make speckle errors). */
function dataset(seed: number, n: number, noise = 45): { image: RgbImage; labels: Uint8Array }[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => syntheticExample(rng, 32, 24, noise));
}

/** Simple inputs: features = [R, G, B scaled, bias], edges from the colours. */
function simpleInputs(data: { image: RgbImage; labels: Uint8Array }[]): SegmentationInput[] {
  return data.map(({ image }) => {
    const N = image.width * image.height;
    const f = new Float32Array(N * 4);
    for (let p = 0; p < N; p++) {
      for (let c = 0; c < 3; c++) f[p * 4 + c] = (image.data[3 * p + c]! - 110) / 50;
      f[p * 4 + 3] = 1;
    }
    return { width: image.width, height: image.height, features: f, numFeatures: 4, edges: imageEdgeFeatures(image, 8) };
  });
}

function meanLoss(crf: GridCrf, w: Float64Array, X: SegmentationInput[], Y: Uint8Array[]): number {
  return X.reduce((s, x, i) => s + crf.loss(Y[i]!, crf.inference(x, w)), 0) / X.length;
}

test('logistic objective: gradient matches finite differences (with class weights and L2)', (t) => {
  const rng = createRng(1);
  const M = 50;
  const F = 4;
  const features = new Float32Array(M * F).map(() => rng.normal());
  const labels = Uint8Array.from({ length: M }, () => rng.int(3));
  const obj = logisticObjective({ features, labels, numFeatures: F }, 3, { c2: 0.1, classWeights: [1, 2, 0.5] });
  const w = new Float64Array(3 * F).map(() => rng.normal());
  const r = checkObjectiveGradient(obj, w);
  t.true(r.maxRelError < 1e-6, `max relative error ${r.maxRelError}`);
});

test('piecewise: logistic unary, then validation-chosen pairwise weights lower the error of noisy images', async (t) => {
  const train = dataset(2, 6);
  const val = dataset(3, 4);
  const X = simpleInputs(train);
  const Xv = simpleInputs(val);
  const crf = new GridCrf({ numLabels: 2, numFeatures: 4 });
  const W = await trainLogistic(samplePixels(X, train.map((d) => d.labels), 400, createRng(1)), 2);
  const w = new Float64Array(crf.sizeJointFeature);
  w.set(W);
  const fit = fitPairwiseWeights(crf, w, Xv, val.map((d) => d.labels));
  const pairwise = Array.from(fit.w.subarray(crf.pairOffset));
  t.true(pairwise.some((v) => v > 0), `pairwise weights ${pairwise}`);
  const before = meanLoss(crf, w, Xv, val.map((d) => d.labels));
  const after = meanLoss(crf, fit.w, Xv, val.map((d) => d.labels));
  t.is(before, fit.unaryOnlyLoss);
  t.true(after < 0.7 * before, `validation error ${before} → ${after}`);
});

test('piecewise: a foreground bias whose best offset lies past the grid is found by stepping outward', async (t) => {
  const train = dataset(2, 6);
  const val = dataset(3, 4);
  const X = simpleInputs(train);
  const Xv = simpleInputs(val);
  const Yv = val.map((d) => d.labels);
  const crf = new GridCrf({ numLabels: 2, numFeatures: 4 });
  const W = await trainLogistic(samplePixels(X, train.map((d) => d.labels), 400, createRng(1)), 2);
  const w = new Float64Array(crf.sizeJointFeature);
  w.set(W);
  const biasIndex = 2 * crf.numFeatures - 1; // class 1's weight on the bias feature
  w[biasIndex] = w[biasIndex]! - 4; // a unary that under-predicts the foreground by far more than the grid can undo
  const fit = fitPairwiseWeights(crf, w, Xv, Yv);
  const offset = fit.w[biasIndex]! - w[biasIndex]!;
  t.true(offset > Math.max(...BIAS_GRID), `chosen offset ${offset}`);
  const atGridEnd = fit.candidates.filter((c) => c.biasOffset === Math.max(...BIAS_GRID)).map((c) => c.loss);
  t.true(meanLoss(crf, fit.w, Xv, Yv) < Math.min(...atGridEnd), 'better than anything the grid offered');
  // with the offsets given explicitly, the search stays on them
  const fixed = fitPairwiseWeights(crf, w, Xv, Yv, { biasOffsets: [0.5, 1] });
  t.true(fixed.candidates.every((c) => [0, 0.5, 1].includes(c.biasOffset)));
});

test('SSVM (BCFW from @ebmkit/ssvm) on the grid CRF lowers the training loss and learns a positive pairwise weight', (t) => {
  const train = dataset(4, 6);
  const X = simpleInputs(train);
  const Y = train.map((d) => d.labels);
  const crf = new GridCrf({ numLabels: 2, numFeatures: 4 });
  const fit = createLearner('bcfw', crf, { C: 10, maxPasses: 15, seed: 1 }).fit(X, Y);
  const zero = new Float64Array(crf.sizeJointFeature);
  const unaryOnly = Float64Array.from(fit.w).fill(0, crf.pairOffset);
  const lossFit = meanLoss(crf, fit.w, X, Y);
  t.true(lossFit < meanLoss(crf, zero, X, Y));
  t.true(fit.w[crf.pairOffset]! + fit.w[crf.pairOffset + 1]! > 0, `pairwise ${Array.from(fit.w.subarray(crf.pairOffset))}`);
  t.true(lossFit <= meanLoss(crf, unaryOnly, X, Y), 'its pairwise term helps on the training images');
  t.true(lossFit < 0.08, `training error ${lossFit}`);
});

for (const negatives of ['meanfield', 'gibbs'] as const) {
  test(`contrastive training with ${negatives} negatives learns a segmenter from zero weights`, (t) => {
    const train = dataset(5, 6);
    const X = simpleInputs(train);
    const Y = train.map((d) => d.labels);
    const crf = new GridCrf({ numLabels: 2, numFeatures: 4 });
    const w = trainContrastive(crf, X, Y, { negatives, epochs: 15, learningRate: 0.05, rng: createRng(2) });
    const test = dataset(6, 4);
    const err = meanLoss(crf, w, simpleInputs(test), test.map((d) => d.labels));
    t.true(err < 0.08, `test error ${err}`);
    t.true(w.subarray(crf.pairOffset).every((v) => v >= 0));
    t.true(w[crf.pairOffset]! + w[crf.pairOffset + 1]! > 0, 'a pairwise coupling was learned');
  });
}

test('trainSegmenter (linear, piecewise) → save → load gives the same predictions; matrix pairwise for 3 classes', async (t) => {
  const data = dataset(7, 8, 30);
  const { segmenter, report } = await trainSegmenter(data, { numLabels: 2, maxSide: 32, pixelsPerImage: 300, features: { codebookSize: 8 } });
  t.true(report.validationError <= report.validationErrorUnary + 1e-12);
  const file = join(dir, 'seg.model');
  await segmenter.save(file);
  const back = await Segmenter.load(file);
  const test = dataset(8, 3, 30);
  const cm = new ConfusionMatrix(2);
  for (const ex of test) {
    const a = await segmenter.predict(ex.image);
    const b = await back.predict(ex.image);
    t.deepEqual(a.labels, b.labels);
    cm.add(ex.labels, a.labels);
  }
  t.true(cm.pixelAccuracy() > 0.9, `accuracy ${cm.pixelAccuracy()}`);
  // three classes: label the right half of the background as class 2
  const three = data.map(({ image, labels }) => ({ image, labels: labels.map((l, p) => (l === 0 && p % 32 >= 16 ? 2 : l)) }));
  const r3 = await trainSegmenter(three, { numLabels: 3, pairwise: 'matrix', maxSide: 32, pixelsPerImage: 300, features: { codebookSize: 8 } });
  t.is(r3.report.pairwiseWeights.length, 3);
  const p3 = await r3.segmenter.predict(three[0]!.image);
  t.true(new Set(p3.labels).size >= 2);
});

test('PixelFeatures beat raw colour: held-out accuracy of a linear unary on textured backgrounds', async (t) => {
  // background texture has the same mean colour as the object; only local statistics separate them
  const rng = createRng(11);
  const make = () => {
    const ex = syntheticExample(rng, 32, 24, 5);
    const d = ex.image.data;
    for (let p = 0; p < ex.labels.length; p++) {
      const x = p % 32;
      const y = Math.floor(p / 32);
      const v = ex.labels[p] ? 128 : (x + y) % 2 ? 200 : 56;
      d[3 * p] = d[3 * p + 1] = d[3 * p + 2] = v + Math.round(5 * rng.normal());
    }
    return ex;
  };
  const train = Array.from({ length: 6 }, make);
  const test = Array.from({ length: 3 }, make);
  const pf = PixelFeatures.fit(train.map((e) => e.image), { codebookSize: 8 }, createRng(1));
  const inputs = (set: typeof train, feats: (img: RgbImage) => Float32Array, F: number) =>
    set.map((e) => ({ width: 32, height: 24, features: feats(e.image), numFeatures: F, edges: imageEdgeFeatures(e.image, 8) }));
  const accuracy = async (feats: (img: RgbImage) => Float32Array, F: number) => {
    const Xtr = inputs(train, feats, F);
    const W = await trainLogistic(samplePixels(Xtr, train.map((e) => e.labels), 400, createRng(1)), 2);
    const crf = new GridCrf({ numLabels: 2, numFeatures: F, inference: 'none' });
    const w = new Float64Array(crf.sizeJointFeature);
    w.set(W);
    const Xte = inputs(test, feats, F);
    return 1 - meanLoss(crf, w, Xte, test.map((e) => e.labels));
  };
  const colourOnly = await accuracy((img) => simpleInputs([{ image: img, labels: new Uint8Array(0) }])[0]!.features, 4);
  const rich = await accuracy((img) => pf.extract(img), pf.size);
  t.true(rich > colourOnly + 0.1, `pixel features ${rich} vs colour ${colourOnly}`);
});

test('samplePixels reads each image’s features once (views compute them on demand) and copies the sampled rows', (t) => {
  const W = 6;
  const H = 5;
  const F = 3;
  let reads = 0;
  const views = [0, 1, 2].map((i) => ({
    width: W,
    height: H,
    numFeatures: F,
    get features() {
      reads++;
      return Float32Array.from({ length: W * H * F }, (_, j) => 1000 * i + j);
    },
  }));
  const labels = [0, 1, 2].map((i) => Uint8Array.from({ length: W * H }, (_, p) => (p + i) % 2));
  const s = samplePixels(views, labels, 7, createRng(3));
  t.is(reads, 3);
  t.is(s.labels.length, 21);
  for (let r = 0; r < 21; r++) {
    const v = s.features[r * F]!;
    const i = Math.floor(v / 1000);
    const p = (v - 1000 * i) / F;
    t.true(Number.isInteger(p));
    t.is(s.features[r * F + 2], v + 2);
    t.is(s.labels[r], labels[i]![p]);
  }
});
