/**
 * scikit-learn's LogisticRegression for the benchmark, on core's softmax regression:
 *   minimise  C · Σ_n −log softmax(x_n W + b)[y_n] + ½‖W‖²   (the intercept b is not penalised),
 * i.e. λ = 1/C with unit row weights (the same minimiser, better-scaled numbers), fitted with L-BFGS.
 */
import { fitSoftmaxRegression, predictSoftmaxRegression, type SoftmaxRegression } from '@ebmkit/core';
import type { RowMatrix } from '@ebmkit/core/energy';

/** Fits the model to rows `x` with integer labels `y` in 0 … classes − 1. */
export async function fitLogistic(
  x: RowMatrix,
  y: ArrayLike<number>,
  options: {
    classes: number;
    C: number;
    maxIterations?: number;
    /** Stop when max_j |∂/∂w_j (C·Σ loss + ½‖W‖²)| ≤ tolerance (scikit-learn newton-cg's `tol` test); default: L-BFGS's own tests only. */
    tolerance?: number;
  },
): Promise<SoftmaxRegression> {
  const tol = options.tolerance;
  return fitSoftmaxRegression(
    { x: x.data, rows: x.rows, features: x.cols, labels: y },
    {
      classes: options.classes,
      l2: 1 / options.C,
      lbfgs: {
        maxIterations: options.maxIterations ?? 2000,
        memory: 20,
        epsilon: tol === undefined ? 1e-5 : 0,
        delta: tol === undefined ? 1e-5 : 0,
        ...(tol === undefined
          ? {}
          : {
              // Our objective is scikit-learn's divided by C, so its gradient is too.
              onIteration: (it) => {
                let m = 0;
                for (let j = 0; j < it.g.length; j++) m = Math.max(m, Math.abs(it.g[j]!));
                return m * options.C > tol;
              },
            }),
      },
    },
  );
}

/** Fraction of rows whose arg-max class equals the label. */
export function logisticAccuracy(m: SoftmaxRegression, x: RowMatrix, y: ArrayLike<number>): number {
  const pred = predictSoftmaxRegression(m, x.data);
  let ok = 0;
  for (let n = 0; n < x.rows; n++) if (pred[n] === y[n]) ok++;
  return ok / x.rows;
}
