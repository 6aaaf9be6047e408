/**
 * Early stopping of an anytime candidate in `--unary auto` (a race against the incumbent, in the spirit of
 * successive halving): while a candidate trains, its validation loss is measured at checkpoints and the curve is
 * extrapolated to the end of its allotment; once even that extrapolation cannot reach the incumbent, the candidate
 * is stopped and the rest of its time given back.
 *
 * Both sides are measured alike, by `tunedUnaryLoss`: the unary alone (no pairwise term), with the one decision
 * threshold the pairwise stage would also re-tune — for two classes the best offset of the foreground's score — so
 * that a candidate whose probabilities are merely shifted (class-weighted training) is not judged by its shift.
 */
import { IGNORE_LABEL } from '../grid/labels.js';
import type { SelectionCriterion } from './pairwise-fit.js';

/**
 * The loss of per-pixel class scores `[p·K + k]` (log-probabilities, or negated unary energies) on labelled pixels,
 * pooled over the images: for two classes the minimum over thresholds τ of the criterion for "class 1 where
 * s₁ − s₀ > τ" (pixel error, or 1 − F1 of class 1); for more classes the error of the argmax.
 */
export function tunedUnaryLoss(scores: readonly Float32Array[] | readonly Float64Array[], Y: readonly Uint8Array[], K: number, criterion: SelectionCriterion): number {
  if (scores.length !== Y.length) throw new RangeError(`${scores.length} score maps for ${Y.length} label maps`);
  let n = 0;
  for (const y of Y) for (let p = 0; p < y.length; p++) if (y[p] !== IGNORE_LABEL && y[p]! < K) n++;
  if (n === 0) return NaN;
  if (K !== 2) {
    let wrong = 0;
    Y.forEach((y, i) => {
      const s = scores[i]!;
      for (let p = 0; p < y.length; p++) {
        const t = y[p]!;
        if (t === IGNORE_LABEL || t >= K) continue;
        let best = 0;
        for (let k = 1; k < K; k++) if (s[p * K + k]! > s[p * K + best]!) best = k;
        if (best !== t) wrong++;
      }
    });
    return wrong / n;
  }
  // margins of the labelled pixels, sorted: predicting class 1 for the top j of them, for every j
  const margin = new Float64Array(n);
  const isFg = new Uint8Array(n);
  let m = 0;
  let positives = 0;
  Y.forEach((y, i) => {
    const s = scores[i]!;
    for (let p = 0; p < y.length; p++) {
      const t = y[p]!;
      if (t === IGNORE_LABEL || t >= 2) continue;
      margin[m] = s[2 * p + 1]! - s[2 * p]!;
      isFg[m] = t;
      positives += t;
      m++;
    }
  });
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => margin[b]! - margin[a]!);
  // j = 0: nothing predicted as class 1
  let best = criterion === 'f1' ? 1 : positives / n;
  let tp = 0;
  for (let j = 0; j < n; j++) {
    tp += isFg[order[j]!]!;
    // only between distinct margins can a threshold fall
    if (j + 1 < n && margin[order[j + 1]!] === margin[order[j]!]) continue;
    const predicted = j + 1;
    const fp = predicted - tp;
    const fn = positives - tp;
    const loss = criterion === 'f1' ? (tp === 0 ? 1 : 1 - (2 * tp) / (2 * tp + fp + fn)) : (fp + fn) / n;
    if (loss < best) best = loss;
  }
  return best;
}

/** One checkpoint of a candidate's validation curve. */
export interface CurvePoint {
  /** Share of the candidate's allotment (or of its planned epochs) done. */
  progress: number;
  loss: number;
}

/** The verdict at a checkpoint. */
export interface CurveVerdict {
  stop: boolean;
  /** The loss the curve extrapolates to at the end of the allotment (the best so far when it cannot be extrapolated). */
  projected: number;
  /** Why it was stopped (absent when it goes on). */
  reason?: string;
}

/**
 * Decides at each checkpoint whether a candidate can still plausibly beat `incumbent` (lower is better). The curve
 * is the running best of the losses seen; its rate of improvement over the last interval, carried on linearly to
 * the end of the allotment, gives the projected final loss — an optimistic projection, since a learning curve
 * flattens as it goes. The candidate stops when the projection stays above the incumbent. The first checkpoint
 * only records (there is no rate yet).
 */
export class CurveJudge {
  readonly points: CurvePoint[] = [];
  constructor(readonly incumbent: number) {}

  /** Whether the curve has reached the incumbent: then it can never be stopped, and needs no more checkpoints. */
  get reached(): boolean {
    return this.points.some((p) => p.loss <= this.incumbent);
  }

  observe(progress: number, loss: number): CurveVerdict {
    const prev = this.points[this.points.length - 1];
    const bestBefore = this.points.reduce((a, p) => Math.min(a, p.loss), Infinity);
    this.points.push({ progress, loss });
    const best = Math.min(bestBefore, loss);
    if (!prev || !(Number.isFinite(this.incumbent))) return { stop: false, projected: best };
    if (best <= this.incumbent) return { stop: false, projected: best };
    const span = progress - prev.progress;
    const rate = span > 0 ? Math.max(0, bestBefore - best) / span : 0;
    const projected = best - rate * Math.max(0, 1 - progress);
    if (projected <= this.incumbent) return { stop: false, projected };
    return {
      stop: true,
      projected,
      reason: `at ${(100 * progress).toFixed(0)} % of its allotment its validation loss ${best.toFixed(4)} extrapolates to ${projected.toFixed(4)}, above the incumbent's ${this.incumbent.toFixed(4)}`,
    };
  }
}
