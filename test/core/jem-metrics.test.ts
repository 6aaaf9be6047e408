// Classifier/detector metrics used by the JEM evaluation, against brute force and hand-computed values.
import test from 'ava';
import { createRng } from '@ebmkit/core';
import { accuracy, auroc, expectedCalibrationError } from '@ebmkit/core/energy';

test('auroc equals the brute-force pair count, ties counting one half', (t) => {
  const rng = createRng(1);
  for (let trial = 0; trial < 20; trial++) {
    // Coarse values so that ties happen.
    const pos = Array.from({ length: 1 + rng.int(30) }, () => Math.round(rng.normal() * 3) / 2 + 0.3);
    const neg = Array.from({ length: 1 + rng.int(30) }, () => Math.round(rng.normal() * 3) / 2);
    let s = 0;
    for (const p of pos) for (const q of neg) s += p > q ? 1 : p === q ? 0.5 : 0;
    t.true(Math.abs(auroc(pos, neg) - s / (pos.length * neg.length)) < 1e-12);
  }
  t.is(auroc([3, 4], [1, 2]), 1);
  t.is(auroc([1, 2], [3, 4]), 0);
  t.throws(() => auroc([], [1]), { message: /need scores in both groups, got 0 and 1/ });
  t.throws(() => auroc([NaN], [1]), { message: /score 0 is NaN/ });
});

test('expected calibration error on a hand-computed example', (t) => {
  // Two classes; confidences 0.9, 0.9 (one right, one wrong) and 0.6 (right): bins (0.8, 0.87] … with 15 bins,
  // 0.9 → bin 13, 0.6 → bin 8. ECE = 2/3·|0.5 − 0.9| + 1/3·|1 − 0.6| = 0.2667 + 0.1333 = 0.4.
  const probs = [0.9, 0.1, 0.1, 0.9, 0.6, 0.4];
  const labels = [0, 0, 0];
  t.true(Math.abs(expectedCalibrationError(probs, labels, 2) - 0.4) < 1e-12);
  t.true(Math.abs(accuracy(probs, labels, 2) - 2 / 3) < 1e-12);
  // Perfectly calibrated in each bin → 0.
  t.true(expectedCalibrationError([1, 0, 1, 0], [0, 0], 2) < 1e-12);
  t.throws(() => accuracy([0.5, 0.5], [0, 1], 2), { message: /2 probabilities for 2 labels × 2 classes/ });
});
