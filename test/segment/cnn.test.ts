// The CNN unary on the wasm backend: importing the package does not load tfjs; a tiny network learns a tiny task;
// weights round-trip.
import test from 'ava';
import { createRng, selectBackend } from '@ebmkit/core';
import { syntheticExample } from './helpers.js';

test.serial('importing @ebmkit/segment does not load tfjs', async (t) => {
  const before = Object.keys(globalThis).includes('tf');
  await import('@ebmkit/segment');
  const { activeBackend } = await import('@ebmkit/core');
  t.is(activeBackend(), undefined, 'no backend selected by the import');
  t.false(before);
});

test.serial('the convolution with hand-written gradients matches tfjs gradients (cpu backend)', async (t) => {
  const sel = await selectBackend('cpu');
  const tf = sel.tf;
  const { makeConv } = await import('@ebmkit/segment');
  const conv = makeConv(tf);
  const rng = createRng(3);
  for (const k of [1, 3]) {
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 5 * 4 * 3 }, () => rng.normal()), [2, 5, 4, 3]);
    const w = tf.tensor4d(Float32Array.from({ length: k * k * 3 * 2 }, () => rng.normal()), [k, k, 3, 2]);
    const r = tf.tensor4d(Float32Array.from({ length: 2 * 5 * 4 * 2 }, () => rng.normal()), [2, 5, 4, 2]);
    const loss = (f: (a: any, b: any) => any) => (a: any, b: any) => tf.sum(tf.mul(f(a, b), r));
    const ours = tf.grads(loss(conv))([x, w]);
    const ref = tf.grads(loss((a, b) => tf.conv2d(a, b, 1, 'same')))([x, w]);
    for (let i = 0; i < 2; i++) {
      const a = ours[i]!.dataSync();
      const b = ref[i]!.dataSync();
      for (let j = 0; j < a.length; j++) t.true(Math.abs(a[j]! - b[j]!) < 1e-4, `k=${k} grad ${i}[${j}]: ${a[j]} vs ${b[j]}`);
    }
    t.deepEqual(Array.from(conv(x, w).dataSync()), Array.from(tf.conv2d(x, w, 1, 'same').dataSync()));
  }
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
