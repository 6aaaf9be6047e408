// The replay buffer (re-initialisation rate, write-back, short-run chains through the buffer reaching the target)
// and persistent chains (PCD) against a known Gaussian.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { energyDistanceTest, normalInit, PersistentChains, ReplayBuffer, runSampler } from '@ebmkit/core/energy';
import { gaussianEnergy, moments2, sampleGaussian, type Gauss2 } from './energy-helpers.ts';

test.before(async () => {
  await selectBackend('wasm');
});

const G: Gauss2 = { mean: [2, -1], cov: [0.5, 0.2, 0.4] };

test('the buffer starts full of noise and re-initialises about 5 % of draws (binomial check)', (t) => {
  const rng = createRng(1);
  const buf = new ReplayBuffer({ sampleShape: [3], capacity: 100 }, rng);
  t.is(buf.reinitProbability, 0.05);
  t.true(buf.data.every((v) => v >= -1 && v < 1), 'default init is U[-1, 1)');
  let fresh = 0;
  const n = 20000;
  for (let i = 0; i < n / 100; i++) fresh += buf.drawArray(100, rng).fresh.reduce((a, b) => a + b, 0);
  // Binomial(20000, 0.05): sd ≈ 30.8; 4 sd either side.
  t.true(Math.abs(fresh - 1000) < 124, `fresh ${fresh}`);
});

test('drawn rows are copies of their slots, and write-back lands in the same slots', (t) => {
  const rng = createRng(2);
  const buf = new ReplayBuffer({ sampleShape: [2, 2], capacity: 10, reinitProbability: 0 }, rng);
  const d = buf.draw(4, rng);
  t.deepEqual(d.x.shape, [4, 2, 2]);
  const xs = d.x.dataSync();
  for (let i = 0; i < 4; i++) t.deepEqual(Array.from(xs.subarray(4 * i, 4 * i + 4)), Array.from(buf.data.subarray(4 * d.slots[i]!, 4 * d.slots[i]! + 4)));
  const updated = tf.add(d.x, 10);
  buf.write(d.slots, updated);
  for (let i = 0; i < 4; i++) t.true(buf.data[4 * d.slots[i]!]! >= 9, 'written back');
  t.throws(() => buf.write(Int32Array.from([0]), new Float32Array(3)), { instanceOf: RangeError, message: /3 values for 1 slots of 4/ });
  t.throws(() => new ReplayBuffer({ sampleShape: [2], reinitProbability: 1.5 }, rng), { message: /reinitProbability must be in \[0, 1\], got 1.5/ });
  tf.dispose([d.x, updated]);
});

test('short-run chains restarted from the buffer and written back converge to the target (no re-init)', (t) => {
  const rng = createRng(3);
  const E = gaussianEnergy(G);
  const buf = new ReplayBuffer({ sampleShape: [2], capacity: 400, reinitProbability: 0, init: normalInit(1) }, rng);
  // 60 rounds × 200 draws × 10 MALA steps: each slot sees ≈ 300 steps on average.
  for (let round = 0; round < 60; round++) {
    const d = buf.draw(200, rng);
    const r = runSampler(E, d.x, { kind: 'mala', stepSize: 0.2, steps: 10 }, rng);
    buf.write(d.slots, r.x);
    tf.dispose([d.x, r.x]);
  }
  const m = moments2(buf.data);
  t.true(Math.abs(m.mean[0] - 2) < 0.12 && Math.abs(m.mean[1] + 1) < 0.12, `mean ${m.mean}`);
  t.true(Math.abs(m.cov[0] - 0.5) < 0.12 && Math.abs(m.cov[1] - 0.2) < 0.1, `cov ${m.cov}`);
  const exact = sampleGaussian(G, 400, createRng(4));
  t.true(energyDistanceTest(buf.data, exact, 2, createRng(5), 99).pValue > 0.01);
  const start = createRng(6).fillNormal(new Float32Array(800));
  t.true(energyDistanceTest(start, exact, 2, createRng(7), 99).pValue <= 0.01, 'the initial noise is rejected');
});

test('persistent chains continue across calls and reach the target; the state can be reset', (t) => {
  const E = gaussianEnergy(G);
  const init = tf.tensor2d(createRng(8).fillNormal(new Float32Array(600), 0, 3), [300, 2]);
  const chains = new PersistentChains(init);
  const rng = createRng(9);
  let last: tf.Tensor | undefined;
  for (let k = 0; k < 30; k++) {
    last?.dispose();
    last = chains.advance(E, { kind: 'mala', stepSize: 0.2, steps: 10 }, rng);
  }
  t.true(chains.lastAcceptanceRate! > 0.5);
  const xs = last!.dataSync() as Float32Array;
  const exact = sampleGaussian(G, 300, createRng(10));
  t.true(energyDistanceTest(xs, exact, 2, createRng(11), 99).pValue > 0.01);
  t.true(energyDistanceTest(init.dataSync(), exact, 2, createRng(12), 99).pValue <= 0.01, 'the start is rejected');
  chains.reset(init);
  t.deepEqual(chains.state.dataSync(), init.dataSync());
  t.throws(() => chains.reset(tf.zeros([2, 2])), { message: /shape \[2, 2\] !== \[300, 2\]/ });
  chains.dispose();
  tf.dispose([init, last!]);
});
