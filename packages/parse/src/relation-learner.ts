import { childSpans, labelFeatures, MAX_LABEL_FEATURES, type SentenceCodes } from './features.js';
import { fin } from './hash.js';

/**
 * The relation model's learner: an averaged multiclass perceptron over the arcs of gold trees, with label weights
 * [bucket·L + label] (hashed label-independent features, one weight per label in each bucket).
 */
export class RelationLearner {
  readonly L: number;
  readonly labelBits: number;
  private readonly w: Float64Array;
  private readonly u: Float64Array;
  private readonly mask: number;
  private readonly keys = new Int32Array(MAX_LABEL_FEATURES);
  private readonly scores: Float64Array;
  /** Examples seen + 1 (the averaging clock). */
  private c = 1;

  constructor(labelBits: number, L: number) {
    this.L = L;
    this.labelBits = labelBits;
    this.mask = 2 ** labelBits - 1;
    this.w = new Float64Array(2 ** labelBits * L);
    this.u = new Float64Array(2 ** labelBits * L);
    this.scores = new Float64Array(L);
  }

  /** One perceptron pass over the arcs of a gold tree; returns the number of mislabelled arcs. */
  update(cs: SentenceCodes, heads: Int32Array, labels: Int32Array): number {
    const { L, w, u, keys, scores } = this;
    const kids = childSpans(heads);
    let errors = 0;
    for (let d = 1; d <= cs.n; d++) {
      const m = labelFeatures(cs, heads, d, keys, kids);
      scores.fill(0);
      for (let i = 0; i < m; i++) {
        const base = (fin(keys[i]!) & this.mask) * L;
        keys[i] = base;
        for (let l = 0; l < L; l++) scores[l]! += w[base + l]!;
      }
      let best = 0;
      for (let l = 1; l < L; l++) if (scores[l]! > scores[best]!) best = l;
      const g = labels[d - 1]!;
      if (best !== g) {
        errors++;
        for (let i = 0; i < m; i++) {
          const base = keys[i]!;
          w[base + g]! += 1;
          u[base + g]! += this.c;
          w[base + best]! -= 1;
          u[base + best]! -= this.c;
        }
      }
    }
    this.c++;
    return errors;
  }

  /** The averaged weights. */
  averaged(): Float32Array {
    const out = new Float32Array(this.w.length);
    for (let i = 0; i < out.length; i++) out[i] = this.w[i]! - this.u[i]! / this.c;
    return out;
  }
}
