// Contrastive maximum likelihood: learns a 2-D Gaussian mixture well enough that its samples match the data's
// moments; divergence (a NaN injected mid-training) stops with the step named and the last good checkpoint intact;
// resuming from a checkpoint reproduces an uninterrupted run exactly.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng, loadModel } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { DivergenceError, loadCheckpoint, mala, trainContrastive, uniformInit, type EnergyFunction } from '@ebmkit/core/energy';
import { moments2, sampleMixture, type Gauss2 } from './energy-helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'ebm-contrastive-'));
test.before(async () => {
  await selectBackend('wasm');
});
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const WEIGHTS = [0.3, 0.7];
const MIX: Gauss2[] = [
  { mean: [-1, 0.4], cov: [0.25, 0, 0.25] },
  { mean: [0.8, -0.4], cov: [0.35, 0, 0.35] },
];
const DATA = Float32Array.from(sampleMixture(WEIGHTS, MIX, 2000, createRng(1)));

/** A two-component isotropic Gaussian mixture energy with trainable means, log-variances and logits. */
function mixtureModel(seed: number): { energy: EnergyFunction; vars: tf.Variable[] } {
  const r = createRng(seed);
  const means = tf.variable(tf.tensor2d(r.fillNormal(new Float32Array(4), 0, 0.5), [2, 2]));
  const logVar = tf.variable(tf.zeros([2]));
  const logits = tf.variable(tf.zeros([2]));
  const energy: EnergyFunction = (x) =>
    tf.tidy(() => {
      // log N(x; μₖ, σₖ² I) + log softmax(logits)ₖ, then −logsumexp over k.
      const d2 = tf.sum(tf.square(tf.sub(tf.expandDims(x, 1), tf.expandDims(means, 0))), 2); // [N, 2]
      const logp = tf.sub(tf.mul(-0.5, tf.div(d2, tf.exp(logVar))), logVar); // −‖x−μ‖²/(2σ²) − d/2·log σ², d = 2
      return tf.neg(tf.logSumExp(tf.add(logp, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
    });
  return { energy, vars: [means, logVar, logits] };
}

test('contrastive ML with persistent chains learns a 2-D Gaussian mixture: model samples match the data moments', async (t) => {
  const { energy, vars } = mixtureModel(2);
  const rng = createRng(3);
  const res = await trainContrastive(
    energy,
    {
      data: DATA,
      sampleShape: [2],
      variables: vars,
      negatives: { kind: 'pcd', sampler: { kind: 'mala', stepSize: 0.15, steps: 5 }, chains: 200, init: uniformInit(-3, 3) },
      steps: 250,
      batchSize: 200,
      optimizer: tf.train.adam(0.05),
    },
    rng,
  );
  t.is(res.step, 250);
  t.true(res.losses.every(Number.isFinite));
  const x0 = tf.tensor2d(createRng(4).fillUniform(new Float32Array(1000), -3, 3), [500, 2]);
  const s = mala(energy, x0, { stepSize: 0.3, steps: 600 }, createRng(5));
  const m = moments2(s.x.dataSync());
  const md = moments2(DATA);
  for (let i = 0; i < 2; i++) t.true(Math.abs(m.mean[i]! - md.mean[i]!) < 0.12, `mean ${i}: model ${m.mean[i]}, data ${md.mean[i]}`);
  for (let i = 0; i < 3; i++) t.true(Math.abs(m.cov[i]! - md.cov[i]!) < 0.15, `cov ${i}: model ${m.cov[i]}, data ${md.cov[i]}`);
  // The learned parameters sit near the true ones (components in some order).
  const mu = Array.from(vars[0]!.dataSync());
  const k = mu[0]! < mu[2]! ? 0 : 1;
  t.true(Math.abs(mu[2 * k]! + 1) < 0.2 && Math.abs(mu[2 * k + 1]! - 0.4) < 0.2, `left mean ${mu.slice(2 * k, 2 * k + 2)}`);
  const logits = Array.from(vars[2]!.dataSync());
  const wLeft = Math.exp(logits[k]!) / (Math.exp(logits[0]!) + Math.exp(logits[1]!));
  t.true(Math.abs(wLeft - 0.3) < 0.08, `left weight ${wLeft}`);
  tf.dispose([x0, s.x, ...vars]);
});

test('a NaN injected mid-training stops at that step, names it, and keeps the last good checkpoint', async (t) => {
  const { energy, vars } = mixtureModel(6);
  const ckpt = path.join(dir, 'nan.ckpt');
  let savedAt10: Uint8Array | undefined;
  const err = await t.throwsAsync(
    trainContrastive(
      energy,
      {
        data: DATA,
        sampleShape: [2],
        variables: vars,
        negatives: { kind: 'replay', sampler: { kind: 'sgld', stepSize: 0.05, noise: 0.3, steps: 5 }, capacity: 500 },
        steps: 40,
        batchSize: 50,
        optimizer: tf.train.adam(0.02),
        checkpoint: { path: ckpt, every: 10 },
        beforeStep: (step) => {
          if (step === 11) savedAt10 = readFileSync(ckpt);
          if (step === 17) vars[1]!.assign(tf.tensor1d([NaN, 0]));
        },
      },
      createRng(7),
    ),
    { instanceOf: DivergenceError },
  );
  t.is(err!.step, 17);
  t.regex(err!.message, /training diverged at step 17: loss is NaN/);
  t.regex(err!.message, /last good checkpoint \(step 10\) is kept at .*nan\.ckpt/);
  // The file is the step-10 checkpoint, unchanged, valid and finite; the weights were restored from it.
  t.deepEqual(new Uint8Array(readFileSync(ckpt)), new Uint8Array(savedAt10!));
  const ck = await loadCheckpoint(ckpt);
  t.is(ck.metadata.step, 10);
  t.true(ck.variables.every((v) => v.every(Number.isFinite)));
  vars.forEach((v, i) => t.deepEqual(Array.from(v.dataSync()), Array.from(ck.variables[i]!)));
  t.is((await loadModel(ckpt)).kind, 'ebm-checkpoint');
  tf.dispose(vars);
});

test('an exploding loss is divergence too', async (t) => {
  const { energy, vars } = mixtureModel(8);
  const err = await t.throwsAsync(
    trainContrastive(
      energy,
      {
        data: DATA.map((v) => v * 1e4),
        sampleShape: [2],
        variables: vars,
        negatives: { kind: 'cd', sampler: { kind: 'langevin', stepSize: 0.01, steps: 1 } },
        steps: 5,
        maxAbsLoss: 1e3,
      },
      createRng(9),
    ),
    { instanceOf: DivergenceError },
  );
  t.is(err!.step, 1);
  t.regex(err!.message, /step 1: \|loss\| = .* exceeds 1e\+3.*no checkpoint was written yet/);
  tf.dispose(vars);
});

test('resuming from a checkpoint reproduces the uninterrupted run (weights, optimiser, chains, rng restored)', async (t) => {
  const opts = (vars: tf.Variable[], steps: number, ck: string, resume?: string) => ({
    data: DATA,
    sampleShape: [2] as const,
    variables: vars,
    negatives: { kind: 'pcd', sampler: { kind: 'langevin', stepSize: 0.05, steps: 3 }, chains: 32 } as const,
    steps,
    batchSize: 32,
    optimizer: tf.train.adam(0.02),
    checkpoint: { path: ck, every: 10 },
    ...(resume ? { resume } : {}),
  });
  const a = mixtureModel(10);
  await trainContrastive(a.energy, opts(a.vars, 30, path.join(dir, 'a.ckpt')), createRng(11));
  const b = mixtureModel(10);
  await trainContrastive(b.energy, opts(b.vars, 20, path.join(dir, 'b.ckpt')), createRng(11));
  const c = mixtureModel(99); // different init: everything must come from the checkpoint
  const res = await trainContrastive(c.energy, opts(c.vars, 30, path.join(dir, 'c.ckpt'), path.join(dir, 'b.ckpt')), createRng(12345));
  t.is(res.step, 30);
  t.is(res.losses.length, 10);
  // Equal up to float32 rounding: tfjs's Adam recomputes β₁ᵗ, β₂ᵗ from the restored step count instead of the running product.
  a.vars.forEach((v, i) => {
    const want = v.dataSync();
    const got = c.vars[i]!.dataSync();
    want.forEach((w, j) => t.true(Math.abs(got[j]! - w) <= 1e-5 * (1 + Math.abs(w)), `variable ${i}[${j}]: ${got[j]} vs ${w}`));
  });
  // And not trivially: the resumed run moved away from its own (different) initialisation.
  t.notDeepEqual(Array.from(c.vars[0]!.dataSync()), Array.from(mixtureModel(99).vars[0]!.dataSync()));
  tf.dispose([...a.vars, ...b.vars, ...c.vars]);
});

test('bad options are refused with the values in the message', async (t) => {
  const { energy, vars } = mixtureModel(1);
  const base = { data: DATA, sampleShape: [2], variables: vars, negatives: { kind: 'cd', sampler: { kind: 'langevin', stepSize: 0.1, steps: 1 } }, steps: 1 } as const;
  await t.throwsAsync(trainContrastive(energy, { ...base, data: new Float32Array(3) }, createRng(1)), { message: /data length 3 is not a positive multiple of the sample size 2/ });
  await t.throwsAsync(trainContrastive(energy, { ...base, batchSize: 0 }, createRng(1)), { message: /batchSize must be an integer ≥ 1, got 0/ });
  tf.dispose(vars);
});
