// Samplers of continuous x against distributions whose answer is known: moments and an energy-distance two-sample
// test against exact draws (and the same test rejecting a wrong distribution, so it has power).
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { energyDistanceTest, langevin, mala, runSampler, sgld, type EnergyFunction } from '@ebmkit/core/energy';
import { gaussianEnergy, moments2, sampleGaussian, sampleMixture, mixtureEnergy, type Gauss2 } from './energy-helpers.ts';

test.before(async () => {
  await selectBackend('wasm');
});

const G: Gauss2 = { mean: [1, -1], cov: [1, 0.8, 1] };
const WEIGHTS = [0.3, 0.7];
const MIX: Gauss2[] = [
  { mean: [-1, 0], cov: [0.3, 0.1, 0.4] },
  { mean: [1.2, 0.6], cov: [0.4, -0.15, 0.3] },
];

/** N(0, I) starts for n chains, from a seeded rng. */
function starts(n: number, seed: number): tf.Tensor {
  return tf.tensor2d(createRng(seed).fillNormal(new Float32Array(2 * n)), [n, 2]);
}

function takeArray(x: tf.Tensor): Float32Array {
  const a = x.dataSync() as Float32Array;
  x.dispose();
  return a;
}

function assertClose(t: import('ava').ExecutionContext, got: number, want: number, tol: number, what: string): void {
  t.true(Math.abs(got - want) <= tol, `${what}: got ${got.toFixed(4)}, expected ${want.toFixed(4)} ± ${tol}`);
}

test('Langevin x ← x − (α/2)∇E + √α·ε samples a correlated 2-D Gaussian (moments, two-sample test)', (t) => {
  const E = gaussianEnergy(G);
  const x0 = starts(500, 1);
  const xs = takeArray(langevin(E, x0, { stepSize: 0.05, steps: 500 }, createRng(2)));
  x0.dispose();
  const m = moments2(xs);
  assertClose(t, m.mean[0], 1, 0.1, 'mean x1');
  assertClose(t, m.mean[1], -1, 0.1, 'mean x2');
  assertClose(t, m.cov[0], 1, 0.15, 'var x1');
  assertClose(t, m.cov[1], 0.8, 0.15, 'cov x1,x2');
  assertClose(t, m.cov[2], 1, 0.15, 'var x2');
  const exact = sampleGaussian(G, 500, createRng(3));
  const same = energyDistanceTest(xs, exact, 2, createRng(4), 99);
  t.true(same.pValue > 0.01, `same law: p = ${same.pValue}`);
  // The test has power: the same samples against a Gaussian with correlation 0.2 instead of 0.8 are rejected.
  const wrong = sampleGaussian({ mean: [1, -1], cov: [1, 0.2, 1] }, 500, createRng(5));
  const diff = energyDistanceTest(xs, wrong, 2, createRng(6), 99);
  t.true(diff.pValue <= 0.01, `wrong law: p = ${diff.pValue}`);
});

test('SGLD with separate step and noise targets exp(−E/T), T = noise²/(2·step): at T = ½ the covariance halves', (t) => {
  const E = gaussianEnergy(G);
  const x0 = starts(500, 7);
  // step 0.025, noise √0.025 → T = 0.025 / 0.05 = 0.5: N(μ, Σ/2).
  const xs = takeArray(sgld(E, x0, { stepSize: 0.025, noise: Math.sqrt(0.025), steps: 500 }, createRng(8)));
  x0.dispose();
  const m = moments2(xs);
  assertClose(t, m.mean[0], 1, 0.08, 'mean x1');
  assertClose(t, m.cov[0], 0.5, 0.08, 'var x1');
  assertClose(t, m.cov[1], 0.4, 0.08, 'cov x1,x2');
  const half = sampleGaussian({ mean: G.mean, cov: [0.5, 0.4, 0.5] }, 500, createRng(9));
  t.true(energyDistanceTest(xs, half, 2, createRng(10), 99).pValue > 0.01);
  const full = sampleGaussian(G, 500, createRng(11));
  t.true(energyDistanceTest(xs, full, 2, createRng(12), 99).pValue <= 0.01, 'T = 1 is rejected');
});

test('MALA samples an anisotropic 2-D Gaussian mixture with unequal weights (moments, two-sample test)', (t) => {
  const E = mixtureEnergy(WEIGHTS, MIX);
  const x0 = starts(500, 13);
  const r = mala(E, x0, { stepSize: 0.15, steps: 400 }, createRng(14));
  x0.dispose();
  t.true(r.acceptanceRate > 0.5 && r.acceptanceRate < 1, `acceptance ${r.acceptanceRate}`);
  const xs = takeArray(r.x);
  const exact = sampleMixture(WEIGHTS, MIX, 20000, createRng(15));
  const m = moments2(xs);
  const me = moments2(exact);
  for (let i = 0; i < 2; i++) assertClose(t, m.mean[i]!, me.mean[i]!, 0.1, `mean ${i}`);
  for (let i = 0; i < 3; i++) assertClose(t, m.cov[i]!, me.cov[i]!, 0.12, `cov ${i}`);
  // Fraction in the left mode (x1 < 0.1) ≈ its weight 0.3.
  let left = 0;
  for (let i = 0; i < 500; i++) if (xs[2 * i]! < 0.1) left++;
  assertClose(t, left / 500, 0.3, 0.07, 'left-mode fraction');
  t.true(energyDistanceTest(xs, exact.subarray(0, 1000), 2, createRng(16), 99).pValue > 0.01);
  const swapped = sampleMixture([0.7, 0.3], MIX, 1000, createRng(17));
  t.true(energyDistanceTest(xs, swapped, 2, createRng(18), 99).pValue <= 0.01, 'swapped weights are rejected');
});

test('MALA is exact for a large step where unadjusted Langevin is visibly biased', (t) => {
  // Precision 5 along (1,1)/√2: with α = 0.3, ULA inflates that variance by 1/(1 − αλ/4) = 1.6; MALA does not.
  const E = gaussianEnergy(G);
  const x0 = starts(400, 19);
  const rm = mala(E, x0, { stepSize: 0.3, steps: 300 }, createRng(20));
  const xm = takeArray(rm.x);
  const xu = takeArray(langevin(E, x0, { stepSize: 0.3, steps: 300 }, createRng(21)));
  x0.dispose();
  const varAlong = (xs: Float32Array) => {
    const c = moments2(xs).cov;
    return (c[0] + 2 * c[1] + c[2]) / 2; // Var of (x1 + x2)/√2, exact 1.8
  };
  const varAcross = (xs: Float32Array) => {
    const c = moments2(xs).cov;
    return (c[0] - 2 * c[1] + c[2]) / 2; // exact 0.2
  };
  assertClose(t, varAcross(xm), 0.2, 0.04, 'MALA var across');
  assertClose(t, varAlong(xm), 1.8, 0.35, 'MALA var along');
  t.true(varAcross(xu) > 0.27, `ULA var across ${varAcross(xu)} shows the discretisation bias (exact 0.2, predicted 0.32)`);
});

test('samplers are reproducible from the seed, and every noise draw comes from the rng', (t) => {
  const E = gaussianEnergy(G);
  const x0 = starts(10, 22);
  for (const o of [
    { kind: 'langevin', stepSize: 0.1, steps: 5 },
    { kind: 'sgld', stepSize: 0.1, noise: 0.05, steps: 5 },
    { kind: 'mala', stepSize: 0.1, steps: 5 },
  ] as const) {
    const a = takeArray(runSampler(E, x0, o, createRng(5)).x);
    const b = takeArray(runSampler(E, x0, o, createRng(5)).x);
    const c = takeArray(runSampler(E, x0, o, createRng(6)).x);
    t.deepEqual(a, b, o.kind);
    t.notDeepEqual(a, c, o.kind);
  }
  x0.dispose();
});

test('gradient clipping bounds each move and clamping keeps samples in the data range', (t) => {
  const steep: EnergyFunction = (x) => tf.tidy(() => tf.mul(100, tf.sum(tf.square(x), 1)) as tf.Tensor1D);
  const x0 = tf.tensor2d([[1, -2], [0.5, 3]]);
  // No noise, one step of size 0.1 with every gradient component clipped to ±1: each coordinate moves by exactly 0.1.
  const x1 = takeArray(sgld(steep, x0, { stepSize: 0.1, noise: 0, steps: 1, gradClip: 1 }, createRng(1)));
  t.deepEqual(Array.from(x1, (v) => Math.round(v * 1e6) / 1e6), [0.9, -1.9, 0.4, 2.9]);
  const wide = tf.tensor2d(createRng(2).fillNormal(new Float32Array(400), 0, 3), [200, 2]);
  const xc = takeArray(langevin(gaussianEnergy(G), wide, { stepSize: 0.5, steps: 20, clamp: { min: -1, max: 1 } }, createRng(3)));
  t.true(xc.every((v) => v >= -1 && v <= 1));
  t.true(xc.some((v) => v === 1) && xc.some((v) => v === -1), 'the range is reached');
  tf.dispose([x0, wide]);
});

test('sampler options are checked at the boundary with the values in the message', (t) => {
  const E = gaussianEnergy(G);
  const x0 = starts(2, 1);
  t.throws(() => langevin(E, x0, { stepSize: -1, steps: 3 }, createRng(1)), { instanceOf: RangeError, message: /stepSize must be a finite number > 0, got -1/ });
  t.throws(() => sgld(E, x0, { stepSize: 1, noise: -0.1, steps: 3 }, createRng(1)), { message: /noise must be a finite number ≥ 0, got -0.1/ });
  t.throws(() => mala(E, x0, { stepSize: 1, steps: 2.5 }, createRng(1)), { message: /steps must be an integer ≥ 0, got 2.5/ });
  t.throws(() => langevin(E, x0, { stepSize: 1, steps: 1, clamp: { min: 1, max: 0 } }, createRng(1)), { message: /min < max, got \[1, 0\]/ });
  x0.dispose();
});

test('no tensors leak from the samplers', (t) => {
  const E = gaussianEnergy(G);
  const x0 = starts(20, 1);
  const before = tf.memory().numTensors;
  for (const o of [
    { kind: 'langevin', stepSize: 0.1, steps: 5, gradClip: 1, clamp: { min: -3, max: 3 } },
    { kind: 'sgld', stepSize: 0.1, noise: 0.05, steps: 5 },
    { kind: 'mala', stepSize: 0.1, steps: 5, gradClip: 2 },
  ] as const) {
    runSampler(E, x0, o, createRng(5)).x.dispose();
  }
  t.is(tf.memory().numTensors, before);
  x0.dispose();
});
