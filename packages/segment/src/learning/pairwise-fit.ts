/**
 * The second stage of piecewise training: with the unary weights fixed, choose the pairwise weights by the
 * validation error of MAP labellings over a grid of candidates (then, for a label-compatibility matrix, one round of
 * per-pair refinement). For two labels the foreground's bias can be re-tuned with the pairwise term (a smoothing
 * term shrinks thin foreground parts, which a lower foreground energy compensates): pairwise grid, then bias
 * offsets at the best pairwise weights (stepping past an end of the grid while the loss falls), then the pairwise
 * grid again at the best offset.
 */
import type { GridCrf, SegmentationInput } from './grid-crf.js';
import { IGNORE_LABEL } from '../grid/labels.js';

/** One candidate tried, with its validation loss (fraction of pixels wrong, or 1 − F1 with criterion 'f1'). */
export interface PairwiseCandidate {
  weights: number[];
  /** Offset added to the foreground's bias weight (two labels; 0 otherwise). */
  biasOffset: number;
  loss: number;
}

/** Default candidate strengths of the contrast term. */
export const CONTRAST_GRID = [0, 0.25, 0.5, 1, 2, 4, 8, 16, 32];
/** Default candidate offsets of the foreground bias (two labels). */
export const BIAS_GRID = [-1, -0.5, -0.25, 0.25, 0.5, 1, 1.5];
/** Past an end of BIAS_GRID the offset moves by BIAS_STEP while the validation loss falls, at most this many steps. */
export const BIAS_EXTENSION_STEPS = 8;
export const BIAS_STEP = 0.5;
/** Default candidate strengths of the constant (plain Potts) term. */
export const CONSTANT_GRID = [0, 0.25, 1, 4];

/** What the candidates are compared by: the mean pixel error, or 1 − F1 of class 1 pooled over the images. */
export type SelectionCriterion = 'error' | 'f1';

/** Mean validation loss of weights `w`: pixel error, or 1 − F1 of class 1 pooled over the images. */
export function validationLoss(crf: GridCrf, w: Float64Array, X: readonly SegmentationInput[], Y: readonly Uint8Array[], criterion: SelectionCriterion = 'error'): number {
  if (criterion === 'f1') {
    let tp = 0;
    let wrong = 0;
    for (let i = 0; i < X.length; i++) {
      const y = Y[i]!;
      const pred = crf.inference(X[i]!, w);
      for (let p = 0; p < y.length; p++) {
        const t = y[p]!;
        if (t === IGNORE_LABEL) continue;
        if (t === 1 && pred[p] === 1) tp++;
        else if (t === 1 || pred[p] === 1) wrong++;
      }
    }
    return tp + wrong === 0 ? 0 : 1 - (2 * tp) / (2 * tp + wrong);
  }
  let s = 0;
  for (let i = 0; i < X.length; i++) s += crf.loss(Y[i]!, crf.inference(X[i]!, w));
  return s / X.length;
}

/**
 * Returns a copy of `w` whose pairwise block minimises the mean validation loss over the candidates (ties go to the
 * earlier, weaker candidate), and every candidate's loss.
 */
export function fitPairwiseWeights(
  crf: GridCrf,
  w: Float64Array,
  X: readonly SegmentationInput[],
  Y: readonly Uint8Array[],
  options: { contrast?: number[]; constant?: number[]; biasOffsets?: number[]; criterion?: SelectionCriterion; onCandidate?: (c: PairwiseCandidate) => void } = {},
): { w: Float64Array; candidates: PairwiseCandidate[]; unaryOnlyLoss: number } {
  if (X.length === 0) throw new RangeError('fitPairwiseWeights: no validation images');
  const po = crf.pairOffset;
  const F = crf.numFeatures;
  const biasIndex = crf.numLabels === 2 ? F + F - 1 : -1; // class 1's weight on the last (bias) feature
  const baseBias = biasIndex >= 0 ? w[biasIndex]! : 0;
  const cand: PairwiseCandidate[] = [];
  const trial = Float64Array.from(w);
  trial.fill(0, po);
  const unaryOnlyLoss = validationLoss(crf, trial, X, Y, options.criterion);
  let best: PairwiseCandidate = { weights: new Array<number>(crf.numPairWeights).fill(0), biasOffset: 0, loss: unaryOnlyLoss };
  const seen = new Set<string>();
  const tryOne = (weights: number[], biasOffset: number) => {
    const key = `${weights.join(',')}|${biasOffset}`;
    if (seen.has(key)) return;
    seen.add(key);
    for (let k = 0; k < weights.length; k++) trial[po + k] = weights[k]!;
    if (biasIndex >= 0) trial[biasIndex] = baseBias + biasOffset;
    const c = { weights, biasOffset, loss: validationLoss(crf, trial, X, Y, options.criterion) };
    cand.push(c);
    options.onCandidate?.(c);
    if (c.loss < best.loss - 1e-12) best = c;
  };
  cand.push(best);
  seen.add(`${best.weights.join(',')}|0`);
  const contrast = options.contrast ?? CONTRAST_GRID;
  const constant = options.constant ?? CONSTANT_GRID;
  const pairwiseGrid = (offset: number) => {
    if (crf.pairwise === 'potts') {
      for (const a of constant) for (const b of contrast) if (a !== 0 || b !== 0) tryOne([a, b], offset);
    } else {
      const P = crf.numPairWeights;
      for (const lam of contrast) if (lam !== 0) tryOne(new Array<number>(P).fill(lam), offset);
    }
  };
  pairwiseGrid(0);
  if (biasIndex >= 0) {
    const offsets = options.biasOffsets ?? BIAS_GRID;
    for (const b of offsets) tryOne(best.weights, b);
    // the best offset at an end of the grid: keep stepping outward while the loss falls (the grid's end is no
    // bound of the data's optimum — a rare thin foreground can want more than the grid offers)
    const lo = Math.min(...offsets);
    const hi = Math.max(...offsets);
    if (options.biasOffsets === undefined && (best.biasOffset === lo || best.biasOffset === hi)) {
      const dir = best.biasOffset === hi ? 1 : -1;
      for (let k = 1; k <= BIAS_EXTENSION_STEPS; k++) {
        const before = best.loss;
        tryOne(best.weights, best.biasOffset + dir * BIAS_STEP);
        if (!(best.loss < before - 1e-12)) break;
      }
    }
    if (best.biasOffset !== 0) pairwiseGrid(best.biasOffset);
  }
  if (crf.pairwise === 'matrix') {
    // refine each pair's weight by factors around the best uniform strength
    const P = crf.numPairWeights;
    for (let j = 0; j < P; j++) {
      const cur = [...best.weights];
      for (const f of [0.25, 0.5, 2, 4]) {
        const ws = [...cur];
        ws[j] = cur[j]! * f;
        tryOne(ws, best.biasOffset);
      }
    }
  }
  const out = Float64Array.from(w);
  for (let k = 0; k < crf.numPairWeights; k++) out[po + k] = best.weights[k]!;
  if (biasIndex >= 0) out[biasIndex] = baseBias + best.biasOffset;
  return { w: out, candidates: cand, unaryOnlyLoss };
}
