/**
 * Classifier and detector metrics on flat typed arrays: accuracy, expected calibration error (equal-width confidence
 * bins), and the area under the ROC curve (the Mann–Whitney statistic, ties counted one half).
 */

/** Index of the largest of `probs[i*K .. i*K+K)` for each row. */
export function argmaxRows(probs: ArrayLike<number>, K: number): Int32Array {
  const n = probs.length / K;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (probs[i * K + k]! > probs[i * K + best]!) best = k;
    out[i] = best;
  }
  return out;
}

/** Fraction of rows whose arg-max class equals the label. */
export function accuracy(probs: ArrayLike<number>, labels: ArrayLike<number>, K: number): number {
  if (probs.length !== labels.length * K) throw new RangeError(`accuracy: ${probs.length} probabilities for ${labels.length} labels × ${K} classes`);
  const pred = argmaxRows(probs, K);
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) ok++;
  return ok / labels.length;
}

/**
 * Expected calibration error: rows binned by confidence max_k p(k|x) into `bins` equal-width bins (default 15, as in
 * Guo et al. 2017 and JEM); ECE = Σ_b (|B_b| / n) · |accuracy(B_b) − mean confidence(B_b)|.
 */
export function expectedCalibrationError(probs: ArrayLike<number>, labels: ArrayLike<number>, K: number, bins = 15): number {
  if (probs.length !== labels.length * K) throw new RangeError(`expectedCalibrationError: ${probs.length} probabilities for ${labels.length} labels × ${K} classes`);
  if (!Number.isSafeInteger(bins) || bins < 1) throw new RangeError(`expectedCalibrationError: bins must be an integer ≥ 1, got ${bins}`);
  const n = labels.length;
  const count = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const correct = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (probs[i * K + k]! > probs[i * K + best]!) best = k;
    const c = probs[i * K + best]!;
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
    count[b]! += 1;
    conf[b]! += c;
    if (best === labels[i]) correct[b]! += 1;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]! > 0) ece += Math.abs(correct[b]! - conf[b]!) / n;
  return ece;
}

/**
 * Area under the ROC curve for telling `positive` scores (e.g. in-distribution) from `negative` ones, higher score =
 * more positive: P(s⁺ > s⁻) + ½ P(s⁺ = s⁻), computed from ranks in O((m + n) log(m + n)). NaN scores are refused.
 */
export function auroc(positive: ArrayLike<number>, negative: ArrayLike<number>): number {
  const m = positive.length;
  const n = negative.length;
  if (m === 0 || n === 0) throw new RangeError(`auroc: need scores in both groups, got ${m} and ${n}`);
  const all = new Float64Array(m + n);
  for (let i = 0; i < m; i++) all[i] = positive[i]!;
  for (let j = 0; j < n; j++) all[m + j] = negative[j]!;
  for (let i = 0; i < m + n; i++) if (Number.isNaN(all[i]!)) throw new RangeError(`auroc: score ${i} is NaN`);
  const order = Array.from({ length: m + n }, (_, i) => i).sort((a, b) => all[a]! - all[b]!);
  // Sum of positive ranks with ties given their average rank.
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && all[order[j + 1]!] === all[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (order[k]! < m) rankSum += avg;
    i = j + 1;
  }
  return (rankSum - (m * (m + 1)) / 2) / (m * n);
}
