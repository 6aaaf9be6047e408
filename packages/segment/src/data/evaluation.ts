/**
 * Evaluating a segmenter on image/mask pairs: per image pixel accuracy, IoU per class and boundary F-score at the
 * mask's resolution, pooled totals (one confusion matrix over all pixels), and a per-image CSV written with
 * fast-csv.
 */
import { createWriteStream } from 'node:fs';
import { applyIgnoreMask, loadWorkingImage } from './dataset.js';
import { loadLabelMap, type MaskFormat } from './masks.js';
import { ConfusionMatrix, RocAuc, boundaryFScore } from './metrics.js';
import type { Segmenter } from '../learning/segmenter.js';
import type { SizeRule } from './dataset.js';
import { DataError } from '@ebmkit/core';

/** Scores of one image. */
export interface ImageScores {
  name: string;
  pixels: number;
  accuracy: number;
  /** IoU per class (NaN when the class is in neither truth nor prediction). */
  iou: number[];
  boundaryF: number;
}

/** Pooled scores of a set of images. */
export interface EvaluationSummary {
  images: number;
  pixels: number;
  /** Pixel accuracy over all pixels pooled. */
  accuracy: number;
  /** IoU per class from the pooled confusion matrix. */
  iou: number[];
  meanIou: number;
  /** F1 (= Dice) per class from the pooled confusion matrix. */
  f1: number[];
  /** Two classes: ROC AUC of the foreground marginal over all scored pixels (NaN otherwise). */
  auc: number;
  /** Mean of the per-image boundary F-scores. */
  boundaryF: number;
  /** Mean of the per-image accuracies. */
  meanImageAccuracy: number;
  confusion: ConfusionMatrix;
}

/** Options of `evaluateFolder`. */
export interface EvaluateOptions {
  mask: MaskFormat;
  sizeRule?: SizeRule;
  /** Boundary tolerance in pixels at the mask's resolution (default 2). */
  tolerance?: number;
  /** Score the unary alone. */
  unaryOnly?: boolean;
  /** Region masks, one per pair (in order): pixels where it is dark are not scored. */
  ignoreMasks?: readonly string[];
  onImage?: (scores: ImageScores, done: number, total: number) => void;
}

/** Segments every pair and scores it against its mask. */
export async function evaluatePairs(
  segmenter: Segmenter,
  pairs: readonly { name: string; image: string; mask: string }[],
  options: EvaluateOptions,
): Promise<{ perImage: ImageScores[]; summary: EvaluationSummary }> {
  const K = segmenter.config.numLabels;
  const pooled = new ConfusionMatrix(K);
  const perImage: ImageScores[] = [];
  const roc = new RocAuc();
  if (options.ignoreMasks && options.ignoreMasks.length !== pairs.length) throw new RangeError(`${options.ignoreMasks.length} ignore masks for ${pairs.length} pairs`);
  for (const [i, pair] of pairs.entries()) {
    const mask = await loadLabelMap(pair.mask, options.mask);
    if (options.ignoreMasks) await applyIgnoreMask(mask.labels, mask.width, mask.height, options.ignoreMasks[i]!);
    const { image, width, height } = await loadWorkingImage(pair.image, segmenter.config.maxSide, { width: mask.width, height: mask.height });
    if ((width !== mask.width || height !== mask.height) && options.sizeRule === 'refuse') {
      throw new DataError(pair.image, undefined, `image is ${width}×${height} but its mask ${pair.mask} is ${mask.width}×${mask.height} (size rule 'refuse')`);
    }
    for (let p = 0; p < mask.labels.length; p++) {
      const l = mask.labels[p]!;
      if (l !== 255 && l >= K) throw new DataError(pair.mask, undefined, `has class ${l}, the model knows ${K} classes`);
    }
    const pred = await segmenter.predict(image, { unaryOnly: options.unaryOnly ?? false, outWidth: mask.width, outHeight: mask.height, marginals: K === 2 });
    if (K === 2) roc.addImage(mask.labels, pred.marginals!, 1, 2, 1);
    const cm = new ConfusionMatrix(K).add(mask.labels, pred.labels);
    pooled.merge(cm);
    const s: ImageScores = {
      name: pair.name,
      pixels: cm.total,
      accuracy: cm.pixelAccuracy(),
      iou: cm.iou(),
      boundaryF: boundaryFScore(mask.labels, pred.labels, mask.width, mask.height, options.tolerance ?? 2).f,
    };
    perImage.push(s);
    options.onImage?.(s, perImage.length, pairs.length);
  }
  const n = perImage.length;
  return {
    perImage,
    summary: {
      images: n,
      pixels: pooled.total,
      accuracy: pooled.pixelAccuracy(),
      iou: pooled.iou(),
      meanIou: pooled.meanIou(),
      f1: pooled.f1(),
      auc: K === 2 ? roc.auc() : NaN,
      boundaryF: perImage.reduce((a, s) => a + s.boundaryF, 0) / Math.max(1, n),
      meanImageAccuracy: perImage.reduce((a, s) => a + s.accuracy, 0) / Math.max(1, n),
      confusion: pooled,
    },
  };
}

/** Writes per-image scores as CSV (columns: image, pixels, accuracy, iou_<class>…, boundary_f). */
export async function writeScoresCsv(path: string, scores: readonly ImageScores[], classNames: readonly string[]): Promise<void> {
  const headers = ['image', 'pixels', 'accuracy', ...classNames.map((c) => `iou_${c.replace(/[^A-Za-z0-9_]+/g, '_')}`), 'boundary_f'];
  const fmt = (x: number) => (Number.isNaN(x) ? '' : x.toFixed(6));
  const { format } = await import('fast-csv');
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(path);
    const csv = format({ headers });
    csv.pipe(out).on('finish', resolve).on('error', reject);
    csv.on('error', reject);
    for (const s of scores) csv.write([s.name, String(s.pixels), fmt(s.accuracy), ...s.iou.map(fmt), fmt(s.boundaryF)]);
    csv.end();
  });
}
