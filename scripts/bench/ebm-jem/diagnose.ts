/**
 * Diagnostics of a saved JEM (e.g. a warm-up written by jem.ts --save, or a final model) for comparing seeds: energy
 * E(x) = −logsumexp f(x) of held-out Fashion-MNIST training images, of test images and of MNIST images (the OOD set),
 * of draws from the class Gaussians the recipe's SGLD starts from and of those draws after SGLD (the negatives the
 * first JEM steps see), the logit scale, and the log p(x) AUROC per Fashion-MNIST class.
 *
 *   EBM_CORPORA_DIR=../shared/corpora node --import tsx --conditions=ebmkit-source scripts/bench/ebm-jem/diagnose.ts \
 *     MODEL [--eval-ranges 5000-6999] [--holdout 2000] [--negatives 256] [--seed 1]
 *
 * SGLD as the recipe: step 1, noise 0.01, clamped to [−1, 1]; energies reported after 0, 20 and 100 steps.
 * Last, the RMS per variable of the gradient of the recipe's log p(x) term (weight 1, energy penalty 0.003; the first
 * 128 of those negatives after 20 SGLD steps against 64 training rows) and of the cross-entropy on the same rows: which
 * weights the first JEM steps move, and how much more than the classifier term does.
 */
import { createRng } from '@ebmkit/core';
import { selectBackend } from '@ebmkit/core/backend';
import { auroc, fitClassGaussians, gaussianMixtureInit, Jem, predictJem, sgld } from '@ebmkit/core/energy';
import * as tf from '@tensorflow/tfjs-core';
import { parseRanges, rangeText } from './ranges.ts';
import { flagReader, loadJemData } from './setup.ts';

const modelPath = process.argv[2];
if (!modelPath || modelPath.startsWith('--')) throw new Error('usage: diagnose.ts MODEL [--eval-ranges A-B] [--holdout N] [--negatives N] [--seed S]');
const f = flagReader();
const holdout = f.flag('holdout', 2000);
const nNeg = f.flag('negatives', 256);
const seed = f.flag('seed', 1);
const ranges = parseRanges(f.strFlag('eval-ranges', '5000-6999'));

await selectBackend('wasm');
const { train, heldOut, test, ood } = await loadJemData(holdout, ranges);
const jem = await Jem.load(modelPath, createRng(1));
const K = jem.classes;

const stats = (e: Float32Array) => {
  const s = Float32Array.from(e).sort();
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  let m = 0;
  for (const v of s) m += v / s.length;
  return `mean ${m.toFixed(2)}  q10 ${q(0.1).toFixed(2)}  median ${q(0.5).toFixed(2)}  q90 ${q(0.9).toFixed(2)}`;
};
const energyOf = (x: Float32Array) => predictJem(jem, x).energy;
console.log(`${modelPath}: energies E(x) = −logsumexp f(x); OOD/test images ${rangeText(ranges)}`);
const eHeld = energyOf(heldOut.x);
const eTest = energyOf(test.x);
const eOod = energyOf(ood);
console.log(`  held-out Fashion-MNIST (${heldOut.y.length}): ${stats(eHeld)}`);
console.log(`  test Fashion-MNIST (${test.y.length}):     ${stats(eTest)}`);
console.log(`  MNIST (${ood.length / 784}):                ${stats(eOod)}`);
// log p(x) score is −E; AUROC with in-distribution positive.
const neg = (e: Float32Array) => e.map((v) => -v);
console.log(`  log p(x) AUROC test vs MNIST ${auroc(neg(eTest), neg(eOod)).toFixed(3)}, held-out vs MNIST ${auroc(neg(eHeld), neg(eOod)).toFixed(3)}`);
const byClass: string[] = [];
for (let c = 0; c < K; c++) byClass.push(`${c}: ${auroc(neg(eTest.filter((_, i) => test.y[i] === c)), neg(eOod)).toFixed(3)}`);
console.log(`  per class (test class vs all MNIST): ${byClass.join('  ')}`);
// Logit scale on test images.
const logits = tf.tidy(() => jem.logits(tf.tensor(test.x, [test.y.length, 28, 28, 1])).arraySync() as number[][]);
let maxL = 0;
let spread = 0;
for (const row of logits) {
  const mx = Math.max(...row);
  maxL += mx / logits.length;
  spread += (mx - row.reduce((a, b) => a + b, 0) / K) / logits.length;
}
console.log(`  test logits: mean max ${maxL.toFixed(2)}, mean (max − mean) ${spread.toFixed(2)}`);

// The negatives of the first JEM steps: class-Gaussian draws, then SGLD.
const init = gaussianMixtureInit(fitClassGaussians(train.x, train.y, K), -1, 1);
const rng = createRng(seed);
const x0 = new Float32Array(nNeg * 784);
init(rng, x0);
let x = tf.tensor(x0, [nNeg, 28, 28, 1]);
const sg = { stepSize: 1, noise: 0.01, clamp: { min: -1, max: 1 } };
let done = 0;
for (const upto of [0, 20, 100]) {
  if (upto > done) {
    const nx = sgld(jem.energy, x, { ...sg, steps: upto - done }, rng);
    x.dispose();
    x = nx;
    done = upto;
  }
  const e = energyOf(x.dataSync() as Float32Array);
  const probs = predictJem(jem, x.dataSync() as Float32Array).probs;
  let conf = 0;
  for (let i = 0; i < nNeg; i++) conf += Math.max(...probs.subarray(i * K, (i + 1) * K)) / nNeg;
  console.log(`  class-Gaussian draws after ${upto} SGLD steps (${nNeg}): ${stats(e)}  mean max p(y|x) ${conf.toFixed(3)}`);
}
x.dispose();

// Gradient scales of the first JEM step (fast path, as trainJem's updates).
const fast = jem.fastPath();
if (fast) {
  const neg = tf.tensor(x0.subarray(0, Math.min(128, nNeg) * 784), [Math.min(128, nNeg), 28, 28, 1]);
  const xNeg = sgld(jem.energy, neg, { ...sg, steps: 20 }, rng);
  const rows = new Float32Array(64 * 784);
  const lab = new Int32Array(64);
  for (let i = 0; i < 64; i++) {
    const r = rng.int(train.y.length);
    lab[i] = train.y[r]!;
    rows.set(train.x.subarray(r * 784, (r + 1) * 784), i * 784);
  }
  const xPos = tf.tensor(rows, [64, 28, 28, 1]);
  const yOne = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(lab, 'int32'), K), 'float32')) as tf.Tensor2D;
  const px = fast.jointLossGradients(xPos, yOne, xNeg, { pyx: 0, px: 1, alpha: 0.003 });
  const ce = fast.jointLossGradients(xPos, yOne, undefined, { pyx: 1, px: 0, alpha: 0 });
  const rms = (g: tf.Tensor) => Math.sqrt(tf.tidy(() => tf.mean(tf.square(g)).dataSync()[0]!));
  console.log(`  gradient RMS of the first JEM step (E(data) ${px.energyData.toFixed(2)}, E(samples) ${px.energySample.toFixed(2)}): log p(x) term | cross-entropy`);
  for (const k of Object.keys(px.grads)) console.log(`    ${k} [${px.grads[k]!.shape.join('×')}]: ${rms(px.grads[k]!).toExponential(2)} | ${rms(ce.grads[k]!).toExponential(2)}`);
  tf.dispose([neg, xNeg, xPos, yOne, ...Object.values(px.grads), ...Object.values(ce.grads)]);
}
jem.dispose();
