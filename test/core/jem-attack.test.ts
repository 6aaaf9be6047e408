// JEM robustness and composition: the input gradient of the cross-entropy vs finite differences; PGD (L∞, L2) stays
// in its ε-ball and the data range, never lowers the loss it maximises, ε = 0 gives clean accuracy, seeded runs
// repeat; SGLD refinement; class-conditional inpainting: the composed energy's gradient is the sum of the parts',
// a strong constraint holds the observed pixels.
import test from 'ava';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import {
  crossEntropyAndInputGradient,
  crossEntropyRows,
  energyAndGradient,
  inpaintingEnergy,
  inpaintJem,
  Jem,
  pgdAttack,
  predictJem,
  classificationMetrics,
  refineInputs,
  robustAccuracy,
  trainJem,
  type LabelledData,
} from '@ebmkit/core/energy';
import { labelledBlobs } from './energy-helpers.ts';

test.before(async () => {
  await selectBackend('wasm');
});

/** Blobs clipped to the data range [−1, 1]. */
function blobs(n: number, seed: number): LabelledData {
  const d = labelledBlobs(n, seed);
  for (let i = 0; i < d.x.length; i++) d.x[i] = Math.min(1, Math.max(-1, d.x[i]!));
  return d;
}

/** A small MLP classifier of the blobs, trained supervised for a few steps (shared by the tests, never mutated). */
let trained: Jem | undefined;
async function classifier(): Promise<Jem> {
  if (!trained) {
    const rng = createRng(5);
    trained = Jem.create({ kind: 'mlp', inputShape: [2], classes: 3, hidden: [16, 16] }, rng);
    await trainJem(trained, blobs(300, 6), { steps: 150, warmupSteps: 150, learningRate: 1e-2, batchSize: 32 }, rng);
  }
  return trained;
}

test('the input gradient of the cross-entropy equals central finite differences (MLP and CNN), hand-derived passes = autodiff', (t) => {
  const cases = [
    Jem.create({ kind: 'mlp', inputShape: [3], classes: 3, hidden: [6] }, createRng(1)),
    Jem.create({ kind: 'cnn', inputShape: [4, 4, 1], classes: 3, filters: [4, 4], dense: 4 }, createRng(2)),
  ];
  for (const jem of cases) {
    const D = jem.inputShape.reduce((a, b) => a * b, 1);
    const x0 = createRng(3).fillUniform(new Float64Array(2 * D), -1, 1);
    const labels = Int32Array.from([0, 2]);
    const x = tf.tensor(Float32Array.from(x0), [2, ...jem.inputShape]);
    const { loss, grad } = crossEntropyAndInputGradient(jem, x, labels);
    const g = grad.dataSync();
    const l = loss.dataSync();
    const h = 1e-2;
    const at = (v: Float64Array) =>
      tf.tidy(() => crossEntropyRows(jem, tf.tensor(Float32Array.from(v), [2, ...jem.inputShape]), tf.tensor1d(labels, 'int32')).dataSync());
    t.true(l.every((v, i) => Math.abs(v - at(x0)[i]!) < 1e-6));
    for (let j = 0; j < x0.length; j += Math.max(1, Math.floor(x0.length / 12))) {
      const up = Float64Array.from(x0);
      const down = Float64Array.from(x0);
      up[j]! += h;
      down[j]! -= h;
      const row = Math.floor(j / D);
      const fd = (at(up)[row]! - at(down)[row]!) / (2 * h);
      t.true(Math.abs(fd - g[j]!) < 2e-3 + 0.02 * Math.abs(fd), `${jem.metadata.architecture.kind} input ${j}: autodiff ${g[j]}, finite differences ${fd}`);
    }
    // The CNN takes the hand-derived passes (fast-cnn.ts) on wasm, the MLP (width 6) autodiff: both agree with it.
    t.is(jem.fastPath() !== undefined, jem.metadata.architecture.kind === 'cnn');
    const ref = crossEntropyAndInputGradient(jem, x, labels, true);
    const rg = ref.grad.dataSync();
    t.true(rg.every((v, j) => Math.abs(v - g[j]!) < 1e-5) && ref.loss.dataSync().every((v, i) => Math.abs(v - l[i]!) < 1e-5));
    tf.dispose([x, loss, grad, ref.loss, ref.grad]);
    jem.dispose();
  }
});

for (const norm of ['linf', 'l2'] as const) {
  test(`PGD ${norm}: inside the ε-ball and the data range, loss never lowered, raised on average, seeded runs repeat`, async (t) => {
    const jem = await classifier();
    const data = blobs(60, 7);
    const x = tf.tensor2d(data.x, [60, 2]);
    const eps = 0.4;
    const adv = pgdAttack(jem, x, data.y, { norm, eps, steps: 10 }, createRng(11));
    const again = pgdAttack(jem, x, data.y, { norm, eps, steps: 10 }, createRng(11));
    t.deepEqual(adv.dataSync(), again.dataSync());
    const a = adv.dataSync();
    for (let i = 0; i < 60; i++) {
      const d0 = a[2 * i]! - data.x[2 * i]!;
      const d1 = a[2 * i + 1]! - data.x[2 * i + 1]!;
      const dist = norm === 'linf' ? Math.max(Math.abs(d0), Math.abs(d1)) : Math.hypot(d0, d1);
      t.true(dist <= eps * (1 + 1e-5) + 1e-6, `row ${i}: distance ${dist} > ε`);
      t.true(a[2 * i]! >= -1 && a[2 * i]! <= 1 && a[2 * i + 1]! >= -1 && a[2 * i + 1]! <= 1, `row ${i} leaves [−1, 1]`);
    }
    const y = tf.tensor1d(data.y, 'int32');
    const clean = crossEntropyRows(jem, x, y).dataSync();
    const attacked = crossEntropyRows(jem, adv, y).dataSync();
    let sumClean = 0;
    let sumAdv = 0;
    for (let i = 0; i < 60; i++) {
      t.true(attacked[i]! >= clean[i]! - 1e-6, `row ${i}: loss ${attacked[i]} below clean ${clean[i]}`);
      sumClean += clean[i]!;
      sumAdv += attacked[i]!;
    }
    t.true(sumAdv > 2 * sumClean, `mean loss ${sumAdv / 60} vs clean ${sumClean / 60}`);
    // A different seed gives a different random start, hence (generally) a different result.
    const other = pgdAttack(jem, x, data.y, { norm, eps, steps: 10 }, createRng(12));
    t.notDeepEqual(other.dataSync(), a);
    tf.dispose([x, y, adv, again, other]);
  });
}

test('robust accuracy: ε = 0 is clean accuracy, it falls with ε, and a seed repeats it exactly', async (t) => {
  const jem = await classifier();
  const data = blobs(90, 8);
  const clean = classificationMetrics(predictJem(jem, data.x).probs, data.y, 3).accuracy;
  t.true(clean > 0.9, `clean accuracy ${clean}`);
  const at = (eps: number, seed = 1) => robustAccuracy(jem, data, { attack: { norm: 'linf', eps, steps: 10 }, batchSize: 40 }, createRng(seed));
  const r0 = at(0);
  t.is(r0.accuracy, clean);
  t.is(r0.maxPerturbation, 0);
  const r1 = at(0.3);
  const r2 = at(0.6);
  t.true(r1.accuracy < clean && r2.accuracy <= r1.accuracy, `accuracy ${clean} → ${r1.accuracy} → ${r2.accuracy}`);
  t.true(r1.maxPerturbation <= 0.3 + 1e-6 && r1.attackLoss > r1.cleanLoss);
  t.deepEqual(at(0.3), r1);
  t.is(r1.rows, 90);
});

test('SGLD refinement: 0 steps is the identity, steps stay in the data range; refined and adaptive (BPDA) attacks run seeded', async (t) => {
  const jem = await classifier();
  const data = blobs(30, 9);
  const x = tf.tensor2d(data.x, [30, 2]);
  const same = refineInputs(jem, x, { steps: 0 }, createRng(1));
  t.deepEqual(same.dataSync(), x.dataSync());
  const moved = refineInputs(jem, x, { steps: 5, stepSize: 0.5, noise: 0.05 }, createRng(1));
  const m = moved.dataSync();
  t.true(m.every((v) => v >= -1 && v <= 1));
  t.notDeepEqual(m, x.dataSync());
  t.throws(() => refineInputs(jem, x, { steps: -1 }, createRng(1)), { message: /refinement steps must be an integer ≥ 0/ });
  const opts = { attack: { norm: 'linf' as const, eps: 0.3, steps: 5 }, refine: { steps: 3, stepSize: 0.1 }, batchSize: 16 };
  const r = robustAccuracy(jem, data, opts, createRng(4));
  t.deepEqual(robustAccuracy(jem, data, opts, createRng(4)), r);
  t.true(r.refinedAccuracy !== undefined && r.refinedAccuracy >= 0 && r.refinedAccuracy <= 1);
  // In one batch the attack draws its numbers before the refinement: the unrefined accuracy is the plain run's.
  const one = { ...opts, batchSize: 30 };
  const plain = robustAccuracy(jem, data, { attack: one.attack, batchSize: 30 }, createRng(4));
  t.is(robustAccuracy(jem, data, one, createRng(4)).accuracy, plain.accuracy);
  t.is(plain.refinedAccuracy, undefined);
  const adaptive = robustAccuracy(jem, data, { ...opts, attack: { ...opts.attack, refine: opts.refine } }, createRng(4));
  t.true(adaptive.maxPerturbation <= 0.3 + 1e-6 && adaptive.accuracy >= 0 && adaptive.accuracy <= 1);
  t.throws(() => pgdAttack(jem, x, data.y, { norm: 'l1' as 'l2', eps: 0.1 }, createRng(1)), { message: /norm must be 'linf' or 'l2'/ });
  t.throws(() => pgdAttack(jem, x, data.y.subarray(1), { norm: 'l2', eps: 0.1 }, createRng(1)), { message: /29 labels for a batch of 30/ });
  tf.dispose([x, same, moved]);
});

test('inpainting: the composed energy and its gradient are the sums of the parts; a strong constraint holds the observed pixels', (t) => {
  const jem = Jem.create({ kind: 'cnn', inputShape: [8, 8, 1], classes: 3, filters: [4, 4], dense: 4 }, createRng(21));
  const D = 64;
  const observed = createRng(22).fillUniform(new Float32Array(D), -1, 1);
  const mask = new Float32Array(D).map((_, j) => (j < 32 ? 1 : 0)); // upper half observed
  const lambda = 3;
  const parts = inpaintingEnergy(jem, observed, mask, lambda, 2);
  const x = tf.tensor(createRng(23).fillUniform(new Float32Array(3 * D), -1, 1), [3, 8, 8, 1]);
  const total = energyAndGradient(parts.total, x);
  const model = energyAndGradient(parts.model, x);
  const constraint = energyAndGradient(parts.constraint, x);
  const [te, me, ce] = [total.energy.dataSync(), model.energy.dataSync(), constraint.energy.dataSync()];
  const [tg, mg, cg] = [total.grad.dataSync(), model.grad.dataSync(), constraint.grad.dataSync()];
  const xs = x.dataSync();
  for (let i = 0; i < 3; i++) {
    t.true(Math.abs(te[i]! - (me[i]! + lambda * ce[i]!)) < 1e-4);
    let q = 0;
    for (let j = 0; j < D; j++) q += 0.5 * mask[j]! * (xs[i * D + j]! - observed[j]!) ** 2;
    t.true(Math.abs(ce[i]! - q) < 1e-4, `constraint energy ${ce[i]} vs ${q}`);
  }
  for (let k = 0; k < tg.length; k++) {
    t.true(Math.abs(tg[k]! - (mg[k]! + lambda * cg[k]!)) < 1e-5, `gradient ${k}`);
    const j = k % D;
    t.true(Math.abs(cg[k]! - mask[j]! * (xs[k]! - observed[j]!)) < 1e-6);
  }
  tf.dispose([x, total.energy, total.grad, model.energy, model.grad, constraint.energy, constraint.grad]);

  // λ·s = 1 (each step resets the observed pixels, up to s·∇E_JEM and the noise): they stay close; the rest moves.
  const r = inpaintJem(jem, { observed, mask, classLabel: 1, n: 4, steps: 30, stepSize: 0.01, weight: 100, noise: 0.001 }, createRng(24));
  t.true(r.maxObservedDeviation < 0.02, `observed pixels moved by up to ${r.maxObservedDeviation}`);
  t.true(r.end.constraint < 0.05 && r.end.total < r.start.total + 1e-3, JSON.stringify(r));
  t.true(r.samples.every((v) => v >= -1 && v <= 1));
  t.deepEqual(inpaintJem(jem, { observed, mask, classLabel: 1, n: 4, steps: 30, stepSize: 0.01, weight: 100, noise: 0.001 }, createRng(24)).samples, r.samples);
  t.throws(() => inpaintJem(jem, { observed, mask, stepSize: 1, weight: 2 }, createRng(1)), { message: /stable only below 2/ });
  t.throws(() => inpaintJem(jem, { observed: observed.subarray(1), mask }, createRng(1)), { message: /takes 64 values/ });
  jem.dispose();
});
