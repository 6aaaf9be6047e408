/**
 * Evaluation of a JEM: classification (accuracy, expected calibration error) and out-of-distribution detection with
 * three scores, each "higher = more in-distribution": log p(x) up to log Z (= logsumexp f(x)), max p(y|x), and
 * −‖∇ₓ log p(x)‖ (JEM's "approximate mass": in-distribution points sit where the density is flat).
 */
import * as tf from '../tf.js';
import type { Jem } from './jem-model.js';
import { accuracy, auroc, expectedCalibrationError } from './metrics.js';

/** Per-example outputs of a JEM on a set of inputs. */
export interface JemScores {
  /** p(y|x), n × classes. */
  probs: Float32Array;
  /** logsumexp_y f(x)[y] = log p(x) + log Z. */
  logPx: Float32Array;
  /** max_y p(y|x). */
  maxProb: Float32Array;
  /** ‖∇ₓ log p(x)‖₂. */
  gradNorm: Float32Array;
}

/** Input shape, values per row, classes and row count of `x` for `jem` (refused unless whole rows). */
function rowsOf(jem: Jem, x: Float32Array, who: string): { shape: number[]; D: number; K: number; n: number } {
  const shape = jem.inputShape;
  const D = shape.reduce((a, b) => a * b, 1);
  if (x.length % D !== 0) throw new RangeError(`${who}: ${x.length} values are not rows of ${D} ([${shape.join(', ')}])`);
  return { shape, D, K: jem.classes, n: x.length / D };
}

/** Computes `JemScores` for the rows of `x` (flat, scaled like the training data), in batches (default 256). */
export function scoreJem(jem: Jem, x: Float32Array, batchSize = 256): JemScores {
  const { shape, D, K, n } = rowsOf(jem, x, 'scoreJem');
  const probs = new Float32Array(n * K);
  const logPx = new Float32Array(n);
  const maxProb = new Float32Array(n);
  const gradNorm = new Float32Array(n);
  const lse = (xx: tf.Tensor) => tf.logSumExp(jem.logits(xx), 1);
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    tf.tidy(() => {
      const xb = tf.tensor(x.subarray(s * D, (s + m) * D), [m, ...shape], 'float32');
      const { value, grad } = tf.valueAndGrad(lse)(xb);
      const p = tf.softmax(jem.logits(xb));
      probs.set(p.dataSync(), s * K);
      logPx.set(value.dataSync(), s);
      maxProb.set(tf.max(p, 1).dataSync(), s);
      gradNorm.set(tf.sqrt(tf.sum(tf.square(tf.reshape(grad, [m, D])), 1)).dataSync(), s);
    });
  }
  return { probs, logPx, maxProb, gradNorm };
}

/** OOD detection AUROCs (in-distribution = positive) for the three scores. */
export interface OodAuroc {
  logPx: number;
  maxProb: number;
  /** Score −‖∇ₓ log p(x)‖. */
  gradNorm: number;
}

/** Result of `evaluateJem`. */
export interface JemEvaluation {
  accuracy: number;
  /** Expected calibration error, 15 bins. */
  ece: number;
  /** Mean −log p(y|x). */
  nll: number;
  /** Present when out-of-distribution inputs were given. */
  ood?: OodAuroc;
}

/** AUROCs of in- vs out-of-distribution scores. */
export function oodAuroc(inDist: JemScores, outDist: JemScores): OodAuroc {
  const neg = (a: Float32Array) => a.map((v) => -v);
  return {
    logPx: auroc(inDist.logPx, outDist.logPx),
    maxProb: auroc(inDist.maxProb, outDist.maxProb),
    gradNorm: auroc(neg(inDist.gradNorm), neg(outDist.gradNorm)),
  };
}

/**
 * p(y|x) and the energy −logsumexp f(x) of the rows of `x`, forward passes only (no ∇ₓ; cheaper than `scoreJem`).
 */
export function predictJem(jem: Jem, x: Float32Array, batchSize = 256): { probs: Float32Array; energy: Float32Array } {
  const { shape, D, K, n } = rowsOf(jem, x, 'predictJem');
  const probs = new Float32Array(n * K);
  const energy = new Float32Array(n);
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    tf.tidy(() => {
      const f = jem.logits(tf.tensor(x.subarray(s * D, (s + m) * D), [m, ...shape], 'float32'));
      probs.set(tf.softmax(f).dataSync(), s * K);
      energy.set(tf.neg(tf.logSumExp(f, 1)).dataSync(), s);
    });
  }
  return { probs, energy };
}

/** Accuracy, ECE (15 bins) and mean −log p(y|x) of class probabilities `probs` (n × K) against `labels`. */
export function classificationMetrics(probs: Float32Array, labels: Int32Array, K: number): JemEvaluation {
  if (probs.length !== labels.length * K) throw new RangeError(`classificationMetrics: ${probs.length} probabilities for ${labels.length} labels × ${K} classes`);
  let nll = 0;
  for (let i = 0; i < labels.length; i++) nll -= Math.log(Math.max(probs[i * K + labels[i]!]!, 1e-30));
  return { accuracy: accuracy(probs, labels, K), ece: expectedCalibrationError(probs, labels, K), nll: nll / labels.length };
}

/** Accuracy, ECE and NLL on labelled test data, and OOD AUROCs against `ood` inputs when given. */
export function evaluateJem(jem: Jem, test: { x: Float32Array; y: Int32Array }, ood?: Float32Array, batchSize = 256): JemEvaluation {
  const sIn = scoreJem(jem, test.x, batchSize);
  if (sIn.maxProb.length !== test.y.length) throw new RangeError(`evaluateJem: ${sIn.maxProb.length} inputs for ${test.y.length} labels`);
  const out = classificationMetrics(sIn.probs, test.y, jem.classes);
  if (ood) out.ood = oodAuroc(sIn, scoreJem(jem, ood, batchSize));
  return out;
}
