import { AveragedIterate } from './averaged-iterate.js';
import { SsvmLearner, type TrainingRun } from './learner.js';
import type { SsvmFit, SsvmOptions, SsvmPass } from './options.js';
import type { SsvmModel } from './ssvm-model.js';

/** Options of the stochastic subgradient learner. */
export interface SubgradientOptions extends SsvmOptions {
  /**
   * Which iterate to return: 'weighted' (default) the average Σ_k k·w_k / Σ_k k (as in the BCFW paper's SSG),
   * 'uniform' the plain average of all iterates, 'none' the last iterate.
   */
  averaging?: 'weighted' | 'uniform' | 'none';
  /**
   * Step-size offset k0 in η_k = 1/(λ·(k + k0)) (default 0; n with a warm start, so that the first step does not
   * erase w0).
   */
  stepOffset?: number;
}

/**
 * Stochastic subgradient descent with Pegasos steps (Shalev-Shwartz et al. 2007; Ratliff et al. 2007): for each
 * example i (random order each pass), ŷ = loss-augmented argmax, then w ← (1 − η_kλ)·w + η_k·δψ_i(ŷ) with
 * η_k = 1/(λ(k + k0)). The shrink is O(1) (w is stored scaled) and the average is kept lazily, so a step costs
 * one oracle call plus the size of δψ. No dual: the log has the primal and training loss only.
 */
export class SubgradientLearner<X, Y> extends SsvmLearner<X, Y> {
  readonly name = 'subgradient' as const;
  private readonly averaging: 'weighted' | 'uniform' | 'none';
  private readonly stepOffset: number | undefined;

  constructor(model: SsvmModel<X, Y>, options: SubgradientOptions = {}) {
    super(model, options);
    this.averaging = options.averaging ?? 'weighted';
    if (!['weighted', 'uniform', 'none'].includes(this.averaging)) throw new RangeError(`averaging must be weighted, uniform or none, got ${String(this.averaging)}`);
    if (options.stepOffset !== undefined && !(options.stepOffset >= 0)) throw new RangeError(`stepOffset must be ≥ 0, got ${options.stepOffset}`);
    this.stepOffset = options.stepOffset;
  }

  protected *train(run: TrainingRun<X, Y>): Generator<SsvmPass, SsvmFit, undefined> {
    const { oracle, n, dim, lambda, rng, w0 } = run;
    const acc = oracle.acc;
    const k0 = this.stepOffset ?? (w0 ? n : 0);
    const it = new AveragedIterate(w0 ?? new Float64Array(dim));
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const out = () => (this.averaging === 'none' ? it.current() : it.average());
    let k = 0;
    for (let pass = 1; pass <= this.opts.maxPasses; pass++) {
      rng.shuffle(order);
      for (const i of order) {
        k++;
        const eta = 1 / (lambda * (k + k0));
        const { v, scale } = it.scaled();
        const c = oracle.constraint(i, v, scale);
        it.scale(1 - eta * lambda);
        if (c.nnz > 0) it.addSparse(acc.indices, acc.values, c.nnz, eta);
        it.endStep(this.averaging === 'weighted' ? k : 1);
      }
      it.fold();
      if (run.due(pass)) {
        const wOut = out();
        const { entry, stop } = run.record(pass, wOut, NaN);
        yield entry;
        if (stop) return run.finish(wOut, stop, pass);
        if (pass === this.opts.maxPasses) return run.finish(wOut, 'max-passes', pass);
      }
    }
    /* c8 ignore next */
    return run.finish(out(), 'max-passes', this.opts.maxPasses);
  }
}
