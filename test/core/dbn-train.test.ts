// Deep belief networks: greedy pretraining stacks RBMs, fine-tuning starts from their weights and learns a
// classifier; save/load keeps predictions.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { fineTuneDbn, loadDbn, pretrainDbn, saveDbn, type RowMatrix } from '@ebmkit/core/energy';

let dir = '';
test.before(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'ebm-dbn-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Three noisy 5×5 prototypes (a bar, a cross, a square): each pixel flipped with probability 0.1. */
function shapes(n: number, seed: number): { x: RowMatrix; y: Int32Array } {
  const rng = createRng(seed);
  const protos = [
    (r: number, c: number) => c === 2,
    (r: number, c: number) => r === c || r + c === 4,
    (r: number, c: number) => r === 0 || r === 4 || c === 0 || c === 4,
  ];
  const x = new Float32Array(n * 25);
  const y = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const cls = rng.int(3);
    y[k] = cls;
    for (let p = 0; p < 25; p++) {
      const on = protos[cls]!(Math.floor(p / 5), p % 5);
      x[k * 25 + p] = (rng.uniform() < 0.1 ? !on : on) ? 1 : 0;
    }
  }
  return { x: { rows: n, cols: 25, data: x }, y };
}

test('pretraining stacks one RBM per layer on the layer below', async (t) => {
  const { x } = shapes(300, 1);
  const layers: number[] = [];
  const rbms = await pretrainDbn(x, { layers: [16, 8], rbm: { epochs: 3, batchSize: 10, learningRate: 0.1, rng: createRng(2) }, onEpoch: (l) => void layers.push(l) });
  t.deepEqual(rbms.map((r) => [r.numVisible, r.numHidden]), [[25, 16], [16, 8]]);
  t.deepEqual(layers, [0, 0, 0, 1, 1, 1]);
});

test('fine-tuning starts from the RBM weights and learns the classes; save/load keeps predictions', async (t) => {
  const train = shapes(400, 3);
  const test_ = shapes(200, 4);
  const rbms = await pretrainDbn(train.x, { layers: [16], rbm: { epochs: 5, batchSize: 10, learningRate: 0.1, rng: createRng(5) } });
  const zero = await fineTuneDbn(train.x, train.y, { numClasses: 3, pretrained: rbms, epochs: 0, rng: createRng(6) });
  t.deepEqual(zero.hidden[0]!.weights, rbms[0]!.weights);
  t.deepEqual(zero.hidden[0]!.bias, rbms[0]!.hiddenBias);
  const losses: number[] = [];
  const tuned = await fineTuneDbn(train.x, train.y, { numClasses: 3, pretrained: rbms, epochs: 5, rng: createRng(6), onEpoch: (_, loss) => void losses.push(loss) });
  t.true(losses[4]! < losses[0]!);
  const acc = tuned.accuracy(test_.x, test_.y);
  t.true(acc > 0.9, `accuracy ${acc}`);
  const file = join(dir, 'm.dbn');
  await saveDbn(file, tuned, { note: 'test' });
  const back = await loadDbn(file);
  t.deepEqual(back.model.predict(test_.x), tuned.predict(test_.x));
  t.deepEqual(back.metadata, { note: 'test' });
  // The same architecture from a random start trains too (and has a different first layer).
  const random = await fineTuneDbn(train.x, train.y, { numClasses: 3, hidden: [16], epochs: 1, rng: createRng(6) });
  t.is(random.hidden[0]!.outputs, 16);
  t.notDeepEqual(random.hidden[0]!.weights, tuned.hidden[0]!.weights);
});

test('labels out of range are refused', async (t) => {
  const { x } = shapes(10, 1);
  await t.throwsAsync(fineTuneDbn(x, Int32Array.from({ length: 10 }, (_, i) => i), { numClasses: 3, hidden: [4], rng: createRng(1) }), { message: /label 3 at row 3 is not in 0 … 2/ });
});
