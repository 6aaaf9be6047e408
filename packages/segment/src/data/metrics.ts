/**
 * Segmentation metrics: a confusion matrix (ignored pixels skipped) giving pixel accuracy and per-class
 * intersection-over-union, and the boundary F-score (precision and recall of predicted boundary pixels matched to
 * reference boundary pixels within a tolerance, as in the BSDS benchmark but without one-to-one matching).
 */
import { IGNORE_LABEL } from '../grid/labels.js';

/** A K × K confusion matrix, `counts[truth·K + predicted]`. */
export class ConfusionMatrix {
  readonly counts: Float64Array;
  constructor(readonly numLabels: number) {
    this.counts = new Float64Array(numLabels * numLabels);
  }

  /** Adds a labelling (pixels whose truth is IGNORE_LABEL are skipped). */
  add(truth: Uint8Array, predicted: Uint8Array): this {
    if (truth.length !== predicted.length) throw new RangeError(`prediction has ${predicted.length} pixels, the reference ${truth.length}`);
    const K = this.numLabels;
    for (let p = 0; p < truth.length; p++) {
      const t = truth[p]!;
      if (t === IGNORE_LABEL) continue;
      const q = predicted[p]!;
      if (t >= K || q >= K) throw new RangeError(`label ${t >= K ? t : q} at pixel ${p} is not in [0, ${K})`);
      this.counts[t * K + q]++;
    }
    return this;
  }

  /** Adds another matrix. */
  merge(other: ConfusionMatrix): this {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i]!;
    return this;
  }

  /** Labelled pixels counted. */
  get total(): number {
    let s = 0;
    for (const c of this.counts) s += c;
    return s;
  }

  /** Fraction of labelled pixels predicted right (NaN when none). */
  pixelAccuracy(): number {
    const K = this.numLabels;
    let right = 0;
    for (let k = 0; k < K; k++) right += this.counts[k * K + k]!;
    return right / this.total;
  }

  /** Per class: true positives, reference count (row sum) and predicted count (column sum). */
  private classTotals(k: number): { tp: number; row: number; col: number } {
    const K = this.numLabels;
    let row = 0;
    let col = 0;
    for (let j = 0; j < K; j++) {
      row += this.counts[k * K + j]!;
      col += this.counts[j * K + k]!;
    }
    return { tp: this.counts[k * K + k]!, row, col };
  }

  /** IoU of each class: TP / (TP + FP + FN); NaN for a class absent from both truth and prediction. */
  iou(): number[] {
    return Array.from({ length: this.numLabels }, (_, k) => {
      const { tp, row, col } = this.classTotals(k);
      const union = row + col - tp;
      return union === 0 ? NaN : tp / union;
    });
  }

  /** F1 (= Dice) of each class: 2·TP / (2·TP + FP + FN); NaN for a class absent from both truth and prediction. */
  f1(): number[] {
    return Array.from({ length: this.numLabels }, (_, k) => {
      const { tp, row, col } = this.classTotals(k);
      return row + col === 0 ? NaN : (2 * tp) / (row + col);
    });
  }

  /** Mean of the defined per-class IoUs. */
  meanIou(): number {
    const v = this.iou().filter((x) => !Number.isNaN(x));
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  }
}

/** Marks boundary pixels: those with a 4-neighbour of another label (ignored pixels neither are nor make boundaries). */
export function boundaryMap(labels: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const l = labels[p]!;
      if (l === IGNORE_LABEL) continue;
      const right = x + 1 < width ? labels[p + 1]! : l;
      const down = y + 1 < height ? labels[p + width]! : l;
      if (right !== l && right !== IGNORE_LABEL) out[p] = 1;
      if (down !== l && down !== IGNORE_LABEL) out[p] = 1;
    }
  }
  return out;
}

/** Chessboard distance transform of a binary map (distance to the nearest 1), capped at `cap`. */
function withinTolerance(map: Uint8Array, width: number, height: number, tol: number): Uint8Array {
  // dilate by a (2·tol+1)² square, separably
  const tmp = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    let last = -Infinity;
    const row = y * width;
    const near = new Int32Array(width).fill(0x3fffffff);
    for (let x = 0; x < width; x++) {
      if (map[row + x]) last = x;
      near[x] = x - last;
    }
    last = Infinity;
    for (let x = width - 1; x >= 0; x--) {
      if (map[row + x]) last = x;
      if (last - x < near[x]!) near[x] = last - x;
      tmp[row + x] = near[x]! <= tol ? 1 : 0;
    }
  }
  const out = new Uint8Array(width * height);
  for (let x = 0; x < width; x++) {
    let last = -Infinity;
    const near = new Float64Array(height);
    for (let y = 0; y < height; y++) {
      if (tmp[y * width + x]) last = y;
      near[y] = y - last;
    }
    last = Infinity;
    for (let y = height - 1; y >= 0; y--) {
      if (tmp[y * width + x]) last = y;
      out[y * width + x] = Math.min(near[y]!, last - y) <= tol ? 1 : 0;
    }
  }
  return out;
}

/** Boundary precision, recall and F-score of a prediction against a reference, with a tolerance in pixels. */
export function boundaryFScore(truth: Uint8Array, predicted: Uint8Array, width: number, height: number, tolerance = 2): { precision: number; recall: number; f: number } {
  if (truth.length !== width * height || predicted.length !== width * height) throw new RangeError(`label maps must have ${width}·${height} pixels`);
  const masked = predicted.slice();
  for (let p = 0; p < masked.length; p++) if (truth[p] === IGNORE_LABEL) masked[p] = IGNORE_LABEL;
  const bt = boundaryMap(truth, width, height);
  const bp = boundaryMap(masked, width, height);
  const nearT = withinTolerance(bt, width, height, tolerance);
  const nearP = withinTolerance(bp, width, height, tolerance);
  let np = 0;
  let nt = 0;
  let hitP = 0;
  let hitT = 0;
  for (let p = 0; p < bt.length; p++) {
    if (bp[p]) {
      np++;
      if (nearT[p]) hitP++;
    }
    if (bt[p]) {
      nt++;
      if (nearP[p]) hitT++;
    }
  }
  const precision = np === 0 ? (nt === 0 ? 1 : 0) : hitP / np;
  const recall = nt === 0 ? (np === 0 ? 1 : 0) : hitT / nt;
  const f = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f };
}

/**
 * Area under the ROC curve of scores in [0, 1] for a binary truth, accumulated over any number of pixels in fixed
 * memory: scores are quantised to 16 bits (the resolution of the probability PNGs), and the AUC is exact for the
 * quantised scores — the probability that a random positive outscores a random negative, ties counting one half.
 */
export class RocAuc {
  static readonly LEVELS = 65536;
  private readonly pos = new Float64Array(RocAuc.LEVELS);
  private readonly neg = new Float64Array(RocAuc.LEVELS);

  /** Adds one scored pixel. */
  add(positive: boolean, score: number): void {
    const q = Math.round(Math.min(1, Math.max(0, score)) * (RocAuc.LEVELS - 1));
    if (positive) this.pos[q]++;
    else this.neg[q]++;
  }

  /**
   * Adds an image: `scores[p·stride + offset]` is the score of pixel p, whose truth is positive when
   * `truth[p] === positiveLabel` (IGNORE_LABEL pixels are skipped).
   */
  addImage(truth: Uint8Array, scores: ArrayLike<number>, positiveLabel: number, stride = 1, offset = 0): this {
    for (let p = 0; p < truth.length; p++) {
      const t = truth[p]!;
      if (t === IGNORE_LABEL) continue;
      this.add(t === positiveLabel, scores[p * stride + offset]!);
    }
    return this;
  }

  /** The AUC (NaN without both positives and negatives). */
  auc(): number {
    let negBelow = 0;
    let nPos = 0;
    let nNeg = 0;
    let s = 0;
    for (let q = 0; q < RocAuc.LEVELS; q++) {
      const p = this.pos[q]!;
      const n = this.neg[q]!;
      s += p * (negBelow + n / 2);
      negBelow += n;
      nPos += p;
      nNeg += n;
    }
    return nPos === 0 || nNeg === 0 ? NaN : s / (nPos * nNeg);
  }
}
