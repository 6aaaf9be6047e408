// Composition (product of experts) and test-time conditioning: exact energy values, and samples of a composed
// energy against the analytic product of Gaussians.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { composeEnergies, conditionEnergy, energyAndGradient, energyDistanceTest, mala, type EnergyFunction } from '@ebmkit/core/energy';
import { gaussianEnergy, moments2, sampleGaussian } from './energy-helpers.ts';

test.before(async () => {
  await selectBackend('wasm');
});

test('composeEnergies is Σ wᵢ Eᵢ, with gradients that add the same way', (t) => {
  const e1: EnergyFunction = (x) => tf.sum(tf.square(x), 1) as tf.Tensor1D;
  const e2: EnergyFunction = (x) => tf.sum(tf.sin(x), 1) as tf.Tensor1D;
  const E = composeEnergies([
    [e1, 2],
    [e2, -0.5],
  ]);
  const x = tf.tensor2d([[0.3, -1], [2, 0.5]]);
  const { energy, grad } = energyAndGradient(E, x);
  const xs = [0.3, -1, 2, 0.5];
  const want = [0, 1].map((n) => 2 * (xs[2 * n]! ** 2 + xs[2 * n + 1]! ** 2) - 0.5 * (Math.sin(xs[2 * n]!) + Math.sin(xs[2 * n + 1]!)));
  const got = energy.dataSync();
  want.forEach((w, i) => t.true(Math.abs(got[i]! - w) < 1e-5, `E[${i}] = ${got[i]}, want ${w}`));
  const g = grad.dataSync();
  xs.forEach((v, i) => t.true(Math.abs(g[i]! - (4 * v - 0.5 * Math.cos(v))) < 1e-5, `grad[${i}]`));
  tf.dispose([x, energy, grad]);
});

test('composeEnergies checks its input', (t) => {
  const e: EnergyFunction = (x) => tf.sum(x, 1) as tf.Tensor1D;
  t.throws(() => composeEnergies([]), { instanceOf: RangeError, message: /at least one/ });
  t.throws(() => composeEnergies([[e, NaN]]), { message: /weight of term 0 is NaN/ });
});

test('a product of two Gaussian experts, sampled by MALA, is the Gaussian with summed precisions', (t) => {
  // Expert 1: N((0,0), I); expert 2: N((2,1), diag(0.5, 2)) with weight 2 → precision diag(1 + 4, 1 + 1) = diag(5, 2);
  // mean = P⁻¹ (0 + 2·diag(2, 0.5)(2, 1)) = (8/5, 1/2).
  const E = composeEnergies([
    [gaussianEnergy({ mean: [0, 0], cov: [1, 0, 1] }), 1],
    [gaussianEnergy({ mean: [2, 1], cov: [0.5, 0, 2] }), 2],
  ]);
  const x0 = tf.tensor2d(createRng(1).fillNormal(new Float32Array(800)), [400, 2]);
  const r = mala(E, x0, { stepSize: 0.2, steps: 200 }, createRng(2));
  const xs = r.x.dataSync() as Float32Array;
  const m = moments2(xs);
  t.true(Math.abs(m.mean[0] - 1.6) < 0.06 && Math.abs(m.mean[1] - 0.5) < 0.1, `mean ${m.mean}`);
  t.true(Math.abs(m.cov[0] - 0.2) < 0.04 && Math.abs(m.cov[2] - 0.5) < 0.1, `cov ${m.cov}`);
  const exact = sampleGaussian({ mean: [1.6, 0.5], cov: [0.2, 0, 0.5] }, 400, createRng(3));
  t.true(energyDistanceTest(xs, exact, 2, createRng(4), 99).pValue > 0.01);
  const expert1 = sampleGaussian({ mean: [0, 0], cov: [1, 0, 1] }, 400, createRng(5));
  t.true(energyDistanceTest(xs, expert1, 2, createRng(6), 99).pValue <= 0.01, 'one expert alone is rejected');
  tf.dispose([x0, r.x]);
});

test('conditioning adds a constraint energy at test time: p(x | x₁ ≈ c) of a correlated Gaussian', (t) => {
  // x ~ N(0, [[1, .8], [.8, 1]]); constraint E_c = (x₁ − c)² / (2 · 0.01) pins x₁ near c, so x₂ | x₁ ≈ c has
  // mean ≈ 0.8c and variance ≈ 0.36 (Gaussian conditioning; the soft pin shifts these by about 1 %).
  const prior = gaussianEnergy({ mean: [0, 0], cov: [1, 0.8, 1] });
  const pin = (x: tf.Tensor, c: number) => tf.tidy(() => tf.div(tf.square(tf.sub(tf.squeeze(tf.slice(x, [0, 0], [-1, 1]), [1]), c)), 0.02) as tf.Tensor1D);
  const E = conditionEnergy(prior, pin, 1.5);
  const x0 = tf.tensor2d(createRng(7).fillNormal(new Float32Array(800)), [400, 2]);
  const r = mala(E, x0, { stepSize: 0.01, steps: 400 }, createRng(8));
  const m = moments2(r.x.dataSync());
  // Exact for the soft pin: precision P + diag(50, 0) → mean of x₂ = 1.5·50·Σ... computed in closed form below.
  const P = [1 / 0.36, -0.8 / 0.36, 1 / 0.36];
  const a = P[0]! + 50;
  const det = a * P[2]! - P[1]! * P[1]!;
  const cov = [P[2]! / det, -P[1]! / det, a / det];
  const mean = [cov[0]! * 75, cov[1]! * 75];
  t.true(Math.abs(m.mean[0] - mean[0]!) < 0.03, `mean x₁ ${m.mean[0]} vs ${mean[0]}`);
  t.true(Math.abs(m.mean[1] - mean[1]!) < 0.08, `mean x₂ ${m.mean[1]} vs ${mean[1]}`);
  t.true(Math.abs(m.cov[2] - cov[2]!) < 0.08, `var x₂ ${m.cov[2]} vs ${cov[2]}`);
  tf.dispose([x0, r.x]);
});
