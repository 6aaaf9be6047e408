// RBM training (CD-k, PCD, momentum, weight decay) judged by the exact log-likelihood of a small RBM; the
// scikit-learn pseudo-likelihood definition; save/load; bad input and divergence.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import {
  Rbm,
  RbmDivergenceError,
  loadRbm,
  rbmExactLogLikelihood,
  rbmFreeEnergy64,
  saveRbm,
  trainRbm,
  type RowMatrix,
} from '@ebmkit/core/energy';

let dir = '';
test.before(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'ebm-rbm-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A "true" 10×4 RBM with strong weights, and 1,500 exact-ish samples from it (long Gibbs chains). */
function teacher(): { rbm: Rbm; data: RowMatrix } {
  const rng = createRng(21);
  const V = 10;
  const H = 4;
  const rbm = new Rbm({
    visible: 'bernoulli',
    numVisible: V,
    numHidden: H,
    weights: rng.fillNormal(new Float32Array(V * H), 0, 2),
    visibleBias: rng.fillNormal(new Float32Array(V), -0.5, 0.5),
    hiddenBias: rng.fillNormal(new Float32Array(H), 0, 0.5),
  });
  return { rbm, data: rbm.sample({ count: 1500, steps: 200, rng: createRng(22) }).states };
}

for (const method of [{ kind: 'cd', k: 1 }, { kind: 'cd', k: 3 }, { kind: 'pcd', k: 1 }] as const) {
  test(`${method.kind.toUpperCase()}-${method.k} raises the exact log-likelihood close to the teacher's`, async (t) => {
    const { rbm: truth, data } = teacher();
    const init = Rbm.random({ numVisible: 10, numHidden: 4, rng: createRng(1) });
    const before = rbmExactLogLikelihood(init, data);
    const target = rbmExactLogLikelihood(truth, data);
    const epochsSeen: number[] = [];
    const res = await trainRbm(data, {
      initial: init,
      method,
      epochs: 30,
      batchSize: 20,
      learningRate: (e) => 0.1 / (1 + e / 10),
      momentum: 0.5,
      rng: createRng(2),
      onEpoch: (r) => {
        epochsSeen.push(r.epoch);
      },
    });
    const after = rbmExactLogLikelihood(res.model, data);
    t.deepEqual(epochsSeen, Array.from({ length: 30 }, (_, i) => i + 1));
    t.true(after > before + 1, `before ${before.toFixed(3)}, after ${after.toFixed(3)}`);
    t.true(after > target - 0.25, `after ${after.toFixed(3)}, teacher ${target.toFixed(3)}`);
    t.true(res.history[29]!.reconstructionError < res.history[0]!.reconstructionError);
  });
}

test('weight decay shrinks the weights', async (t) => {
  const { data } = teacher();
  const norm = (r: Rbm) => Math.sqrt(r.weights.reduce((s, w) => s + w * w, 0));
  const run = (weightDecay: number) => trainRbm(data, { numHidden: 4, epochs: 5, batchSize: 20, learningRate: 0.1, weightDecay, rng: createRng(3) });
  const [a, b] = [await run(0), await run(0.1)];
  t.true(norm(b.model) < 0.8 * norm(a.model), `${norm(b.model)} vs ${norm(a.model)}`);
});

test('pseudo-likelihood is scikit-learn’s: V · log σ(F(v with one random unit flipped) − F(v))', (t) => {
  const { rbm, data } = teacher();
  const pl = rbm.pseudoLikelihood(data, createRng(5));
  const rng = createRng(5);
  const V = data.cols;
  for (let r = 0; r < 50; r++) {
    const v = Float64Array.from(data.data.subarray(r * V, (r + 1) * V));
    const i = rng.int(V);
    const f = rbmFreeEnergy64(rbm, v);
    v[i] = 1 - v[i]!;
    const d = rbmFreeEnergy64(rbm, v) - f;
    const want = V * -Math.log1p(Math.exp(-d));
    t.true(Math.abs(pl[r]! - want) < 1e-3 * Math.max(1, Math.abs(want)), `row ${r}: ${pl[r]} vs ${want}`);
  }
});

test('save and load round-trip an RBM with its AIS base rates and metadata', async (t) => {
  const rbm = Rbm.random({ numVisible: 6, numHidden: 3, visible: 'gaussian', rng: createRng(7), std: 0.3 });
  const file = join(dir, 'g.rbm');
  const base = Float32Array.from([0.1, -0.2, 0.3, 0, 1, 2]);
  await saveRbm(file, rbm, { metadata: { imageShape: [2, 3] }, baseVisibleBias: base });
  const back = await loadRbm(file);
  t.is(back.rbm.visible, 'gaussian');
  t.deepEqual(back.rbm.weights, rbm.weights);
  t.deepEqual(back.rbm.visibleBias, rbm.visibleBias);
  t.deepEqual(back.rbm.hiddenBias, rbm.hiddenBias);
  t.deepEqual(back.baseVisibleBias, base);
  t.deepEqual(back.metadata, { imageShape: [2, 3] });
});

test('values outside [0, 1] for Bernoulli units are refused with row, column and value named', async (t) => {
  const data = { rows: 3, cols: 4, data: Float32Array.from([0, 1, 0, 1, 0, 0.5, 1, 0, 0, 1, 255, 0]) };
  const err = await t.throwsAsync(trainRbm(data, { numHidden: 2, rng: createRng(1) }), { instanceOf: RangeError });
  t.regex(err!.message, /value 255 at row 2, column 2 is outside \[0, 1\].*rescale/);
  const nan = { rows: 2, cols: 2, data: Float32Array.from([0, NaN, 1, 0]) };
  await t.throwsAsync(trainRbm(nan, { numHidden: 2, rng: createRng(1) }), { message: /value NaN at row 0, column 1 is not a finite number/ });
  // Gaussian units take any finite value.
  await t.notThrowsAsync(trainRbm(data, { numHidden: 2, visible: 'gaussian', epochs: 1, rng: createRng(1) }));
});

test('a diverging run stops, names the epoch and batch, and keeps the last good model', async (t) => {
  const rng = createRng(9);
  const rows = 200;
  const data = { rows, cols: 5, data: rng.fillNormal(new Float32Array(rows * 5), 0, 3) };
  const checkpoints: { epoch: number; model: Rbm }[] = [];
  const err = await t.throwsAsync(
    trainRbm(data, {
      numHidden: 3,
      visible: 'gaussian',
      epochs: 10,
      batchSize: 10,
      learningRate: (e) => (e <= 2 ? 0.001 : 1e6),
      momentum: 0.9,
      rng: createRng(10),
      onEpoch: (r) => {
        checkpoints.push({ epoch: r.epoch, model: r.model });
      },
    }),
    { instanceOf: RbmDivergenceError },
  );
  t.is(err!.epoch, 3);
  t.true(err!.batch >= 1 && err!.batch <= 20);
  t.is(err!.lastGoodEpoch, 2);
  t.is(err!.lastGood, checkpoints[1]!.model);
  t.deepEqual(checkpoints.map((c) => c.epoch), [1, 2]);
  t.regex(err!.message, /diverged at epoch 3, batch \d+ \(update \d+\).*last good model is from epoch 2/);
});
