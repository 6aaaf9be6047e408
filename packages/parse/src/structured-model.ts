import { SparseBuilder, type SparseVector } from '@ebmkit/core';
import { createLearner, type LearnerOptions, type SsvmLearnerName, type SsvmModel } from '@ebmkit/ssvm';
import { arcFeatures, betweenTags, maxArcFeatures, scoreArcs, type SentenceCodes } from './features.js';
import { decodeTree, DependencyParser } from './model.js';
import { RelationLearner } from './relation-learner.js';
import { prepareTraining } from './train.js';
import type { ParseSentence } from './sentence.js';

/**
 * The arc-factored parser as a `StructuredModel<SentenceCodes, heads>` for the structured-SVM learners:
 * ψ(x, y) = Σ_d f(y[d] → d) over hashed arc features (dimension 2^arcBits); inference is the best tree;
 * loss-augmented inference adds the Hamming loss over heads to every arc that is not gold (+1 on θ(h → d), h ≠ y[d])
 * and runs the same decoder.
 */
export class ArcFactoredModel implements SsvmModel<SentenceCodes, Int32Array> {
  readonly sizeJointFeature: number;
  private readonly mask: number;
  private readonly feats: Int32Array;
  private readonly between: Int32Array;
  private readonly seen: Uint8Array;

  constructor(
    readonly arcBits: number,
    readonly tagCount: number,
    readonly projective = false,
  ) {
    this.sizeJointFeature = 2 ** arcBits;
    this.mask = this.sizeJointFeature - 1;
    this.feats = new Int32Array(maxArcFeatures(tagCount));
    this.between = new Int32Array(tagCount);
    this.seen = new Uint8Array(tagCount);
  }

  jointFeatureInto(x: SentenceCodes, y: Int32Array, out: SparseBuilder): void {
    for (let d = 1; d <= x.n; d++) {
      const nb = betweenTags(x, y[d]!, d, this.seen, this.between);
      const m = arcFeatures(x, y[d]!, d, this.between, nb, this.mask, this.feats);
      for (let i = 0; i < m; i++) out.push(this.feats[i]!, 1);
    }
  }

  jointFeature(x: SentenceCodes, y: Int32Array): SparseVector {
    const b = new SparseBuilder();
    this.jointFeatureInto(x, y, b);
    return b.build();
  }

  private scores(x: SentenceCodes, w: Float64Array, scale: number): Float64Array {
    const N = x.n + 1;
    const arcs = scoreArcs(x, w, this.mask, this.tagCount, new Float64Array(N * N));
    if (scale !== 1) for (let i = 0; i < arcs.length; i++) arcs[i]! *= scale;
    return arcs;
  }

  inference(x: SentenceCodes, w: Float64Array): Int32Array {
    return decodeTree(this.scores(x, w, 1), x.n, this.projective);
  }

  lossAugmentedInferenceScaled(x: SentenceCodes, y: Int32Array, w: Float64Array, scale: number): Int32Array {
    const N = x.n + 1;
    const arcs = this.scores(x, w, scale);
    for (let d = 1; d < N; d++) for (let h = 0; h < N; h++) if (h !== d && h !== y[d]) arcs[h * N + d]! += 1;
    return decodeTree(arcs, x.n, this.projective);
  }

  lossAugmentedInference(x: SentenceCodes, y: Int32Array, w: Float64Array): Int32Array {
    return this.lossAugmentedInferenceScaled(x, y, w, 1);
  }

  loss(y: Int32Array, yHat: Int32Array): number {
    let l = 0;
    for (let d = 1; d < y.length; d++) if (y[d] !== yHat[d]) l++;
    return l;
  }

  checkExample(x: SentenceCodes, y: Int32Array): void {
    if (y.length !== x.n + 1) throw new RangeError(`heads length ${y.length} !== words + 1 = ${x.n + 1}`);
  }
}

/** Options of `trainParserSsvm`. */
export interface ParserSsvmOptions extends LearnerOptions {
  learner?: SsvmLearnerName;
  arcBits?: number;
  labelBits?: number;
  projective?: boolean;
  /** Passes of the relation perceptron (default 5). */
  relationEpochs?: number;
}

/**
 * Trains the arc weights with a structured-SVM learner from @ebmkit/ssvm (BCFW by default) over `ArcFactoredModel`,
 * and the relation model with the averaged perceptron. Use a small `arcBits` (the learners keep dense vectors).
 */
export function trainParserSsvm(train: readonly ParseSentence[], options: ParserSsvmOptions = {}): DependencyParser {
  const arcBits = options.arcBits ?? 18;
  const labelBits = options.labelBits ?? 14;
  const projective = options.projective ?? false;
  const { config, codes, goldLabels, tagCount } = prepareTraining(train, { arcBits, labelBits, features: {}, projective });
  const model = new ArcFactoredModel(arcBits, tagCount, projective);
  const Y = train.map((s) => s.heads!);
  const fit = createLearner(options.learner ?? 'bcfw', model, options).fit(codes, Y);
  const relations = new RelationLearner(labelBits, config.labels.length);
  for (let e = 0; e < (options.relationEpochs ?? 5); e++) codes.forEach((c, i) => relations.update(c, Y[i]!, goldLabels[i]!));
  return new DependencyParser(config, Float32Array.from(fit.w), relations.averaged(), { learner: options.learner ?? 'bcfw' });
}
