import type { SparseBuilder, StructuredModel } from '@ebmkit/core';

/**
 * Optional fast paths a `StructuredModel` may offer the SSVM learners. Every learner works with a plain
 * `StructuredModel`; these only avoid allocation and O(dim) copies in the inner loops. Learners still never
 * look inside a model: they call these methods when present.
 */
export interface SsvmModel<X, Y> extends StructuredModel<X, Y> {
  /** Appends the entries of ψ(x, y) to `out` (without clearing it; indices may repeat). */
  jointFeatureInto?(x: X, y: Y, out: SparseBuilder): void;
  /** argmax_ŷ scale·w·ψ(x, ŷ) + Δ(y, ŷ) — loss-augmented inference for the weights scale·w without forming them. */
  lossAugmentedInferenceScaled?(x: X, y: Y, w: Float64Array, scale: number): Y;
  /** Throws a RangeError describing what is wrong with one training example (shape, values, labels). */
  checkExample?(x: X, y: Y): void;
}
