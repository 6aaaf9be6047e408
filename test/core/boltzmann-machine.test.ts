// The fully visible Boltzmann machine: log Z and moments against brute force, Gibbs sampling against the exact
// distribution (chi-square), and PCD training that matches the data's moments E[x xᵀ].
import test from 'ava';
import { createRng, type Rng } from '@ebmkit/core';
import { chiSquareTest } from '@ebmkit/core/testing';
import { BoltzmannMachine, dataMoments, trainBoltzmannMachine } from '@ebmkit/core/energy';

function randomBm(rng: Rng, d: number, scale: number): BoltzmannMachine {
  const W = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) W[i * d + j] = W[j * d + i] = scale * rng.normal();
  const b = Float64Array.from({ length: d }, () => scale * rng.normal());
  return new BoltzmannMachine({ size: d, couplings: W, bias: b });
}

function states(d: number): number[][] {
  return Array.from({ length: 2 ** d }, (_, s) => Array.from({ length: d }, (_, i) => (s >> i) & 1));
}

test('log Z and moments equal brute-force sums over all states', (t) => {
  const bm = randomBm(createRng(1), 6, 0.8);
  const all = states(6);
  const negE = all.map((x) => -bm.energy(x));
  // E(x) = −xᵀWx − bᵀx written out as a double sum.
  const x0 = all[45]!;
  let e = 0;
  for (let i = 0; i < 6; i++) {
    e -= bm.bias[i]! * x0[i]!;
    for (let j = 0; j < 6; j++) e -= x0[i]! * bm.couplings[i * 6 + j]! * x0[j]!;
  }
  t.true(Math.abs(bm.energy(x0) - e) < 1e-12);
  const m = Math.max(...negE);
  const logZ = m + Math.log(negE.reduce((s, v) => s + Math.exp(v - m), 0));
  t.true(Math.abs(bm.logPartition() - logZ) < 1e-10);
  const { mean, second } = bm.moments();
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++) {
      const want = all.reduce((s, x, k) => s + Math.exp(negE[k]! - logZ) * x[i]! * x[j]!, 0);
      t.true(Math.abs(second[i * 6 + j]! - want) < 1e-10);
    }
    t.true(Math.abs(mean[i]! - second[i * 6 + i]!) < 1e-12);
  }
});

test('Gibbs sampling follows the exact distribution (chi-square)', (t) => {
  const bm = randomBm(createRng(2), 4, 1);
  const p = bm.distribution();
  const x = bm.sample({ count: 3000, sweeps: 20, rng: createRng(3) });
  const counts = new Float64Array(16);
  for (let c = 0; c < 3000; c++) {
    let idx = 0;
    for (let i = 0; i < 4; i++) if (x[c * 4 + i]) idx |= 1 << i;
    counts[idx]! += 1;
  }
  const res = chiSquareTest(counts, p);
  t.true(res.pValue > 0.001, `chi-square ${res.statistic} on ${res.df} df, p ${res.pValue}`);
  t.true(chiSquareTest(counts, new Float64Array(16).fill(1 / 16)).pValue < 1e-6);
});

test('PCD training matches the data moments E[x xᵀ] (exact model moments by enumeration)', (t) => {
  const truth = randomBm(createRng(4), 7, 0.6);
  // 4,000 exact samples from the teacher.
  const p = truth.distribution();
  const rng = createRng(5);
  const n = 4000;
  const data = new Float32Array(n * 7);
  for (let r = 0; r < n; r++) {
    const s = rng.categorical(p);
    for (let i = 0; i < 7; i++) data[r * 7 + i] = (s >> i) & 1;
  }
  const x = { rows: n, cols: 7, data };
  const model = trainBoltzmannMachine(x, { rng: createRng(6), epochs: 40, batchSize: 100, chains: 200, learningRate: (e) => 0.1 / (1 + e / 5) });
  const want = dataMoments(x);
  const got = model.moments();
  let worst = 0;
  for (let k = 0; k < 49; k++) worst = Math.max(worst, Math.abs(got.second[k]! - want.second[k]!));
  t.true(worst < 0.03, `max |E_model[xxᵀ] − E_data[xxᵀ]| = ${worst}`);
  // The untrained (uniform) machine is far from the data's moments: the check has teeth.
  const u = BoltzmannMachine.zeros(7).moments();
  let far = 0;
  for (let k = 0; k < 49; k++) far = Math.max(far, Math.abs(u.second[k]! - want.second[k]!));
  t.true(far > 0.1);
});

test('bad parameters and non-binary data are refused', (t) => {
  t.throws(() => new BoltzmannMachine({ size: 2, couplings: Float64Array.from([0, 1, 2, 0]), bias: new Float64Array(2) }), { message: /not symmetric/ });
  t.throws(() => new BoltzmannMachine({ size: 2, couplings: Float64Array.from([1, 0, 0, 0]), bias: new Float64Array(2) }), { message: /diagonal must be 0/ });
  t.throws(() => trainBoltzmannMachine({ rows: 1, cols: 2, data: Float32Array.from([0, 0.5]) }, { rng: createRng(1) }), { message: /value 0.5 at row 0, column 1 is not 0 or 1/ });
  t.throws(() => BoltzmannMachine.zeros(21).logPartition(), { message: /too many to enumerate/ });
});
