// JEM++'s informative initialisation: Cholesky against L·Lᵀ, class Gaussians fitted to synthetic data recover their
// means and covariances, mixture draws have the mixture's weights and moments and respect the clamp.
import test from 'ava';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { cholesky, fitClassGaussians, gaussianMixtureInit, ReplayBuffer } from '@ebmkit/core/energy';

test.before(async () => {
  await selectBackend('wasm');
});

test('cholesky: L·Lᵀ reproduces a random SPD matrix; a non-positive-definite one is refused with the pivot named', (t) => {
  const rng = createRng(2);
  const D = 7;
  const b = Float64Array.from({ length: D * D }, () => rng.normal());
  const a = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) {
    let s = i === j ? 0.5 : 0;
    for (let k = 0; k < D; k++) s += b[i * D + k]! * b[j * D + k]!;
    a[i * D + j] = s;
  }
  const L = cholesky(a, D);
  let worst = 0;
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) {
    let s = 0;
    for (let k = 0; k < D; k++) s += L[i * D + k]! * L[j * D + k]!;
    worst = Math.max(worst, Math.abs(s - a[i * D + j]!));
    if (j > i) t.is(L[i * D + j], 0);
  }
  t.true(worst < 1e-9, `max |LLᵀ − A| = ${worst}`);
  const e = t.throws(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2), { instanceOf: RangeError });
  t.regex(e!.message, /not positive definite \(pivot 1/);
});

test('class Gaussians are fitted per class and the mixture draws match them (weights, means, covariances, clamp)', (t) => {
  const rng = createRng(5);
  // Class 0 (30 %): mean (−0.5, 0.2), cov [[0.04, 0.02], [0.02, 0.09]]; class 1 (70 %): mean (0.4, −0.3), cov 0.01·I.
  const n = 4000;
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const z1 = rng.normal();
    const z2 = rng.normal();
    if (i % 10 < 3) {
      x[2 * i] = -0.5 + 0.2 * z1;
      x[2 * i + 1] = 0.2 + 0.1 * z1 + Math.sqrt(0.09 - 0.01) * z2;
    } else {
      y[i] = 1;
      x[2 * i] = 0.4 + 0.1 * z1;
      x[2 * i + 1] = -0.3 + 0.1 * z2;
    }
  }
  const comps = fitClassGaussians(x, y, 3, 1e-6);
  t.is(comps.length, 2, 'the empty class 2 is left out');
  t.true(Math.abs(comps[0]!.weight - 0.3) < 1e-9 && Math.abs(comps[1]!.weight - 0.7) < 1e-9);
  t.true(Math.abs(comps[0]!.mean[0]! + 0.5) < 0.02 && Math.abs(comps[0]!.mean[1]! - 0.2) < 0.02);
  const L0 = comps[0]!.chol;
  t.true(Math.abs(L0[0]! * L0[0]! - 0.04) < 0.004 && Math.abs(L0[2]! * L0[0]! - 0.02) < 0.004);
  const init = gaussianMixtureInit(comps, -1, 1);
  const m = 20000;
  const s = new Float32Array(2 * m);
  init(createRng(9), s);
  let inFirst = 0;
  let sx = 0;
  let sy = 0;
  let sxy = 0;
  let n0 = 0;
  for (let i = 0; i < m; i++) {
    t.true(s[2 * i]! >= -1 && s[2 * i]! <= 1);
    if (s[2 * i]! < 0) {
      // class-0 draws (their x is below 0 with probability ≈ 0.994; class 1's above 0 with ≈ 1)
      inFirst++;
      n0++;
      sx += s[2 * i]!;
      sy += s[2 * i + 1]!;
      sxy += (s[2 * i]! + 0.5) * (s[2 * i + 1]! - 0.2);
    }
  }
  t.true(Math.abs(inFirst / m - 0.3) < 0.015, `weight of component 0: ${inFirst / m}`);
  t.true(Math.abs(sx / n0 + 0.5) < 0.02 && Math.abs(sy / n0 - 0.2) < 0.02);
  t.true(Math.abs(sxy / n0 - 0.02) < 0.004, `covariance ${sxy / n0}`);
  // As a replay buffer's init.
  const buf = new ReplayBuffer({ sampleShape: [2], capacity: 50, init }, createRng(1));
  t.true(buf.data.every((v) => v >= -1 && v <= 1));
});
