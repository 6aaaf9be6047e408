// The RBM's block Gibbs sampler against the exact distribution of a tiny RBM (chi-square), and AIS against the
// exact log Z (by enumeration).
import test from 'ava';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { chiSquareTest } from '@ebmkit/core/testing';
import { Rbm, aisSchedule, rbmAis, rbmLogPartition, rbmVisibleDistribution, baseRateVisibleBias, rbmLogLikelihood, rbmExactLogLikelihood } from '@ebmkit/core/energy';

test.before(async () => {
  await selectBackend('wasm');
});

function tinyRbm(seed: number, V: number, H: number, scale: number, visible: 'bernoulli' | 'gaussian' = 'bernoulli'): Rbm {
  const rng = createRng(seed);
  const f = (n: number) => rng.fillNormal(new Float32Array(n), 0, scale);
  return new Rbm({ visible, numVisible: V, numHidden: H, weights: f(V * H), visibleBias: f(V), hiddenBias: f(H) });
}

test('block Gibbs samples of a 4×3 RBM follow the exact p(v) (chi-square)', (t) => {
  const rbm = tinyRbm(5, 4, 3, 1.2);
  const p = rbmVisibleDistribution(rbm);
  t.true(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  const { states } = rbm.sample({ count: 4000, steps: 30, rng: createRng(6) });
  const counts = new Float64Array(16);
  for (let r = 0; r < states.rows; r++) {
    let idx = 0;
    for (let i = 0; i < 4; i++) if (states.data[r * 4 + i]) idx |= 1 << i;
    counts[idx]! += 1;
  }
  const res = chiSquareTest(counts, p);
  t.true(res.pValue > 0.001, `chi-square ${res.statistic.toFixed(1)} on ${res.df} df, p = ${res.pValue}`);
  // A wrong distribution is rejected by the same test (the test has power).
  const uniform = new Float64Array(16).fill(1 / 16);
  t.true(chiSquareTest(counts, uniform).pValue < 1e-6);
});

test('AIS estimate of log Z is within 3 standard errors (and 0.1 nats) of the exact value', (t) => {
  const rbm = tinyRbm(7, 20, 8, 0.6);
  const exact = rbmLogPartition(rbm);
  const data = rbm.sample({ count: 200, steps: 50, rng: createRng(8) }).states;
  const ais = rbmAis(rbm, { rng: createRng(9), runs: 100, betas: 600, baseVisibleBias: baseRateVisibleBias(data) });
  const diff = ais.logZ - exact;
  t.true(ais.standardError > 0 && ais.standardError < 0.1, `SE ${ais.standardError}`);
  t.true(Math.abs(diff) < 3 * ais.standardError + 1e-3, `AIS ${ais.logZ} ± ${ais.standardError} vs exact ${exact}`);
  t.true(Math.abs(diff) < 0.1);
  t.true(ais.interval[0] <= ais.logZ && ais.logZ <= ais.interval[1]);
  // The test log-likelihood from the AIS log Z agrees with the exact one to the same precision.
  const ll = rbmLogLikelihood(rbm, data, ais);
  t.true(Math.abs(ll.logLikelihood - rbmExactLogLikelihood(rbm, data, exact)) < 3 * ais.standardError + 1e-3);
});

test('AIS works for Gaussian visible units (exact log Z over the hidden layer)', (t) => {
  const rbm = tinyRbm(11, 6, 5, 0.4, 'gaussian');
  const exact = rbmLogPartition(rbm);
  const ais = rbmAis(rbm, { rng: createRng(12), runs: 100, betas: 600 });
  t.true(Math.abs(ais.logZ - exact) < 3 * ais.standardError + 2e-3, `AIS ${ais.logZ} ± ${ais.standardError} vs exact ${exact}`);
});

test('aisSchedule runs from 0 to 1, increasing, with most steps near β = 1', (t) => {
  const b = aisSchedule(14500);
  t.is(b.length, 14501);
  t.is(b[0], 0);
  t.is(b[14500], 1);
  let near = 0;
  for (let k = 1; k < b.length; k++) {
    t.true(b[k]! > b[k - 1]!);
    if (b[k]! > 0.9) near++;
  }
  t.true(near >= 9999);
  t.throws(() => rbmAis(tinyRbm(1, 3, 2, 1), { rng: createRng(1), betas: Float64Array.from([0, 0.5, 0.4, 1]) }), { message: /must increase/ });
});
