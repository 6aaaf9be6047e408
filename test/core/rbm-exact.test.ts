// Exact RBM quantities against brute force: log Z by summing e^{−E(v,h)} over every (v, h) (or quadrature for
// Gaussian units), and the exact log-likelihood gradient against finite differences.
import test from 'ava';
import { createRng, type Rng } from '@ebmkit/core';
import { checkGradient } from '@ebmkit/core/testing';
import {
  Rbm,
  rbmExactGradient,
  rbmExactLogLikelihood,
  rbmLogPartition,
  enumeratedLayer,
  type RowMatrix,
  type VisibleUnits,
} from '@ebmkit/core/energy';

function randomRbm(rng: Rng, V: number, H: number, visible: VisibleUnits = 'bernoulli', scale = 1): Rbm {
  const f = (n: number) => rng.fillNormal(new Float32Array(n), 0, scale);
  return new Rbm({ visible, numVisible: V, numHidden: H, weights: f(V * H), visibleBias: f(V), hiddenBias: f(H) });
}

/** log Σ_{v,h} e^{−E(v,h)} by direct summation over all 2^(V+H) joint states. */
function bruteLogZ(r: Rbm): number {
  const V = r.numVisible;
  const H = r.numHidden;
  const terms: number[] = [];
  for (let sv = 0; sv < 2 ** V; sv++) {
    for (let sh = 0; sh < 2 ** H; sh++) {
      let negE = 0;
      for (let i = 0; i < V; i++) if ((sv >> i) & 1) negE += r.visibleBias[i]!;
      for (let j = 0; j < H; j++) if ((sh >> j) & 1) negE += r.hiddenBias[j]!;
      for (let i = 0; i < V; i++) for (let j = 0; j < H; j++) if ((sv >> i) & 1 && (sh >> j) & 1) negE += r.weights[i * H + j]!;
      terms.push(negE);
    }
  }
  const m = Math.max(...terms);
  return m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0));
}

test('log Z by enumerating the hidden layer equals the brute-force sum over (v, h)', (t) => {
  const rng = createRng(1);
  const r = randomRbm(rng, 6, 4);
  t.is(enumeratedLayer(r).layer, 'hidden');
  t.true(Math.abs(rbmLogPartition(r) - bruteLogZ(r)) < 1e-9);
});

test('log Z by enumerating the visible layer equals the brute-force sum over (v, h)', (t) => {
  const rng = createRng(2);
  const r = randomRbm(rng, 4, 7);
  t.is(enumeratedLayer(r).layer, 'visible');
  t.true(Math.abs(rbmLogPartition(r) - bruteLogZ(r)) < 1e-9);
});

test('Gaussian–Bernoulli log Z matches 2-D quadrature of Σ_h e^{−E(v,h)}', (t) => {
  const rng = createRng(3);
  const r = randomRbm(rng, 2, 3, 'gaussian', 0.7);
  const H = 3;
  // Midpoint rule on [−12, 12]² (the density is a mixture of unit Gaussians with means within a few units).
  const n = 600;
  const lo = -12;
  const step = 24 / n;
  let z = 0;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const v = [lo + (a + 0.5) * step, lo + (b + 0.5) * step];
      for (let sh = 0; sh < 2 ** H; sh++) {
        let negE = -0.5 * ((v[0]! - r.visibleBias[0]!) ** 2 + (v[1]! - r.visibleBias[1]!) ** 2);
        for (let j = 0; j < H; j++) {
          if (!((sh >> j) & 1)) continue;
          negE += r.hiddenBias[j]! + v[0]! * r.weights[0 * H + j]! + v[1]! * r.weights[1 * H + j]!;
        }
        z += Math.exp(negE) * step * step;
      }
    }
  }
  t.true(Math.abs(rbmLogPartition(r) - Math.log(z)) < 1e-6, `${rbmLogPartition(r)} vs ${Math.log(z)}`);
});

test('exact enumeration refuses a layer above the limit and names it', (t) => {
  const r = Rbm.random({ numVisible: 30, numHidden: 25, rng: createRng(4) });
  const err = t.throws(() => rbmLogPartition(r), { instanceOf: RangeError });
  t.regex(err!.message, /25 units.*limited to 20.*rbmAis/);
});

function dataFor(rng: Rng, rows: number, V: number, visible: VisibleUnits): RowMatrix {
  const d = new Float32Array(rows * V);
  for (let i = 0; i < d.length; i++) d[i] = visible === 'bernoulli' ? (rng.uniform() < 0.3 + 0.4 * ((i % V) / V) ? 1 : 0) : rng.normal() + 0.5;
  return { rows, cols: V, data: d };
}

/** Flattens (W, b, c) into one Float64 vector and back, for finite differences. */
function flat(r: Rbm): Float64Array {
  return Float64Array.from([...r.weights, ...r.visibleBias, ...r.hiddenBias]);
}
function unflat(r: Rbm, x: Float64Array) {
  const nW = r.numVisible * r.numHidden;
  return {
    visible: r.visible,
    numVisible: r.numVisible,
    numHidden: r.numHidden,
    weights: x.subarray(0, nW),
    visibleBias: x.subarray(nW, nW + r.numVisible),
    hiddenBias: x.subarray(nW + r.numVisible),
  };
}

for (const [name, V, H, visible] of [
  ['Bernoulli, hidden enumerated', 5, 3, 'bernoulli'],
  ['Bernoulli, visible enumerated', 3, 5, 'bernoulli'],
  ['Gaussian', 3, 4, 'gaussian'],
] as const) {
  test(`exact log-likelihood gradient matches finite differences (${name})`, (t) => {
    const rng = createRng(10 + V * 7 + H);
    const r = randomRbm(rng, V, H, visible, 0.5);
    const data = dataFor(rng, 40, V, visible);
    const x0 = flat(r);
    const g = rbmExactGradient(r, data);
    const analytic = Float64Array.from([...g.weights, ...g.visibleBias, ...g.hiddenBias]);
    t.true(Math.abs(g.logLikelihood - rbmExactLogLikelihood(r, data)) < 1e-12);
    const res = checkGradient((x) => rbmExactLogLikelihood(unflat(r, x), data), () => analytic, x0, { epsilon: 1e-5 });
    t.true(res.maxAbsError < 1e-6, `max abs error ${res.maxAbsError} at ${res.worstIndex}`);
  });
}
