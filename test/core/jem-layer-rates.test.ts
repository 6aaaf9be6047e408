// JEM's per-layer learning-rate multipliers (`jemLayerRates`): under SGD with momentum and under Adam the update of
// a scaled layer's weights is s times the optimiser's own step (recomputed here from autodiff gradients), the other
// layers and the warm-up are untouched, the CNN's fast path honours them (s = 0 freezes conv1), a run resumed from a
// checkpoint ends where the uninterrupted one does, and bad lists are refused.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { Jem, trainJem, type JemTrainOptions } from '@ebmkit/core/energy';
import { labelledBlobs } from './energy-helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ebm-jem-rates-'));
test.before(async () => {
  await selectBackend('wasm');
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** One blob point repeated: with no data noise and log p(x) weight 0 every batch gives the same gradient function. */
function oneRow(seed: number) {
  const one = labelledBlobs(1, seed);
  return { x: new Float32Array(Array.from({ length: 8 }, () => Array.from(one.x)).flat()), y: new Int32Array(8).fill(one.y[0]!) };
}

/**
 * Runs `options` on an MLP [2] → 6 → 3 (layers with weights: the hidden dense layer, variables 0–1, and the output
 * layer, 2–3) and records, before every JEM step, the weights and the cross-entropy gradient at them (autodiff), and
 * the weights at the end.
 */
async function record(train: { x: Float32Array; y: Int32Array }, options: JemTrainOptions, seed: number) {
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [6] }, createRng(seed));
  const flat = () => jem.variables().map((v) => Float64Array.from(v.dataSync()));
  const grad = () => {
    const x = tf.tensor2d(train.x.subarray(0, 2), [1, 2]);
    const y = tf.oneHot(tf.tensor1d([train.y[0]!], 'int32'), 3);
    const { grads, value } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, jem.logits(x)) as tf.Scalar, jem.variables());
    const out = jem.variables().map((v) => Float64Array.from(grads[v.name]!.dataSync()));
    tf.dispose([x, y, value, ...Object.values(grads)]);
    return out;
  };
  const warm = options.warmupSteps ?? 0;
  const w: Float64Array[][] = [];
  const g: Float64Array[][] = [];
  await trainJem(
    jem,
    train,
    {
      ...options,
      beforeStep: (s) => {
        if (s > warm) {
          w.push(flat());
          g.push(grad());
        }
      },
      onStep: (s) => {
        if (s.step === options.steps) w.push(flat());
      },
    },
    createRng(seed + 1),
  );
  jem.dispose();
  return { w, g };
}

/** Largest |actual Δw − scale(variable) · expected Δw| over the recorded steps; `expected(step, var, j)`. */
function worst(w: Float64Array[][], scale: (v: number) => number, expected: (k: number, v: number, j: number) => number): number {
  let err = 0;
  for (let k = 0; k + 1 < w.length; k++) {
    for (let v = 0; v < w[k]!.length; v++) {
      for (let j = 0; j < w[k]![v]!.length; j++) err = Math.max(err, Math.abs(w[k + 1]![v]![j]! - w[k]![v]![j]! - scale(v) * expected(k, v, j)));
    }
  }
  return err;
}

test('SGD with momentum: the first layer moves by s · (−lr·a_t), a_t = g_t + μ·a_{t−1}, the output layer by the unscaled step', async (t) => {
  const train = oneRow(1);
  const lr = 0.05;
  const mu = 0.5;
  const s = 0.25;
  const base: JemTrainOptions = { steps: 5, warmupSteps: 2, batchSize: 4, learningRate: lr, warmupLearningRate: 0.01, jemOptimizer: 'sgd', momentum: mu, pxWeight: 0, dataNoise: 0 };
  const { w, g } = await record(train, { ...base, jemLayerRates: [s] }, 2);
  // tfjs momentum: a ← μ·a + g, w ← w − lr·a (the accumulator holds unscaled gradients; the scale acts on the step).
  const acc: Float64Array[][] = [];
  g.forEach((gk, k) => acc.push(gk.map((gv, v) => gv.map((x, j) => x + (k > 0 ? mu * acc[k - 1]![v]![j]! : 0)))));
  const scale = (v: number) => (v < 2 ? s : 1);
  const err = worst(w, scale, (k, v, j) => -lr * acc[k]![v]![j]!);
  const unscaled = worst(w, () => 1, (k, v, j) => -lr * acc[k]![v]![j]!);
  t.log(`max |Δw − expected|: ${err.toExponential(2)} (against the unscaled steps: ${unscaled.toExponential(2)})`);
  t.true(w.length === 4, `${w.length} recorded weight sets`);
  t.true(err < 1e-6, `scaled SGD steps: error ${err}`);
  t.true(unscaled > 1e-3, 'the first layer did not move at the full rate');
});

test("Adam: the scaled layer moves by s · lr · m̂/(√v̂ + ε), the rest by Adam's own step; the warm-up is not scaled", async (t) => {
  const train = oneRow(3);
  const lr = 0.01;
  const s = 0.1;
  const base: JemTrainOptions = { steps: 6, warmupSteps: 2, batchSize: 4, learningRate: lr, warmupLearningRate: 0.02, restartOptimizer: true, pxWeight: 0, dataNoise: 0 };
  const { w, g } = await record(train, { ...base, jemLayerRates: [s, 1] }, 4);
  // A fresh Adam (restartOptimizer) from the first JEM step: β₁ 0.9, β₂ 0.999, ε 1e-7 (tfjs's float32 default).
  const [b1, b2, eps] = [0.9, 0.999, 1e-7];
  const m = g[0]!.map((gv) => new Float64Array(gv.length));
  const v2 = g[0]!.map((gv) => new Float64Array(gv.length));
  const step: Float64Array[][] = [];
  g.forEach((gk, k) => {
    step.push(
      gk.map((gv, v) =>
        gv.map((x, j) => {
          m[v]![j] = b1 * m[v]![j]! + (1 - b1) * x;
          v2[v]![j] = b2 * v2[v]![j]! + (1 - b2) * x * x;
          return (-lr * (m[v]![j]! / (1 - b1 ** (k + 1)))) / (Math.sqrt(v2[v]![j]! / (1 - b2 ** (k + 1))) + eps);
        }),
      ),
    );
  });
  const err = worst(w, (v) => (v < 2 ? s : 1), (k, v, j) => step[k]![v]![j]!);
  const unscaled = worst(w, () => 1, (k, v, j) => step[k]![v]![j]!);
  t.log(`max |Δw − expected| over 4 Adam steps: ${err.toExponential(2)} (against unscaled Adam: ${unscaled.toExponential(2)})`);
  t.true(err < 2e-6, `scaled Adam steps: error ${err}`);
  t.true(unscaled > 1e-3, 'the first layer did not move at the full rate');
  // The warm-up: the weights before the first JEM step are those of a run without multipliers.
  const plain = await record(train, base, 4);
  t.deepEqual(w[0], plain.w[0]);
  t.notDeepEqual(w[w.length - 1]!.slice(0, 2), plain.w[plain.w.length - 1]!.slice(0, 2), 'the JEM steps differ');
});

test('the CNN (fast path): rate 0 freezes conv1 kernel and bias through JEM steps with SGLD, the other layers move', async (t) => {
  const n = 40;
  const rng = createRng(5);
  const x = new Float32Array(n * 64).map(() => rng.uniform() * 2 - 1);
  const y = new Int32Array(n).map((_, i) => i % 2);
  const jem = Jem.create({ kind: 'cnn', inputShape: [8, 8, 1], classes: 2, filters: [4, 4], dense: 8 }, createRng(6));
  t.truthy(jem.fastPath(), 'the fast path applies');
  const flat = () => jem.variables().map((v) => Float32Array.from(v.dataSync()));
  let atWarm: Float32Array[] = [];
  await trainJem(
    jem,
    { x, y },
    {
      steps: 4, warmupSteps: 2, batchSize: 8, learningRate: 0.01, jemLayerRates: [0], sgld: { stepSize: 0.1, noise: 0.01, steps: 2 }, bufferCapacity: 20,
      onStep: (s) => {
        if (s.step === 2) atWarm = flat();
      },
    },
    createRng(7),
  );
  const end = flat();
  t.deepEqual(end.slice(0, 2), atWarm.slice(0, 2), 'conv1 kernel and bias unchanged');
  for (let i = 2; i < end.length; i++) t.notDeepEqual(end[i], atWarm[i], `variable ${i} moved`);
  jem.dispose();
});

test('a run with multipliers resumed from a checkpoint ends where the uninterrupted run does; bad lists are refused', async (t) => {
  const train = labelledBlobs(60, 8);
  const opts = { warmupSteps: 2, batchSize: 8, learningRate: 0.02, warmupLearningRate: 0.01, jemLayerRates: [0.3, 2], sgld: { stepSize: 0.01, noise: 0.01, steps: 2 }, bufferCapacity: 40 };
  const run = async (ck: string, split: boolean, rates = opts.jemLayerRates) => {
    const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [6] }, createRng(9));
    if (split) await trainJem(jem, train, { ...opts, jemLayerRates: rates, steps: 4, checkpoint: { path: ck, every: 4 } }, createRng(10));
    await trainJem(jem, train, { ...opts, jemLayerRates: rates, steps: 7, checkpoint: { path: ck, every: 4 }, ...(split ? { resume: ck } : {}) }, split ? createRng(99) : createRng(10));
    const w = jem.variables().flatMap((v) => Array.from(v.dataSync()));
    jem.dispose();
    return w;
  };
  const whole = await run(path.join(dir, 'whole.ckpt'), false);
  t.deepEqual(await run(path.join(dir, 'split.ckpt'), true), whole);
  t.notDeepEqual(await run(path.join(dir, 'plain.ckpt'), false, [1, 1]), whole, 'the multipliers change the run');
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [6] }, createRng(11));
  await t.throwsAsync(trainJem(jem, train, { steps: 1, jemLayerRates: [1, 1, 1] }, createRng(12)), { message: /jemLayerRates has 3 entries, the model has 2 layers with weights/ });
  await t.throwsAsync(trainJem(jem, train, { steps: 1, jemLayerRates: [1, -0.5] }, createRng(12)), { message: /jemLayerRates\[1\] must be a finite number ≥ 0, got -0.5/ });
  await t.throwsAsync(trainJem(jem, train, { steps: 1, jemLayerRates: [NaN] }, createRng(12)), { message: /jemLayerRates\[0\] must be a finite number ≥ 0, got NaN/ });
  jem.dispose();
});
