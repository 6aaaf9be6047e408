/**
 * The likelihood trainers' shared run: L-BFGS (c1 = 0) or OWL-QN (c1 > 0) on the negative log-likelihood plus
 * c2·‖w‖², with the gradient sharded over worker threads. `lbfgs.ts` and `owlqn.ts` declare their defaults.
 */
import { availableParallelism } from 'node:os';
import { LBFGS_DEFAULTS, minimizeLbfgs } from '@ebmkit/core';
import { ParallelLikelihood } from '../parallel-likelihood.js';
import type { AlgorithmContext, AlgorithmResult, Hyperparameter } from './algorithm.js';

/** The stopping and memory hyperparameters both quasi-Newton trainers take (libLBFGS's, as CRFsuite sets them). */
export const QUASI_NEWTON_HYPERPARAMETERS: readonly Hyperparameter[] = [
  { key: 'maxIterations', type: 'number', integer: true, min: 1, help: 'Most iterations, counted from the start (a resumed run does what is left)' },
  { key: 'delta', type: 'number', min: 0, default: LBFGS_DEFAULTS.delta, help: 'Stop when the objective improves by less than this (relative) over --period iterations' },
  { key: 'period', type: 'number', integer: true, min: 1, default: LBFGS_DEFAULTS.period, help: 'Iterations of the delta test' },
  { key: 'epsilon', type: 'number', min: 0, default: LBFGS_DEFAULTS.epsilon, help: 'Stop when ‖gradient‖ / max(1, ‖w‖) falls below this' },
  { key: 'memory', type: 'number', integer: true, min: 1, default: LBFGS_DEFAULTS.memory, help: 'L-BFGS memory (correction pairs kept)' },
];

/** Runs L-BFGS / OWL-QN; `p` holds the resolved hyperparameters. */
export async function runQuasiNewton(
  ctx: AlgorithmContext,
  p: { c1: number; c2: number; delta: number; period: number; epsilon: number; memory: number },
  maxIterations: number | undefined,
): Promise<AlgorithmResult> {
  // More workers than cores only cost memory and start-up time.
  const threads = Math.min(ctx.threads ?? availableParallelism(), availableParallelism());
  const nll = await ParallelLikelihood.create(ctx.index, ctx.corpus, threads);
  const { c1, c2 } = p;
  try {
    const result = await minimizeLbfgs(
      async (x, g) => {
        let f = await nll.evaluate(x, g);
        if (c2 > 0) {
          let norm = 0;
          for (let k = 0; k < x.length; k++) {
            norm += x[k]! * x[k]!;
            g[k]! += 2 * c2 * x[k]!;
          }
          f += c2 * norm;
        }
        return f;
      },
      ctx.w0,
      {
        ...(c1 > 0 ? { c1 } : {}),
        delta: p.delta,
        period: p.period,
        epsilon: p.epsilon,
        memory: p.memory,
        ...(maxIterations !== undefined ? { maxIterations } : {}),
        onIteration: (it) => ctx.report(it.iteration, it.fx, it.gnorm, () => it.x),
      },
    );
    return { w: result.x, iterations: result.iterations, objective: result.fx, status: result.status, extra: { threads: nll.threads } };
  } finally {
    await nll.close();
  }
}
