// Left–right flips of JEM's data batches: the flip itself against index arithmetic, and its effect on training
// (always flipping a task whose label is the side of the picture teaches the mirrored labels).
import test from 'ava';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { evaluateJem, flipRowLeftRight, Jem, trainJem, type LabelledData } from '@ebmkit/core/energy';

test.before(async () => {
  await selectBackend('wasm');
});

test('flipRowLeftRight mirrors each line of each channel, in place at an offset; twice is the identity', (t) => {
  const [H, W, C] = [3, 5, 2];
  const D = H * W * C;
  const x = Float32Array.from({ length: 7 + D }, (_, i) => i);
  const before = x.slice();
  flipRowLeftRight(x, 7, H, W, C);
  for (let i = 0; i < 7; i++) t.is(x[i], before[i]);
  for (let h = 0; h < H; h++) {
    for (let w = 0; w < W; w++) {
      for (let c = 0; c < C; c++) t.is(x[7 + (h * W + w) * C + c], before[7 + (h * W + (W - 1 - w)) * C + c]);
    }
  }
  flipRowLeftRight(x, 7, H, W, C);
  t.deepEqual(x, before);
});

/** 8×8 images, background −1, a bright 2×2 patch in the left (class 0) or right (class 1) half. */
function sides(n: number, seed: number): LabelledData {
  const rng = createRng(seed);
  const x = new Float32Array(n * 64).fill(-1);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    const row = rng.int(7);
    const col = y[i] === 0 ? rng.int(3) : 5 + rng.int(2);
    for (const [dr, dc] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) x[i * 64 + (row + dr) * 8 + col + dc] = 1;
  }
  return { x, y };
}

test('training with flipProbability 1 learns the mirrored labels, with 0 the labels; bad settings are refused', async (t) => {
  const data = sides(200, 1);
  const test_ = sides(100, 2);
  const acc: number[] = [];
  for (const flipProbability of [0, 1]) {
    const jem = Jem.create({ kind: 'cnn', inputShape: [8, 8, 1], classes: 2, filters: [4, 4], dense: 8 }, createRng(3));
    await trainJem(jem, data, { steps: 60, warmupSteps: 60, batchSize: 16, learningRate: 1e-2, flipProbability }, createRng(4));
    acc.push(evaluateJem(jem, test_).accuracy);
    jem.dispose();
  }
  t.true(acc[0]! > 0.95, `accuracy without flips ${acc[0]}`);
  t.true(acc[1]! < 0.05, `accuracy with every batch flipped ${acc[1]}`);
  const mlp = Jem.create({ kind: 'mlp', inputShape: [64], classes: 2, hidden: [4] }, createRng(3));
  await t.throwsAsync(trainJem(mlp, data, { steps: 1, flipProbability: 0.5 }, createRng(4)), { message: /flipProbability needs image inputs \[height, width, channels\], got \[64\]/ });
  await t.throwsAsync(trainJem(mlp, data, { steps: 1, flipProbability: 2 }, createRng(4)), { message: /flipProbability must be in \[0, 1\], got 2/ });
  mlp.dispose();
});
