import { AveragedIterate } from './averaged-iterate.js';
import { SsvmLearner, type TrainingRun } from './learner.js';
import { SSVM_DEFAULTS, type ResolvedOptions, type SsvmFit, type SsvmOptions, type SsvmPass } from './options.js';
import type { SsvmModel } from './ssvm-model.js';

/** Options of the averaged structured perceptron. */
export interface PerceptronOptions extends SsvmOptions {
  /** Return the average of the iterates over all example visits (default true) instead of the last iterate. */
  averaging?: boolean;
  /** Predict with loss-augmented inference (a margin perceptron) instead of plain inference (default false). */
  lossAugmented?: boolean;
}

/** The perceptron's defaults: the common ones with 10 passes (it stops at the first pass without mistakes anyway). */
export const PERCEPTRON_DEFAULTS: Readonly<ResolvedOptions> = Object.freeze({ ...SSVM_DEFAULTS, maxPasses: 10 });

/**
 * The averaged structured perceptron (Collins 2002): for each example (random order each pass), ŷ = argmax
 * w·ψ(x, y); on a mistake (Δ(y, ŷ) > 0) w ← w + ψ(x, y) − ψ(x, ŷ). Stops early with status 'separated' after a
 * pass without mistakes. `C` only sets the λ of the primal objective written to the log (the perceptron does not
 * minimise it); there is no dual.
 */
export class PerceptronLearner<X, Y> extends SsvmLearner<X, Y> {
  readonly name = 'perceptron' as const;
  private readonly averaging: boolean;
  private readonly lossAugmented: boolean;

  constructor(model: SsvmModel<X, Y>, options: PerceptronOptions = {}) {
    super(model, options, PERCEPTRON_DEFAULTS);
    this.averaging = options.averaging ?? true;
    this.lossAugmented = options.lossAugmented ?? false;
  }

  protected *train(run: TrainingRun<X, Y>): Generator<SsvmPass, SsvmFit, undefined> {
    const { oracle, n, dim, rng, w0 } = run;
    const { model, X, Y, acc } = oracle;
    const it = new AveragedIterate(w0 ?? new Float64Array(dim));
    const w = it.scaled().v; // scale stays 1
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const out = () => (this.averaging ? it.average() : it.current());
    for (let pass = 1; pass <= this.opts.maxPasses; pass++) {
      rng.shuffle(order);
      let mistakes = 0;
      for (const i of order) {
        let yHat: Y;
        if (this.lossAugmented) yHat = oracle.lossAugmented(i, w);
        else {
          oracle.calls++;
          yHat = model.inference(X[i]!, w);
        }
        if (model.loss(Y[i]!, yHat) > 0) {
          mistakes++;
          const nnz = oracle.deltaPsi(i, yHat);
          if (nnz > 0) it.addSparse(acc.indices, acc.values, nnz, 1);
        }
        it.endStep(1);
      }
      const separated = mistakes === 0;
      if (run.due(pass) || separated) {
        const wOut = out();
        const { entry, stop } = run.record(pass, wOut, NaN);
        yield entry;
        if (stop) return run.finish(wOut, stop, pass);
        if (separated) return run.finish(wOut, 'separated', pass);
        if (pass === this.opts.maxPasses) return run.finish(wOut, 'max-passes', pass);
      }
    }
    /* c8 ignore next */
    return run.finish(out(), 'max-passes', this.opts.maxPasses);
  }
}
