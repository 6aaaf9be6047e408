// JEM: the classifier read as an energy model (energies, class energies, plain forward = layers forward), model
// files round-trip, joint training on 2-D blobs (accuracy, log p(x) separates data from noise, class-conditional
// samples land on their class), divergence and resume.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng, ModelFileError, saveModel } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { DivergenceError, evaluateJem, Jem, loadCheckpoint, sampleJem, trainJem, type JemArchitecture } from '@ebmkit/core/energy';
import { BLOB_CENTRES, labelledBlobs } from './energy-helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ebm-jem-'));
test.before(async () => {
  await selectBackend('wasm');
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const blobs = labelledBlobs;
const CENTRES = BLOB_CENTRES;

test('energy = −logsumexp f, class energy = −f[y], and the plain forward equals the layers model (CNN and MLP)', (t) => {
  const archs: JemArchitecture[] = [
    { kind: 'cnn', inputShape: [12, 12, 2], classes: 4, filters: [3, 5], dense: 7 },
    { kind: 'mlp', inputShape: [3, 2], classes: 3, hidden: [5] },
  ];
  for (const arch of archs) {
    const jem = Jem.create(arch, createRng(1));
    const x = tf.tensor(createRng(2).fillUniform(new Float32Array(3 * arch.inputShape.reduce((a, b) => a * b, 1)), -1, 1), [3, ...arch.inputShape]);
    const viaLayers = (jem.model.apply(x) as tf.Tensor).arraySync() as number[][];
    const f = jem.logits(x).arraySync() as number[][];
    f.forEach((row, i) => row.forEach((v, k) => t.true(Math.abs(v - viaLayers[i]![k]!) < 1e-5, `${arch.kind} logit ${i},${k}`)));
    const e = jem.energy(x).arraySync() as number[];
    const e1 = jem.classEnergy(1)(x).arraySync() as number[];
    f.forEach((row, i) => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      t.true(Math.abs(e[i]! + lse) < 1e-5);
      t.true(Math.abs(e1[i]! + row[1]!) < 1e-6);
    });
    t.throws(() => jem.classEnergy(arch.classes), { message: new RegExp(`class ${arch.classes} outside \\[0, ${arch.classes}\\)`) });
    x.dispose();
    jem.dispose();
  }
});

test('save and load round-trip the weights and metadata; wrong kinds and mismatched weights are refused', async (t) => {
  const jem = Jem.create({ kind: 'cnn', inputShape: [8, 8, 1], classes: 3, filters: [2, 3], dense: 4 }, createRng(3));
  const file = path.join(dir, 'm.jem');
  await jem.save(file, { steps: 0 });
  const back = await Jem.load(file, createRng(99));
  t.deepEqual(back.metadata.architecture, jem.metadata.architecture);
  t.deepEqual(back.metadata.training, { steps: 0 });
  const x = tf.randomUniform([2, 8, 8, 1], -1, 1, 'float32', 4);
  t.deepEqual(back.logits(x).arraySync(), jem.logits(x).arraySync());
  await saveModel(path.join(dir, 'other'), { kind: 'rbm', formatVersion: 1, metadata: {}, tensors: {} });
  await t.throwsAsync(Jem.load(path.join(dir, 'other'), createRng(1)), { instanceOf: ModelFileError, message: /expected a model of kind "jem", found "rbm"/ });
  await saveModel(path.join(dir, 'short'), { kind: 'jem', formatVersion: 1, metadata: jem.metadata as unknown, tensors: {} });
  await t.throwsAsync(Jem.load(path.join(dir, 'short'), createRng(1)), { message: /weight 0 should be F32 \[3, 3, 1, 2\], found nothing/ });
  writeFileSync(path.join(dir, 'junk'), 'not a model');
  await t.throwsAsync(Jem.load(path.join(dir, 'junk'), createRng(1)), { instanceOf: ModelFileError });
  x.dispose();
  jem.dispose();
  back.dispose();
});

test('joint training on 2-D blobs: accurate, log p(x) tells data from noise, and p(x|y) samples land on blob y', async (t) => {
  const train = blobs(600, 5);
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [16, 16] }, createRng(6));
  const phases = new Set<string>();
  let lastEnergies: [number, number] = [NaN, NaN];
  await trainJem(
    jem,
    train,
    {
      steps: 150,
      warmupSteps: 30,
      batchSize: 64,
      learningRate: 1e-2,
      // Temperature-1 SGLD (noise² = 2·step) so that log p(x) is learnt as a density, not just a mode.
      sgld: { stepSize: 0.005, noise: 0.1, steps: 20 },
      bufferCapacity: 500,
      dataNoise: 0.01,
      onStep: (s) => {
        phases.add(s.phase);
        if (s.phase === 'jem') lastEnergies = [s.energyData, s.energySample];
      },
    },
    createRng(7),
  );
  t.deepEqual([...phases], ['warmup', 'jem']);
  t.true(lastEnergies.every(Number.isFinite));
  const test_ = blobs(300, 8);
  const noise = createRng(9).fillUniform(new Float32Array(600), -1, 1);
  const ev = evaluateJem(jem, test_, noise);
  t.true(ev.accuracy > 0.95, `accuracy ${ev.accuracy}`);
  t.true(ev.ece >= 0 && ev.ece < 0.2, `ece ${ev.ece}`);
  t.true(ev.ood!.logPx > 0.8, `AUROC log p(x) ${ev.ood!.logPx}`);
  for (let k = 0; k < 3; k++) {
    const s = sampleJem(jem, { n: 100, classLabel: k, steps: 200, stepSize: 0.005, noise: 0.1 }, createRng(10 + k));
    const a = s.dataSync();
    let mx = 0;
    let my = 0;
    for (let i = 0; i < 100; i++) {
      mx += a[2 * i]! / 100;
      my += a[2 * i + 1]! / 100;
    }
    const d = Math.hypot(mx - CENTRES[k]![0]!, my - CENTRES[k]![1]!);
    t.true(d < 0.3, `class ${k}: sample mean (${mx.toFixed(2)}, ${my.toFixed(2)}) is ${d.toFixed(2)} from its centre`);
    t.true(a.every((v) => v >= -1 && v <= 1), 'clamped to the data range');
    s.dispose();
  }
  jem.dispose();
});

test('a NaN mid-training stops JEM with the step named and the last good checkpoint kept; resume continues', async (t) => {
  const train = blobs(200, 11);
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [8] }, createRng(12));
  const ck = path.join(dir, 'jem.ckpt');
  const opts = { warmupSteps: 3, batchSize: 16, sgld: { stepSize: 0.05, noise: 0.01, steps: 3 }, bufferCapacity: 50, checkpoint: { path: ck, every: 5 } };
  const err = await t.throwsAsync(
    trainJem(jem, train, { ...opts, steps: 20, beforeStep: (s) => s === 8 && jem.variables()[0]!.assign(tf.fill(jem.variables()[0]!.shape, NaN)) }, createRng(13)),
    { instanceOf: DivergenceError },
  );
  t.is(err!.step, 8);
  t.regex(err!.message, /diverged at step 8: loss is NaN.*last good checkpoint \(step 5\)/);
  const c = await loadCheckpoint(ck);
  t.is(c.metadata.step, 5);
  t.is(c.metadata.trainer, 'jem');
  t.true(jem.variables()[0]!.dataSync().every(Number.isFinite), 'weights restored from the checkpoint');
  const res = await trainJem(jem, train, { ...opts, steps: 12, resume: ck }, createRng(14));
  t.is(res.step, 12);
  t.is((await loadCheckpoint(ck)).metadata.step, 12);
  jem.dispose();
});

test('warmupLearningRate: the optimiser runs at the warm-up rate, then at the JEM rate; a bad rate is refused', async (t) => {
  const train = blobs(60, 15);
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [8] }, createRng(16));
  const optimizer = tf.train.adam(1e-3);
  const rates: [string, number][] = [];
  await trainJem(
    jem,
    train,
    {
      steps: 4,
      warmupSteps: 2,
      batchSize: 16,
      optimizer,
      warmupLearningRate: 0.05,
      sgld: { stepSize: 0.01, noise: 0.01, steps: 2 },
      bufferCapacity: 50,
      onStep: (s) => rates.push([s.phase, (optimizer as unknown as { learningRate: number }).learningRate]),
    },
    createRng(17),
  );
  t.deepEqual(rates, [
    ['warmup', 0.05],
    ['warmup', 0.05],
    ['jem', 1e-3],
    ['jem', 1e-3],
  ]);
  await t.throwsAsync(trainJem(jem, train, { steps: 1, warmupLearningRate: -1 }, createRng(18)), { message: /warmupLearningRate must be a finite number > 0, got -1/ });
  jem.dispose();
});

test('restartOptimizer: the first JEM update is a fresh Adam step (every weight moves by the learning rate)', async (t) => {
  const train = blobs(90, 19);
  const lr = 1e-3;
  /** |Δw| of each weight over the first JEM step (step 6), with or without the restart. */
  const firstJemStep = async (restart: boolean) => {
    const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [8] }, createRng(20));
    let before: Float32Array[] = [];
    let moved: number[] = [];
    const flat = () => jem.variables().map((v) => Float32Array.from(v.dataSync()));
    await trainJem(
      jem,
      train,
      {
        steps: 6,
        warmupSteps: 5,
        batchSize: 16,
        learningRate: lr,
        warmupLearningRate: 0.02,
        restartOptimizer: restart,
        sgld: { stepSize: 0.01, noise: 0.01, steps: 2 },
        bufferCapacity: 50,
        onStep: (s) => {
          if (s.step === 5) before = flat();
          if (s.step === 6) moved = flat().flatMap((w, i) => Array.from(w, (v, j) => Math.abs(v - before[i]![j]!)));
        },
      },
      createRng(21),
    );
    jem.dispose();
    return moved;
  };
  // A first Adam step is lr · g / (|g| + ε): lr for every weight with a non-negligible gradient.
  const share = (d: number[]) => d.filter((v) => Math.abs(v - lr) < 2e-6).length / d.length;
  const fresh = await firstJemStep(true);
  const kept = await firstJemStep(false);
  t.log(`moved by lr: fresh ${share(fresh).toFixed(3)}, continued ${share(kept).toFixed(3)}`);
  t.true(share(fresh) > 0.9, `fresh Adam: ${share(fresh)} of the weights moved by lr`);
  t.true(share(kept) < 0.5, `continued Adam: ${share(kept)} of the weights moved by lr`);
  const optimizer = tf.train.adam(lr);
  await t.throwsAsync(trainJem(Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [4] }, createRng(22)), train, { steps: 1, optimizer, restartOptimizer: true }, createRng(23)), {
    message: /restartOptimizer applies to the default Adam only/,
  });
  optimizer.dispose();
});

test("jemOptimizer 'sgd': the JEM steps are SGD with momentum on the joint gradient (Δw = −lr·(g₂ + μ·g₁)), after an Adam warm-up", async (t) => {
  // One training row, no data noise and log p(x) weight 0: every batch is the same, so the gradient of a step is the
  // cross-entropy gradient at the weights it starts from, recomputed here by autodiff.
  const one = blobs(1, 24);
  const train = { x: new Float32Array(Array.from({ length: 8 }, () => Array.from(one.x)).flat()), y: new Int32Array(8).fill(one.y[0]!) };
  const lr = 0.05;
  const mu = 0.5;
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [6] }, createRng(25));
  const flat = () => jem.variables().map((v) => Float32Array.from(v.dataSync()));
  const grad = () => {
    const x = tf.tensor2d(train.x.subarray(0, 2), [1, 2]);
    const y = tf.oneHot(tf.tensor1d([train.y[0]!], 'int32'), 3);
    const { grads, value } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, jem.logits(x)) as tf.Scalar, jem.variables());
    const out = jem.variables().map((v) => Float32Array.from(grads[v.name]!.dataSync()));
    tf.dispose([x, y, value, ...Object.values(grads)]);
    return out;
  };
  const w: Float32Array[][] = [];
  const g: Float32Array[][] = [];
  await trainJem(
    jem,
    train,
    {
      steps: 4, warmupSteps: 2, batchSize: 4, learningRate: lr, warmupLearningRate: 0.01, jemOptimizer: 'sgd', momentum: mu, pxWeight: 0, dataNoise: 0,
      beforeStep: (s) => {
        if (s >= 2) {
          w.push(flat());
          g.push(grad());
        }
      },
      onStep: (s) => {
        if (s.step === 4) w.push(flat());
      },
    },
    createRng(26),
  );
  // w[0]: before step 2 (the last warm-up step, Adam), w[1]: before step 3 (first JEM step), w[2], w[3] after step 4.
  let warmErr = 0;
  let first = 0;
  let second = 0;
  for (let i = 0; i < w[1]!.length; i++) {
    for (let j = 0; j < w[1]![i]!.length; j++) {
      // The warm-up step is Adam's (not −0.01·g): checked below as "differs".
      warmErr = Math.max(warmErr, Math.abs(w[1]![i]![j]! - w[0]![i]![j]! + 0.01 * g[0]![i]![j]!));
      first = Math.max(first, Math.abs(w[2]![i]![j]! - w[1]![i]![j]! + lr * g[1]![i]![j]!));
      second = Math.max(second, Math.abs(w[3]![i]![j]! - w[2]![i]![j]! + lr * (g[2]![i]![j]! + mu * g[1]![i]![j]!)));
    }
  }
  t.log(`max |Δw − SGD step|: first JEM step ${first.toExponential(2)}, second ${second.toExponential(2)}; warm-up step vs plain SGD ${warmErr.toExponential(2)}`);
  t.true(first < 1e-6 && second < 1e-6, `SGD-with-momentum steps: errors ${first}, ${second}`);
  t.true(warmErr > 1e-4, 'the warm-up step is an Adam step, not SGD');
  jem.dispose();
  await t.throwsAsync(trainJem(Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [4] }, createRng(27)), train, { steps: 2, warmupSteps: 1, jemOptimizer: 'sgd' }, createRng(28)), {
    message: /needs warmupLearningRate/,
  });
  await t.throwsAsync(trainJem(Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [4] }, createRng(29)), train, { steps: 1, jemOptimizer: 'sgd', momentum: 1 }, createRng(30)), {
    message: /momentum must be in \[0, 1\)/,
  });
});

test("warmupSchedule 'cosine': the warm-up's rate falls from warmupLearningRate to learningRate along ½(1 + cos(π·s / warmupSteps))", async (t) => {
  const train = blobs(60, 31);
  const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [8] }, createRng(32));
  const optimizer = tf.train.adam(1e-3);
  const rates: [string, number][] = [];
  await trainJem(
    jem,
    train,
    {
      steps: 6, warmupSteps: 4, batchSize: 16, optimizer, warmupLearningRate: 0.05, warmupSchedule: 'cosine',
      sgld: { stepSize: 0.01, noise: 0.01, steps: 2 }, bufferCapacity: 50,
      onStep: (s) => rates.push([s.phase, (optimizer as unknown as { learningRate: number }).learningRate]),
    },
    createRng(33),
  );
  const cosine = (s: number) => 1e-3 + (0.05 - 1e-3) * 0.5 * (1 + Math.cos((Math.PI * s) / 4));
  t.deepEqual(rates.map(([p]) => p), ['warmup', 'warmup', 'warmup', 'warmup', 'jem', 'jem']);
  rates.forEach(([p, r], i) => t.true(Math.abs(r - (p === 'warmup' ? cosine(i) : 1e-3)) < 1e-12, `step ${i + 1}: rate ${r}`));
  t.true(rates[0]![1] === 0.05 && rates[3]![1] < 0.01, 'starts at the warm-up rate and ends near the JEM rate');
  await t.throwsAsync(trainJem(jem, train, { steps: 2, warmupSteps: 1, warmupSchedule: 'cosine' }, createRng(34)), { message: /warmupSchedule 'cosine' needs warmupLearningRate/ });
  jem.dispose();
});

test("jemOptimizer 'sgd': a run resumed inside its SGD steps ends where the uninterrupted run does", async (t) => {
  const train = blobs(60, 35);
  const opts = {
    warmupSteps: 3, batchSize: 8, learningRate: 0.02, warmupLearningRate: 0.01, jemOptimizer: 'sgd' as const, momentum: 0.9,
    sgld: { stepSize: 0.01, noise: 0.01, steps: 2 }, bufferCapacity: 40,
  };
  const run = async (ck: string, split: boolean) => {
    const jem = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [6] }, createRng(36));
    if (split) await trainJem(jem, train, { ...opts, steps: 5, checkpoint: { path: ck, every: 5 } }, createRng(37));
    await trainJem(jem, train, { ...opts, steps: 8, checkpoint: { path: ck, every: 5 }, ...(split ? { resume: ck } : {}) }, split ? createRng(99) : createRng(37));
    const w = jem.variables().flatMap((v) => Array.from(v.dataSync()));
    jem.dispose();
    return w;
  };
  const whole = await run(path.join(dir, 'sgd-whole.ckpt'), false);
  const resumed = await run(path.join(dir, 'sgd-split.ckpt'), true);
  t.deepEqual(resumed, whole);
});
