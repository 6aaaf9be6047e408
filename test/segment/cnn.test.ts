// The CNN unary on the wasm backend (its convolution gradients are core's wasm kernels, tested in
// energy-conv-gradients): importing the package does not load tfjs; a tiny network learns a tiny task; weights
// round-trip.
import test from 'ava';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { syntheticExample } from './helpers.js';

test.serial('importing @ebmkit/segment does not load tfjs', async (t) => {
  const before = Object.keys(globalThis).includes('tf');
  await import('@ebmkit/segment');
  const { activeBackend } = await import('@ebmkit/core/backend');
  t.is(activeBackend(), undefined, 'no backend selected by the import');
  t.false(before);
});

test.serial('a small CNN unary learns ellipses, and its weights round-trip', async (t) => {
  await selectBackend('wasm');
  const { CnnUnary } = await import('@ebmkit/segment');
  const rng = createRng(4);
  const data = Array.from({ length: 12 }, () => syntheticExample(rng, 24, 16, 10));
  const cnn = await CnnUnary.create({ numLabels: 2, inputSize: 16, baseChannels: 4 }, createRng(1));
  const losses: number[] = [];
  await cnn.train(
    data.map((d) => d.image),
    data.map((d) => d.labels),
    { rng: createRng(2), epochs: 25, batchSize: 4, learningRate: 5e-3, onEpoch: (_e, l) => void losses.push(l) },
  );
  t.true(losses[losses.length - 1]! < 0.6 * losses[0]!, `loss ${losses[0]} → ${losses[losses.length - 1]}`);
  const test = syntheticExample(rng, 24, 16, 10);
  const logp = await cnn.logProbabilities(test.image);
  let right = 0;
  for (let p = 0; p < test.labels.length; p++) {
    t.true(Math.abs(Math.exp(logp[2 * p]!) + Math.exp(logp[2 * p + 1]!) - 1) < 1e-4);
    right += (logp[2 * p + 1]! > logp[2 * p]! ? 1 : 0) === test.labels[p] ? 1 : 0;
  }
  t.true(right / test.labels.length > 0.8, `accuracy ${right / test.labels.length}`);
  const copy = await CnnUnary.fromWeights({ numLabels: 2, inputSize: 16, baseChannels: 4 }, cnn.weights());
  const again = await copy.logProbabilities(test.image);
  for (let i = 0; i < logp.length; i++) t.true(Math.abs(again[i]! - logp[i]!) < 1e-5);
  await t.throwsAsync(CnnUnary.fromWeights({ numLabels: 2, inputSize: 16, baseChannels: 8 }, cnn.weights()), { instanceOf: RangeError });
});

test('transformPatch: the 8 flips/rotations are distinct permutations of the window, and image and labels stay aligned', async (t) => {
  const { transformPatch } = await import('@ebmkit/segment');
  const S = 10;
  const P = 4;
  // two channels: a distinct value per pixel, and a "label" derived from it; a label map cut alongside
  const img = new Float32Array(S * S * 2);
  const lab = new Float32Array(S * S);
  for (let p = 0; p < S * S; p++) {
    img[2 * p] = p;
    img[2 * p + 1] = p % 3;
    lab[p] = p % 3;
  }
  const seen = new Set<string>();
  const window: number[] = [];
  for (let y = 0; y < P; y++) for (let x = 0; x < P; x++) window.push((3 + y) * S + 5 + x);
  for (let tr = 0; tr < 8; tr++) {
    const a = new Float32Array(P * P * 2 + 3);
    const b = new Float32Array(P * P + 1);
    transformPatch(img, S, 2, 5, 3, P, tr, a, 3);
    transformPatch(lab, S, 1, 5, 3, P, tr, b, 1);
    const vals = Array.from({ length: P * P }, (_, q) => a[3 + 2 * q]!);
    t.deepEqual([...vals].sort((u, v) => u - v), [...window].sort((u, v) => u - v), `t=${tr}: a permutation of the window`);
    for (let q = 0; q < P * P; q++) t.is(b[1 + q], vals[q]! % 3, `t=${tr}: label at ${q} belongs to the pixel moved there`);
    for (let q = 0; q < P * P; q++) t.is(a[3 + 2 * q + 1], vals[q]! % 3);
    seen.add(vals.join(','));
  }
  t.is(seen.size, 8);
  // t = 1 mirrors x: the first row reversed; negateX flips the sign of that channel
  const m = new Float32Array(P * P * 2);
  transformPatch(img, S, 2, 5, 3, P, 1, m, 0, 1);
  t.deepEqual(Array.from({ length: P }, (_, x) => m[2 * x]), [38, 37, 36, 35]);
  t.is(m[1], -(38 % 3));
  // t = 4 transposes: the first row of the output is the first column of the window
  const tt = new Float32Array(P * P * 2);
  transformPatch(img, S, 2, 5, 3, P, 4, tt, 0);
  t.deepEqual(Array.from({ length: P }, (_, x) => tt[2 * x]), [35, 45, 55, 65]);
});

test('balanced class weights: equal weighted mass per present class, and the prior shift maps a balanced posterior back to the prior', async (t) => {
  const { balancedClassWeights } = await import('@ebmkit/segment');
  const { weights, logPriorShift } = balancedClassWeights([30, 10, 0]);
  t.true(Math.abs(weights[0]! - 40 / 60) < 1e-12);
  t.true(Math.abs(weights[1]! - 2) < 1e-12);
  t.is(weights[2], 0);
  t.true(Math.abs(weights[0]! * 30 - weights[1]! * 10) < 1e-12);
  // a pixel the weighted model finds uninformative (p̃ = ½, ½) has the training prior (¾, ¼) after the shift
  const z = [Math.log(0.5) + logPriorShift[0]!, Math.log(0.5) + logPriorShift[1]!];
  const p0 = 1 / (1 + Math.exp(z[1]! - z[0]!));
  t.true(Math.abs(p0 - 0.75) < 1e-12, `p0 ${p0}`);
});

test('cnnSettingsFor: blobs → whole 64 px inputs with position and horizontal flips; one-pixel lines → full-resolution patches, rotations, balanced classes', async (t) => {
  const { cnnSettingsFor } = await import('@ebmkit/segment');
  const W = 200;
  const H = 150;
  const blob = new Uint8Array(W * H);
  const lines = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if ((x - 100) ** 2 + (y - 75) ** 2 < 50 ** 2) blob[y * W + x] = 1;
      if (x % 20 === 0 || y % 25 === 0) lines[y * W + x] = 1;
    }
  }
  const a = cnnSettingsFor([blob], [{ width: W, height: H }], 2);
  t.like(a, { mode: 'whole', inputSize: 64, patchSize: 64, augment: 'hflip', coordinates: true, normalise: true, classWeight: 'none' });
  const b = cnnSettingsFor([lines], [{ width: W, height: H }], 2);
  t.like(b, { mode: 'patches', inputSize: 200, patchSize: 64, augment: 'dihedral', coordinates: false, normalise: true, classWeight: 'balanced' });
  t.is(b.thickness, 1);
  t.like(cnnSettingsFor([lines], [{ width: W, height: H }], 2, { inputSize: 64, augment: 'hflip' }), { mode: 'whole', augment: 'hflip' });
});

test.serial('a CNN in patch mode (rotations, class weights, per-image normalisation) learns thin dark lines on bright noise from a few images', async (t) => {
  await selectBackend('wasm');
  const { CnnUnary } = await import('@ebmkit/segment');
  const rng = createRng(7);
  const S = 48;
  const make = () => {
    const data = new Uint8Array(S * S * 3);
    const labels = new Uint8Array(S * S);
    const off = rng.int(12);
    const gain = 0.5 + rng.uniform(); // images differ in brightness: per-image normalisation copes
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const line = (x + off) % 12 === 0 || (rng.uniform() < 0.5 && (y + off) % 16 === 0);
        const v = Math.min(255, gain * ((line ? 60 : 160) + 30 * rng.uniform()));
        labels[y * S + x] = line ? 1 : 0;
        data.fill(v, 3 * (y * S + x), 3 * (y * S + x) + 3);
      }
    }
    return { image: { width: S, height: S, data }, labels };
  };
  const train = Array.from({ length: 6 }, make);
  const cnn = await CnnUnary.create({ numLabels: 2, inputSize: S, baseChannels: 4, normalise: true, coordinates: false }, createRng(1));
  await cnn.train(
    train.map((d) => d.image),
    train.map((d) => d.labels),
    { rng: createRng(2), epochs: 30, batchSize: 4, learningRate: 1e-2, patchSize: 16, augment: 'dihedral', classWeight: 'balanced' },
  );
  t.true(cnn.logPriorShift[1]! < cnn.logPriorShift[0]!, 'the rare class is shifted down after weighted training');
  const test = make();
  const logp = await cnn.logProbabilities(test.image);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let p = 0; p < test.labels.length; p++) {
    const pred = logp[2 * p + 1]! > logp[2 * p]! ? 1 : 0;
    if (pred === 1 && test.labels[p] === 1) tp++;
    else if (pred === 1) fp++;
    else if (test.labels[p] === 1) fn++;
  }
  const f1 = (2 * tp) / (2 * tp + fp + fn);
  t.true(f1 > 0.8, `line F1 ${f1}`);
});

test.serial('training with the CNN unary warns when validation error stays at the majority rate (labels unrelated to the image)', async (t) => {
  await selectBackend('wasm');
  const { trainSegmenter } = await import('@ebmkit/segment');
  const rng = createRng(4);
  const W = 16;
  const H = 16;
  const examples = Array.from({ length: 8 }, () => ({
    image: { width: W, height: H, data: new Uint8Array(W * H * 3).fill(120) },
    labels: Uint8Array.from({ length: W * H }, () => (rng.uniform() < 0.3 ? 1 : 0)),
  }));
  const { report } = await trainSegmenter(examples, { numLabels: 2, unary: 'cnn', cnn: { epochs: 5, inputSize: 16, baseChannels: 4 }, seed: 2 });
  t.true(report.majorityError > 0.1 && report.majorityError < 0.5, `majority error ${report.majorityError}`);
  t.is(report.warnings.length, 1);
  t.regex(report.warnings[0]!, /cnn unary's validation error .* no better than always predicting the most frequent class/);
});

test.serial('unary auto: forest, then the CNN within what is left of the budget, then linear after a pilot; keeps the best by the criterion and reports skips', async (t) => {
  await selectBackend('wasm');
  const { trainSegmenter } = await import('@ebmkit/segment');
  const rng = createRng(5);
  const examples = Array.from({ length: 10 }, () => syntheticExample(rng, 24, 16, 10));
  const { segmenter, report } = await trainSegmenter(examples, { numLabels: 2, unary: 'auto', timeBudget: 60, forest: { trees: 8, samples: 2000 }, cnn: { epochs: 3, baseChannels: 4 }, seed: 3 });
  const kinds = report.candidates!.map((c) => c.unary);
  // the product of the forest and the CNN is considered only when the CNN ran to its end
  t.deepEqual(kinds, report.candidates![1]!.stopped ? ['forest', 'cnn', 'linear'] : ['forest', 'cnn', 'product', 'linear']);
  const tried = report.candidates!.filter((c) => !c.skipped);
  t.true(tried.length >= 2);
  const best = tried.reduce((a, c) => (c.validationLoss < a.validationLoss ? c : a));
  t.is(segmenter.config.unary, best.unary);
  t.is(report.criterion, 'error');
  for (const c of tried) t.is(c.validationLoss, c.validationError);
  // a budget the forest alone spends: the CNN and the linear unary are skipped, with the reason
  const tight = await trainSegmenter(examples, { numLabels: 2, unary: 'auto', timeBudget: 1e-3, forest: { trees: 8, samples: 2000 }, seed: 3 });
  t.deepEqual(tight.report.candidates!.map((c) => [c.unary, c.skipped !== undefined]), [['forest', false], ['cnn', true], ['linear', true]]);
  t.is(tight.segmenter.config.unary, 'forest');
});

test.serial('a CNN segmenter in patch mode (no position channels, per-image normalisation, prior shift) saves and loads to the same probabilities', async (t) => {
  await selectBackend('wasm');
  const { Segmenter, trainSegmenter } = await import('@ebmkit/segment');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const rng = createRng(9);
  const S = 24;
  const examples = Array.from({ length: 5 }, () => {
    const data = new Uint8Array(S * S * 3);
    const labels = new Uint8Array(S * S);
    for (let p = 0; p < S * S; p++) {
      labels[p] = p % S === 7 ? 1 : 0;
      data.fill(labels[p] ? 40 : 170 + 40 * rng.uniform(), 3 * p, 3 * p + 3);
    }
    return { image: { width: S, height: S, data }, labels };
  });
  const { segmenter } = await trainSegmenter(examples, { numLabels: 2, unary: 'cnn', cnn: { epochs: 2, baseChannels: 4, patchSize: 8 }, seed: 1 });
  const net = (segmenter.unary as unknown as { network: { normalise: boolean; coordinates: boolean; inputSize: number; logPriorShift: Float64Array } }).network;
  t.like(net, { normalise: true, coordinates: false, inputSize: 64 }); // images under 64 px are one 64 px input, cut here in 8 px patches
  t.true(net.logPriorShift[1]! < 0, 'the rare class was weighted up, so its log-probabilities are shifted down');
  const dir = await mkdtemp(join(tmpdir(), 'ebm-cnn-'));
  try {
    await segmenter.save(join(dir, 'm.model'));
    const back = await Segmenter.load(join(dir, 'm.model'));
    const a = await segmenter.unary.logProbabilities(examples[0]!.image);
    const b = await back.unary.logProbabilities(examples[0]!.image);
    for (let i = 0; i < a.length; i++) t.true(Math.abs(a[i]! - b[i]!) < 1e-5);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pilotStopSeconds: a pilot stopped there predicts exactly what is left (the prediction is 2 × pilot × scale)', async (t) => {
  const { pilotStopSeconds } = await import('@ebmkit/segment');
  for (const [scale, left] of [[20, 171], [5, 10], [1, 0.5]] as const) t.true(Math.abs(2 * pilotStopSeconds(scale, left) * scale - left) < 1e-9);
  t.is(pilotStopSeconds(10, -3), 0);
});

test.serial('unary auto: a linear pilot that has already spent what predicts more than is left is stopped there, and linear is skipped with that reason', async (t) => {
  await selectBackend('wasm');
  const { trainSegmenter } = await import('@ebmkit/segment');
  const rng = createRng(7);
  const examples = Array.from({ length: 10 }, () => syntheticExample(rng, 24, 16, 10));
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let piloting = false;
  let eventsAfterBurn = 0;
  // the pilot's first event (the linear unary's feature stage) burns 1.5 CPU s: more than a tenth of what is left
  // of a 10 s budget (the pilot is 2 of 10 images, so its time predicts 2 × 5 × its seconds)
  const onProgress = (e: { stage: string }) => {
    if (e.stage === 'features' && !piloting) {
      piloting = true;
      const t0 = cpu();
      while (cpu() - t0 < 1.5);
      return;
    }
    if (piloting && e.stage !== 'auto') eventsAfterBurn++;
  };
  const { report } = await trainSegmenter(examples, { numLabels: 2, unary: 'auto', timeBudget: 10, forest: { trees: 8, samples: 2000 }, cnn: { epochs: 1, baseChannels: 4, cpuSeconds: 0.3 }, seed: 3, onProgress });
  const linear = report.candidates!.find((c) => c.unary === 'linear')!;
  t.true(piloting);
  t.regex(linear.skipped ?? '', /pilot on 2 images was stopped after \d+ s/);
  // stopped at the burn: the rest of the pilot (its logistic iterations, its pairwise stage) never ran
  t.is(eventsAfterBurn, 0);
  t.is(report.candidates!.filter((c) => c.unary === 'linear').length, 1);
});
