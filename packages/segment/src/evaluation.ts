/**
 * Evaluating a segmenter on image/mask pairs: per image pixel accuracy, IoU per class and boundary F-score at the
 * mask's resolution, pooled totals (one confusion matrix over all pixels), and a per-image CSV written with
 * fast-csv.
 */
import { createWriteStream } from 'node:fs';
import { loadWorkingImage } from './dataset.js';
import { loadLabelMap, type MaskFormat } from './masks.js';
import { ConfusionMatrix, boundaryFScore } from './metrics.js';
import type { Segmenter } from './segmenter.js';
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
  for (const pair of pairs) {
    const mask = await loadLabelMap(pair.mask, options.mask);
    const { image, width, height } = await loadWorkingImage(pair.image, segmenter.config.maxSide, { width: mask.width, height: mask.height });
    if ((width !== mask.width || height !== mask.height) && options.sizeRule === 'refuse') {
      throw new DataError(pair.image, undefined, `image is ${width}×${height} but its mask ${pair.mask} is ${mask.width}×${mask.height} (size rule 'refuse')`);
    }
    for (let p = 0; p < mask.labels.length; p++) {
      const l = mask.labels[p]!;
      if (l !== 255 && l >= K) throw new DataError(pair.mask, undefined, `has class ${l}, the model knows ${K} classes`);
    }
    const pred = await segmenter.predict(image, { unaryOnly: options.unaryOnly ?? false, outWidth: mask.width, outHeight: mask.height });
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
