import test from 'ava';
import { createRng, hammingLoss, sparseDot } from '@ebmkit/core';
import { enumerateLabellings } from '@ebmkit/core/testing';
import { DenseChainModel, MulticlassModel, type DenseSequence } from '@ebmkit/ssvm';
import { chainData } from './helpers.ts';

/** max over every labelling of scale·w·ψ(x, ŷ) + Δ(y, ŷ), by enumeration through jointFeature (independent of Viterbi). */
function bruteLossAugmented(model: DenseChainModel, x: DenseSequence, y: Int32Array, w: Float64Array, scale = 1) {
  let best = -Infinity;
  let arg: Int32Array | null = null;
  for (const yh of enumerateLabellings(x.T, model.labels)) {
    const v = scale * sparseDot(model.jointFeature(x, yh), w) + model.loss(y, yh);
    if (v > best + 1e-12) (best = v), (arg = yh);
  }
  return { best, arg: arg! };
}

function value(model: DenseChainModel, x: DenseSequence, y: Int32Array, w: Float64Array, yh: Int32Array, scale = 1) {
  return scale * sparseDot(model.jointFeature(x, yh), w) + model.loss(y, yh);
}

test('dense chain: Viterbi and loss-augmented inference match brute force (Hamming, class-weighted, 0/1)', (t) => {
  const rng = createRng(3);
  const L = 3;
  const D = 4;
  const { X, Y } = chainData(11, 12, L, D, { minT: 1, maxT: 4 });
  const variants = [
    new DenseChainModel({ labels: L, features: D }),
    new DenseChainModel({ labels: L, features: D, classWeights: [0.5, 2, 1] }),
    new DenseChainModel({ labels: L, features: D, loss: 'zero-one' }),
    new DenseChainModel({ labels: L, features: D, bias: true }),
  ];
  for (const model of variants) {
    for (let i = 0; i < X.length; i++) {
      const w = rng.fillNormal(new Float64Array(model.sizeJointFeature), 0, 0.7);
      const x = X[i]!;
      const y = Y[i]!;
      // plain inference = loss-augmented with zero loss: compare scores
      const map = model.inference(x, w);
      let bestScore = -Infinity;
      for (const yh of enumerateLabellings(x.T, L)) bestScore = Math.max(bestScore, sparseDot(model.jointFeature(x, yh), w));
      t.true(Math.abs(sparseDot(model.jointFeature(x, map), w) - bestScore) < 1e-9);
      for (const scale of [1, 0.3]) {
        const yh = scale === 1 ? model.lossAugmentedInference(x, y, w) : model.lossAugmentedInferenceScaled(x, y, w, scale);
        const bf = bruteLossAugmented(model, x, y, w, scale);
        t.true(Math.abs(value(model, x, y, w, yh, scale) - bf.best) < 1e-9, `${model.lossKind} example ${i} scale ${scale}`);
      }
    }
  }
});

test('dense chain: jointFeature gives w·ψ equal to the potentials score; loss is the (weighted) Hamming distance', (t) => {
  const rng = createRng(5);
  const model = new DenseChainModel({ labels: 4, features: 3, classWeights: [1, 2, 3, 4], bias: true });
  t.is(model.sizeJointFeature, 4 * 4 + 16);
  const { X, Y } = chainData(2, 5, 4, 3);
  for (let i = 0; i < X.length; i++) {
    const w = rng.fillNormal(new Float64Array(model.sizeJointFeature));
    const x = X[i]!;
    const y = Y[i]!;
    const p = model.potentials(x, w);
    let s = 0;
    for (let q = 0; q < x.T; q++) s += p.unary[q * 4 + y[q]!]! + (q > 0 ? p.transition[y[q - 1]! * 4 + y[q]!]! : 0);
    t.true(Math.abs(s - sparseDot(model.jointFeature(x, y), w)) < 1e-9);
    const yh = y.map((v) => (v + 1) % 4);
    t.is(model.loss(y, yh), hammingLoss(y, yh, [1, 2, 3, 4]));
    t.is(model.loss(y, y), 0);
  }
});

test('multiclass: inference is the arg-max class and loss-augmented inference adds the class-weighted 0/1 loss', (t) => {
  const model = new MulticlassModel({ classes: 3, features: 2, classWeights: [1, 5, 1] });
  const w = Float64Array.from([1, 0, 0, 1, -1, -1]); // class 0: x0, class 1: x1, class 2: −x0−x1
  t.is(model.inference(Float64Array.from([2, 1]), w), 0);
  t.is(model.inference(Float64Array.from([0, 3]), w), 1);
  // true class 1 (weight 5): score(1)=3, score(0)=0+5 → loss-augmented picks 0
  t.is(model.lossAugmentedInference(Float64Array.from([0, 3]), 1, w), 0);
  t.is(model.loss(1, 0), 5);
  t.is(model.loss(2, 2), 0);
  t.deepEqual([...model.jointFeature(Float64Array.from([2, 0]), 2).indices], [4]);
});

test('models reject bad examples with a clear message', (t) => {
  const m = new DenseChainModel({ labels: 2, features: 3 });
  t.throws(() => m.checkExample({ T: 0, D: 3, features: new Float64Array(0) }, new Int32Array(0)), { message: /empty sequence/ });
  t.throws(() => m.checkExample({ T: 2, D: 3, features: new Float64Array(5) }, new Int32Array(2)), { message: /features length 5 !== T·D = 2·3/ });
  t.throws(() => m.checkExample({ T: 1, D: 2, features: new Float64Array(2) }, new Int32Array(1)), { message: /items have 2 features, the model expects 3/ });
  t.throws(() => m.checkExample({ T: 1, D: 3, features: Float64Array.from([0, NaN, 0]) }, new Int32Array(1)), { message: /feature 2 of item 1 is NaN/ });
  t.throws(() => m.checkExample({ T: 1, D: 3, features: Float64Array.from([0, Infinity, 0]) }, new Int32Array(1)), { message: /is Infinity/ });
  t.throws(() => m.checkExample({ T: 1, D: 3, features: new Float64Array(3) }, Int32Array.from([2])), { message: /label 2 at position 1 is not in \[0, 2\)/ });
  t.throws(() => new DenseChainModel({ labels: 2, features: 3, loss: 'zero-one', classWeights: [1, 1] }), { message: /Hamming/ });
  const mc = new MulticlassModel({ classes: 2, features: 2 });
  t.throws(() => mc.checkExample(new Float64Array(3), 0), { message: /3 features, expected 2/ });
});
