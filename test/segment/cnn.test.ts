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
