import test from 'ava';
import { createRng, sparseDot } from '@ebmkit/core';
import {
  GridCrf,
  IGNORE_LABEL,
  PixelFeatures,
  edgeFeatures,
  gridEnergy,
  meanField,
  rgbToLab,
  type SegmentationInput,
} from '@ebmkit/segment';
import { bruteForceGrid, syntheticExample } from './helpers.js';

function randomInput(seed: number, width: number, height: number, F: number, connectivity: 4 | 8): SegmentationInput {
  const rng = createRng(seed);
  const features = new Float32Array(width * height * F);
  for (let i = 0; i < features.length; i++) features[i] = rng.normal();
  const colors = new Float64Array(width * height * 3);
  for (let i = 0; i < colors.length; i++) colors[i] = 100 * rng.uniform();
  return { width, height, features, numFeatures: F, edges: edgeFeatures(colors, width, height, connectivity) };
}

function randomWeights(crf: GridCrf, seed: number): Float64Array {
  const rng = createRng(seed);
  const w = new Float64Array(crf.sizeJointFeature);
  for (let i = 0; i < w.length; i++) w[i] = i >= crf.pairOffset ? 2 * rng.uniform() : rng.normal();
  return w;
}

test('rgbToLab gives the reference L*a*b* of white, black and pure red', (t) => {
  const lab = rgbToLab(Uint8Array.from([255, 255, 255, 0, 0, 0, 255, 0, 0]));
  t.true(Math.abs(lab[0]! - 100) < 0.01 && Math.abs(lab[1]!) < 0.01 && Math.abs(lab[2]!) < 0.01);
  t.true(Math.abs(lab[3]!) < 1e-6);
  t.true(Math.abs(lab[6]! - 53.24) < 0.05 && Math.abs(lab[7]! - 80.09) < 0.05 && Math.abs(lab[8]! - 67.2) < 0.05);
});

test('edge features: β = 1/(2·mean squared difference), weights in (0, 1/dist], zero off the grid', (t) => {
  const colors = Float64Array.from([0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 20]); // 2×2, one channel each ×3
  const ef = edgeFeatures(colors, 2, 2, 8);
  // squared differences: right (0,1): 100, (2,3): 400; down (0,2): 0, (1,3): 100+400; diag (0,3): 400; anti (1,2): 100
  const mean = (100 + 400 + 0 + 500 + 400 + 100) / 6;
  t.true(Math.abs(ef.beta - 1 / (2 * mean)) < 1e-12);
  t.is(ef.constant[1], 0, 'no right neighbour of pixel 1');
  t.true(Math.abs(ef.contrast[0]! - Math.exp(-ef.beta * 100)) < 1e-12);
  t.true(Math.abs(ef.contrast[2 * 4 + 0]! - Math.exp(-ef.beta * 400) / Math.SQRT2) < 1e-12);
});

test('GridCrf: −w·ψ(x, y)·n equals the grid energy of y, for Potts and matrix pairwise, with ignored pixels', (t) => {
  for (const pairwise of ['potts', 'matrix'] as const) {
    for (const K of [2, 3]) {
      const crf = new GridCrf({ numLabels: K, numFeatures: 4, connectivity: 8, pairwise });
      const x = randomInput(K, 4, 3, 4, 8);
      const w = randomWeights(crf, 7 + K);
      const rng = createRng(3);
      for (let trial = 0; trial < 10; trial++) {
        const y = Uint8Array.from({ length: 12 }, () => rng.int(K));
        const psi = crf.jointFeature(x, y);
        const e = gridEnergy(crf.energy(x, w), y);
        t.true(Math.abs(-sparseDot(psi, w) * 12 - e) < 1e-9, `${pairwise} K=${K}: ${-sparseDot(psi, w) * 12} vs ${e}`);
      }
      // ignored pixels are out of ψ, and out of the energy the model builds for that labelling
      const y = Uint8Array.from({ length: 12 }, (_, p) => (p === 5 ? IGNORE_LABEL : p % K));
      const yFilled = y.map((v) => (v === IGNORE_LABEL ? 0 : v));
      const psi = crf.jointFeature(x, y);
      const masked = { ...x, mask: Uint8Array.from({ length: 12 }, (_, p) => (p === 5 ? 0 : 1)) };
      t.true(Math.abs(-sparseDot(psi, w) * 11 - gridEnergy(crf.energy(masked, w), yFilled)) < 1e-9);
    }
  }
});

test('GridCrf: inference and loss-augmented inference match brute force on a 3×3 binary and a 3×2 ternary image', (t) => {
  for (const [K, W, H] of [
    [2, 3, 3],
    [3, 3, 2],
  ] as const) {
    const crf = new GridCrf({ numLabels: K, numFeatures: 3, connectivity: 4 });
    const x = randomInput(10 + K, W, H, 3, 4);
    const w = randomWeights(crf, 20 + K);
    const N = W * H;
    const e = crf.energy(x, w);
    const bf = bruteForceGrid(e);
    const yHat = crf.inference(x, w);
    if (K === 2) t.true(Math.abs(gridEnergy(e, yHat) - bf.minEnergy) < 1e-9);
    else t.true(gridEnergy(e, yHat) >= bf.minEnergy - 1e-9 && gridEnergy(e, yHat) <= bf.minEnergy + 0.5, 'α-expansion near the minimum');
    // loss-augmented: maximise w·ψ(ŷ) + Δ(y, ŷ) over all ŷ by enumeration
    const y = Uint8Array.from({ length: N }, (_, p) => p % K);
    let bestScore = -Infinity;
    const yy = new Uint8Array(N);
    for (let i = 0; i < K ** N; i++) {
      let r = i;
      for (let p = N - 1; p >= 0; p--) {
        yy[p] = r % K;
        r = Math.floor(r / K);
      }
      const s = sparseDot(crf.jointFeature(x, yy), w) + crf.loss(y, yy);
      if (s > bestScore) bestScore = s;
    }
    const la = crf.lossAugmentedInference(x, y, w);
    const got = sparseDot(crf.jointFeature(x, la), w) + crf.loss(y, la);
    if (K === 2) t.true(Math.abs(got - bestScore) < 1e-9, `loss-augmented ${got} vs brute force ${bestScore}`);
    else t.true(got >= bestScore - 0.5, 'α-expansion close to the loss-augmented optimum');
  }
});

test('expected joint feature under mean-field marginals equals ψ at a deterministic labelling', (t) => {
  const crf = new GridCrf({ numLabels: 3, numFeatures: 2, connectivity: 8, pairwise: 'matrix' });
  const x = randomInput(4, 3, 3, 2, 8);
  const y = Uint8Array.from([0, 1, 2, 2, 1, 0, 0, 0, 1]);
  const q = new Float64Array(27);
  y.forEach((l, p) => (q[p * 3 + l] = 1));
  const a = crf.expectedJointFeature(x, q);
  const b = crf.jointFeatureDense(x, y);
  for (let i = 0; i < a.length; i++) t.true(Math.abs(a[i]! - b[i]!) < 1e-12);
  // and it is a proper expectation: marginals from mean-field sum to one per pixel
  const mf = meanField(crf.energy(x, randomWeights(crf, 9)));
  t.true(mf.marginals.every((v) => v >= 0 && v <= 1));
});

test('pixel features: fixed size, standardised on the training pixels, bias last; a 1×1 image works', (t) => {
  const rng = createRng(5);
  const imgs = [0, 1, 2].map(() => syntheticExample(rng, 24, 18).image);
  const pf = PixelFeatures.fit(imgs, {}, createRng(1));
  t.is(pf.names.length, pf.size);
  const f = pf.extract(imgs[0]!);
  t.is(f.length, 24 * 18 * pf.size);
  for (let p = 0; p < 24 * 18; p++) t.is(f[p * pf.size + pf.size - 1], 1);
  // mean over all three images' pixels ≈ 0 for a colour feature (standardised on a sample of them)
  let s = 0;
  let n = 0;
  for (const img of imgs) {
    const g = pf.extract(img);
    for (let p = 0; p < 24 * 18; p++, n++) s += g[p * pf.size]!;
  }
  t.true(Math.abs(s / n) < 0.2, `mean L feature ${s / n}`);
  t.throws(() => new PixelFeatures({ scales: [2] }, pf.state), { instanceOf: RangeError });
  // a 1×1 image works
  t.is(pf.extract({ width: 1, height: 1, data: Uint8Array.from([10, 20, 30]) }).length, pf.size);
});
