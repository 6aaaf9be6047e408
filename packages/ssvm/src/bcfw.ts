import { AveragedIterate } from './averaged-iterate.js';
import { HybridVector } from './hybrid-vector.js';
import { SsvmLearner, type TrainingRun } from './learner.js';
import { norm2 } from './oracle.js';
import type { SsvmFit, SsvmOptions, SsvmPass } from './options.js';
import type { SsvmModel } from './ssvm-model.js';

/** Options of the block-coordinate Frank–Wolfe learner. */
export interface BcfwOptions extends SsvmOptions {
  /** Return the weighted average w̄ = Σ_k k·w_k / Σ_k k of the iterates (default true). */
  averaging?: boolean;
  /** Exact line search on each block (default true); otherwise the step 2n/(k + 2n). */
  lineSearch?: boolean;
  /** With a warm start: sweeps of block steps over the corners found at w0 before the first pass (default 10). */
  warmSweeps?: number;
}

/**
 * Block-coordinate Frank–Wolfe on the structured-SVM dual (Lacoste-Julien, Jaggi, Schmidt, Pletscher 2013).
 * Each step visits one example i: ŷ = loss-augmented argmax at w, the corner w_s = δψ_i(ŷ)/(λn), ℓ_s = Δ/n, the
 * block gap g_i = λ(w_i − w_s)·w − ℓ_i + ℓ_s, the exact line-search step γ = g_i / (λ‖w_i − w_s‖²) clipped to
 * [0, 1], then w_i ← (1−γ)w_i + γw_s and w ← w + (new w_i − old w_i). The duality gap P(w) − D(α) is the
 * stopping criterion (reported in every log entry; `tolerance` is relative to the primal).
 *
 * Per-example blocks w_i are stored sparsely (dense once they fill a quarter of the dimension), so memory is
 * about n × (support of one example's features). A warm start w0 acts through the constraints it violates most:
 * one oracle call per example at w0 gives a corner ŷ_i, and `warmSweeps` sweeps of line-searched block steps
 * over those fixed corners (from α = point masses on y_i) find the best dual point they span — close to the
 * optimum when w0 is. α stays feasible, so the logged dual is always a certified lower bound.
 */
export class BcfwLearner<X, Y> extends SsvmLearner<X, Y> {
  readonly name = 'bcfw' as const;
  private readonly averaging: boolean;
  private readonly lineSearch: boolean;
  private readonly warmSweeps: number;

  constructor(model: SsvmModel<X, Y>, options: BcfwOptions = {}) {
    super(model, options);
    this.averaging = options.averaging ?? true;
    this.lineSearch = options.lineSearch ?? true;
    this.warmSweeps = options.warmSweeps ?? 10;
    if (!(Number.isInteger(this.warmSweeps) && this.warmSweeps >= 0)) throw new RangeError(`warmSweeps must be an integer ≥ 0, got ${this.warmSweeps}`);
  }

  protected *train(run: TrainingRun<X, Y>): Generator<SsvmPass, SsvmFit, undefined> {
    const { oracle, n, dim, lambda, rng, w0 } = run;
    const acc = oracle.acc;
    const blocks: HybridVector[] = Array.from({ length: n }, () => new HybridVector(dim, 8));
    const ell = new Float64Array(n);
    let ellTotal = 0;
    const scratch = new Float64Array(dim);
    const pos = new Int32Array(dim).fill(-1);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const inv = 1 / (lambda * n);

    /** One block step toward the corner w_s = (sIdx, sVal) (already divided by λn), ℓ_s; updates `it`, w_i, ℓ. */
    const step = (it: AveragedIterate, i: number, sIdx: Int32Array, sVal: Float64Array, sN: number, ellS: number, gammaFixed: number) => {
      const w = it.scaled().v; // scale stays 1 in BCFW: v is w
      const wi = blocks[i]!;
      let wsDotW = 0;
      let wsSq = 0;
      for (let q = 0; q < sN; q++) {
        wsDotW += sVal[q]! * w[sIdx[q]!]!;
        wsSq += sVal[q]! * sVal[q]!;
        scratch[sIdx[q]!] = sVal[q]!;
      }
      const wiDotWs = wi.dot(scratch);
      for (let q = 0; q < sN; q++) scratch[sIdx[q]!] = 0;
      const dist2 = wi.norm2() - 2 * wiDotWs + wsSq; // ‖w_i − w_s‖²
      const gap = lambda * (wi.dot(w) - wsDotW) - ell[i]! + ellS;
      let gamma = gammaFixed;
      if (Number.isNaN(gamma)) {
        gamma = dist2 > 0 ? gap / (lambda * dist2) : gap > 0 ? 1 : 0;
        gamma = Math.min(1, Math.max(0, gamma));
      }
      if (gamma > 0) {
        // w += γ·(w_s − w_i), then w_i ← (1 − γ)·w_i + γ·w_s
        it.addHybrid(wi, -gamma);
        it.addSparse(sIdx, sVal, sN, gamma);
        wi.mix(gamma, sIdx, sVal, sN, pos);
        ellTotal += gamma * (ellS - ell[i]!);
        ell[i] = (1 - gamma) * ell[i]! + gamma * ellS;
      }
    };

    let it = new AveragedIterate(new Float64Array(dim));
    if (w0) {
      // Warm start: the corners w0 violates most, then line-searched block steps over those corners only
      // (no oracle calls) — the best dual point on them; averaging starts afterwards.
      const corners = Array.from({ length: n }, (_, i) => {
        const c = oracle.constraint(i, w0);
        const val = acc.values.slice(0, c.nnz);
        for (let q = 0; q < c.nnz; q++) val[q]! *= inv;
        return { idx: acc.indices.slice(0, c.nnz), val, ellS: c.loss / n };
      });
      for (let sweep = 0; sweep < this.warmSweeps; sweep++) {
        rng.shuffle(order);
        for (const i of order) {
          const c = corners[i]!;
          step(it, i, c.idx, c.val, c.idx.length, c.ellS, NaN);
        }
      }
      it = new AveragedIterate(it.current());
    }
    const w = it.scaled().v;
    let ellAvg = 0; // Σ_k k·ℓ^(k)
    let k = 0;
    for (let pass = 1; pass <= this.opts.maxPasses; pass++) {
      rng.shuffle(order);
      for (const i of order) {
        const c = oracle.constraint(i, w);
        const sN = c.nnz;
        for (let q = 0; q < sN; q++) acc.values[q]! *= inv; // w_s = δψ/(λn)
        step(it, i, acc.indices, acc.values, sN, c.loss / n, this.lineSearch ? NaN : (2 * n) / (k + 2 * n));
        k++;
        it.endStep(k);
        ellAvg += k * ellTotal;
      }
      if (run.due(pass)) {
        const wOut = this.averaging ? it.average() : it.current();
        const dual = dualObjective(lambda, wOut, this.averaging ? ellAvg / it.totalWeight : ellTotal);
        const { entry, stop } = run.record(pass, wOut, dual);
        yield entry;
        if (stop) return run.finish(wOut, stop, pass);
        if (pass === this.opts.maxPasses) return run.finish(wOut, 'max-passes', pass);
      }
    }
    /* c8 ignore next */
    return run.finish(this.averaging ? it.average() : it.current(), 'max-passes', this.opts.maxPasses);
  }
}

/** The structured-SVM dual D(α) = −λ/2·‖w(α)‖² + ℓ(α), given w(α) and ℓ(α) = (1/n)·Σ_i Σ_ŷ α_i(ŷ)·Δ(y_i, ŷ). */
export function dualObjective(lambda: number, w: Float64Array, ell: number): number {
  return -(lambda / 2) * norm2(w) + ell;
}
