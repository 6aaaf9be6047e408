/**
 * The Hopfield energies as tfjs `EnergyFunction`s over a batch [B, d], so they compose with other energies
 * (`composeEnergies`, `conditionEnergy`) and run under the gradient samplers. The classical energy is the
 * quadratic E(x) = −½ xᵀWx − bᵀx extended to real x (its gradient −(Wx + b)); the modern one is Ramsauer et al.'s
 * E(ξ) with ∇E = ξ − X softmax(β Xᵀ ξ) by autodiff. The parameters are copied into float32 tensors on the first
 * call and kept until `dispose()`.
 */
import * as tf from '../tf.js';
import type { EnergyFunction } from '../energy-function.js';
import type { HopfieldNetwork } from './classical.js';
import type { ModernHopfield } from './modern.js';

/** An `EnergyFunction` holding tensors: `dispose()` frees them (a later call makes them again). */
export type DisposableEnergy = EnergyFunction & { dispose(): void };

function checkBatch(x: tf.Tensor, d: number, what: string): void {
  if (x.rank !== 2 || x.shape[1] !== d) throw new RangeError(`${what}: expected a batch of shape [B, ${d}], got [${x.shape.join(', ')}]`);
}

/** E(x) = −½ xᵀWx − bᵀx of a classical network, per row of x [B, N]. */
export function hopfieldEnergy(net: HopfieldNetwork): DisposableEnergy {
  let W: tf.Tensor2D | undefined;
  let b: tf.Tensor1D | undefined;
  const n = net.size;
  const energy = ((x: tf.Tensor) => {
    checkBatch(x, n, 'hopfieldEnergy');
    if (!W) {
      W = tf.keep(tf.tensor2d(Float32Array.from(net.weights), [n, n]));
      b = tf.keep(tf.tensor1d(Float32Array.from(net.bias)));
    }
    return tf.tidy(() => {
      const xf = tf.cast(x, 'float32') as tf.Tensor2D;
      const quad = tf.sum(tf.mul(tf.matMul(xf, W!), xf), 1);
      const lin = tf.sum(tf.mul(xf, b!), 1);
      return tf.neg(tf.add(tf.mul(quad, 0.5), lin)) as tf.Tensor1D;
    });
  }) as DisposableEnergy;
  energy.dispose = () => {
    if (W) tf.dispose(W);
    if (b) tf.dispose(b);
    W = undefined;
    b = undefined;
  };
  return energy;
}

/** E(ξ) = −β⁻¹ log Σᵢ exp(β xᵢᵀξ) + ½ ξᵀξ + β⁻¹ log N + ½ M² of a modern network, per row of x [B, d]. */
export function modernHopfieldEnergy(net: ModernHopfield): DisposableEnergy {
  let X: tf.Tensor2D | undefined;
  const { dim: d, count: n, beta } = net;
  const energy = ((x: tf.Tensor) => {
    checkBatch(x, d, 'modernHopfieldEnergy');
    if (!X) X = tf.keep(tf.tensor2d(Float32Array.from(net.patterns), [n, d]));
    return tf.tidy(() => {
      const xf = tf.cast(x, 'float32') as tf.Tensor2D;
      const scores = tf.mul(tf.matMul(xf, X!, false, true), beta); // [B, N]
      const lse = tf.logSumExp(scores, 1);
      const quad = tf.mul(tf.sum(tf.square(xf), 1), 0.5);
      return tf.add(tf.sub(quad, tf.div(lse, beta)), net.offset) as tf.Tensor1D;
    });
  }) as DisposableEnergy;
  energy.dispose = () => {
    if (X) tf.dispose(X);
    X = undefined;
  };
  return energy;
}
