// Modern Hopfield networks and the Hopfield energies as tfjs EnergyFunctions: the update is the CCCP step and the
// gradient step on E, E decreases, one-step retrieval, and the tfjs energies and gradients equal the typed-array
// ones (finite differences for the gradient).
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import {
  HopfieldNetwork,
  ModernHopfield,
  composeEnergies,
  energyAndGradient,
  hopfieldEnergy,
  modernHopfieldEnergy,
  suggestBeta,
} from '@ebmkit/core/energy';

test.before(async () => {
  await selectBackend('cpu');
});

/** Central finite differences of f at x (step h), one per coordinate. */
function numericGradient(f: (v: Float64Array) => number, x: ArrayLike<number>, h: number): Float64Array {
  const g = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const p = Float64Array.from(x);
    const m = Float64Array.from(x);
    p[k]! += h;
    m[k]! -= h;
    g[k] = (f(p) - f(m)) / (2 * h);
  }
  return g;
}

function gaussianRows(rows: number, cols: number, seed: number, scale = 1): { rows: number; cols: number; data: Float64Array } {
  return { rows, cols, data: createRng(seed).fillNormal(new Float64Array(rows * cols), 0, scale) };
}

test('energy matches the formula by direct summation', (t) => {
  const X = gaussianRows(5, 4, 1);
  const beta = 0.7;
  const net = new ModernHopfield(X, beta);
  const xi = Float64Array.from([0.3, -0.2, 1.1, 0.5]);
  let z = 0;
  let m2 = 0;
  for (let i = 0; i < 5; i++) {
    let s = 0;
    let nn = 0;
    for (let k = 0; k < 4; k++) {
      s += X.data[i * 4 + k]! * xi[k]!;
      nn += X.data[i * 4 + k]! ** 2;
    }
    z += Math.exp(beta * s);
    m2 = Math.max(m2, nn);
  }
  const want = -Math.log(z) / beta + 0.5 * xi.reduce((a, v) => a + v * v, 0) + Math.log(5) / beta + 0.5 * m2;
  t.true(Math.abs(net.energy(xi) - want) < 1e-12, `${net.energy(xi)} vs ${want}`);
  t.true(net.energy(xi) >= 0, 'E ≥ 0 with the constant (Ramsauer et al., lemma A1)');
});

test('the update equals the gradient step ξ − ∇E (autodiff) and the CCCP step −∇E_concave (finite differences)', (t) => {
  const X = gaussianRows(6, 5, 2);
  const net = new ModernHopfield(X, 1.3);
  const E = modernHopfieldEnergy(net);
  const xi = createRng(3).fillNormal(new Float64Array(5));
  const upd = net.update(xi);
  // gradient step of size 1 on E, with ∇E from tfjs autodiff
  const x = tf.tensor2d(Float32Array.from(xi), [1, 5]);
  const { energy, grad } = energyAndGradient(E, x);
  const g = grad.dataSync();
  for (let k = 0; k < 5; k++) t.true(Math.abs(xi[k]! - g[k]! - upd[k]!) < 1e-4, `gradient step, coordinate ${k}`);
  t.true(Math.abs(energy.dataSync()[0]! - net.energy(xi)) < 1e-4 * (1 + Math.abs(net.energy(xi))));
  // CCCP: E = ½ξᵀξ (convex) + E₂(ξ) (concave, −β⁻¹ lse); the step solves ∇(½ξᵀξ)(ξ') = −∇E₂(ξ), i.e. ξ' = −∇E₂(ξ)
  const e2 = (v: Float64Array) => net.energy(v) - 0.5 * v.reduce((a, w) => a + w * w, 0);
  const d2 = numericGradient(e2, xi, 1e-5);
  for (let k = 0; k < 5; k++) t.true(Math.abs(-d2[k]! - upd[k]!) < 1e-6, `CCCP coordinate ${k}: ${-d2[k]!} vs ${upd[k]}`);
  tf.dispose([x, energy, grad]);
  E.dispose();
});

test('the energy never increases under updates, and analytic gradients match finite differences', (t) => {
  const X = gaussianRows(20, 8, 4);
  const net = new ModernHopfield(X, 0.5);
  const rng = createRng(5);
  const q = { rows: 10, cols: 8, data: rng.fillNormal(new Float64Array(80), 0, 2) };
  const r = net.recall(q, 5);
  for (let t1 = 1; t1 < r.energies.length; t1++) {
    for (let j = 0; j < 10; j++) t.true(r.energies[t1]![j]! <= r.energies[t1 - 1]![j]! + 1e-10, `query ${j}, update ${t1}`);
  }
  const xi = q.data.subarray(0, 8);
  const g = net.gradient(xi);
  const fd = numericGradient((v) => net.energy(v), xi, 1e-5);
  for (let k = 0; k < 8; k++) t.true(Math.abs(fd[k]! - g[k]!) < 1e-6, `coordinate ${k}`);
});

test('one update retrieves well-separated patterns from half-masked queries with the suggested β', (t) => {
  const X = gaussianRows(50, 64, 6);
  const beta = suggestBeta(X, { observed: 0.5 });
  t.true(Math.abs(beta - 2 * suggestBeta(X)) < 1e-12, 'half the values seen: twice the β');
  t.throws(() => suggestBeta(X, { observed: 0 }), { message: /observed is 0, expected a share in \(0, 1\]/ });
  const net = new ModernHopfield(X, beta);
  const q = Float64Array.from(X.data);
  for (let i = 0; i < 50; i++) q.fill(0, i * 64 + 32, i * 64 + 64);
  const r = net.recall({ rows: 50, cols: 64, data: q }, 1);
  let ok = 0;
  for (let i = 0; i < 50; i++) if (net.nearest(r.states, i * 64) === i) ok++;
  t.is(ok, 50);
  t.throws(() => new ModernHopfield(X, 0), { message: /beta is 0/ });
  t.throws(() => suggestBeta({ rows: 3, cols: 2, data: new Float64Array(6) }), { message: /all patterns are equal/ });
});

test('the classical EnergyFunction equals the typed-array energy; its gradient matches finite differences', (t) => {
  const rng = createRng(7);
  const pats = { rows: 3, cols: 16, data: Float64Array.from({ length: 48 }, () => (rng.uniform() < 0.5 ? -1 : 1)) };
  const hebb = HopfieldNetwork.hebbian(pats);
  const bias = rng.fillNormal(new Float64Array(16), 0, 0.2);
  const net = new HopfieldNetwork({ size: 16, weights: hebb.weights, bias });
  const E = hopfieldEnergy(net);
  const xs = rng.fillNormal(new Float64Array(32));
  const x = tf.tensor2d(Float32Array.from(xs), [2, 16]);
  const { energy, grad } = energyAndGradient(E, x);
  const e = energy.dataSync();
  const g = grad.dataSync();
  const h = 1e-4;
  for (let r = 0; r < 2; r++) {
    const row = xs.subarray(r * 16, r * 16 + 16);
    t.true(Math.abs(e[r]! - net.energy(row)) < 1e-4 * (1 + Math.abs(e[r]!)), `row ${r}`);
    const ga = net.gradient(row);
    const fd = numericGradient((v) => net.energy(v), row, h);
    for (let k = 0; k < 16; k++) t.true(Math.abs(fd[k]! - ga[k]!) < 1e-6 && Math.abs(fd[k]! - g[r * 16 + k]!) < 1e-4, `row ${r} coordinate ${k}`);
  }
  // it composes: E + 2·E is 3·E
  const E3 = composeEnergies([
    [E, 1],
    [E, 2],
  ]);
  const e3 = E3(x);
  const e3v = e3.dataSync();
  for (let r = 0; r < 2; r++) t.true(Math.abs(e3v[r]! - 3 * e[r]!) < 1e-3 * (1 + Math.abs(e[r]!)));
  t.throws(() => E(tf.zeros([2, 5])), { message: /expected a batch of shape \[B, 16\]/ });
  tf.dispose([x, energy, grad, e3]);
  E.dispose();
});
