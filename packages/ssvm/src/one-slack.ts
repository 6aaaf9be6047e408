import { dualObjective } from './bcfw.js';
import { HybridVector } from './hybrid-vector.js';
import { SsvmLearner, type TrainingRun } from './learner.js';
import { norm2 } from './oracle.js';
import { outputKey } from './output-key.js';
import type { SsvmFit, SsvmOptions, SsvmPass } from './options.js';
import type { SsvmModel } from './ssvm-model.js';

/** Options of the one-slack cutting-plane learner. */
export interface OneSlackOptions extends SsvmOptions {
  /** Outputs remembered per example by the inference cache (default 10; 0 turns the cache off). */
  cacheSize?: number;
  /** Drop a cutting plane whose dual weight stayed 0 for this many QP solves (default 20). */
  inactiveWindow?: number;
  /** Most QP solves from the cache alone between two oracle passes (default 50). */
  maxCacheRounds?: number;
}

interface CachedOutput {
  key: string;
  idx: Int32Array;
  val: Float64Array;
  loss: number;
}

interface Plane {
  g: HybridVector;
  loss: number;
  idle: number;
}

/**
 * The one-slack cutting-plane method (Joachims, Finley, Yu 2009): one aggregated constraint
 * w·(1/n)Σ_i δψ_i(ŷ_i) ≥ (1/n)Σ_i Δ_i − ξ per round; the QP over the planes is solved in the dual by SMO steps on
 * their (small) Gram matrix. With the inference cache, a round first builds the plane from each example's cached
 * outputs and only calls the oracle on every example when the cached plane is not violated by more than the
 * tolerance. A "pass" in the log is one sweep of oracle calls; the primal of that sweep is exact, and the QP's
 * dual is a certified lower bound. A warm start w0 adds the plane of the constraints w0 violates most (and
 * caches them) before the first QP.
 */
export class OneSlackLearner<X, Y> extends SsvmLearner<X, Y> {
  readonly name = 'oneslack' as const;
  private readonly cacheSize: number;
  private readonly inactiveWindow: number;
  private readonly maxCacheRounds: number;

  constructor(model: SsvmModel<X, Y>, options: OneSlackOptions = {}) {
    super(model, options);
    this.cacheSize = options.cacheSize ?? 10;
    this.inactiveWindow = options.inactiveWindow ?? 20;
    this.maxCacheRounds = options.maxCacheRounds ?? 50;
    if (!(Number.isInteger(this.cacheSize) && this.cacheSize >= 0)) throw new RangeError(`cacheSize must be an integer ≥ 0, got ${this.cacheSize}`);
  }

  protected *train(run: TrainingRun<X, Y>): Generator<SsvmPass, SsvmFit, undefined> {
    const { oracle, n, dim, lambda, w0 } = run;
    const acc = oracle.acc;
    const planes: Plane[] = [];
    // index 0 in α and in the Gram matrix is the null plane (g = 0, Δ = 0)
    const fixed = 1;
    const alpha: number[] = [1];
    const gramRows: number[][] = [[0]];
    const w = new Float64Array(dim);
    const cache: CachedOutput[][] = Array.from({ length: n }, () => []);
    const dense = new Float64Array(dim);
    let lastPrimal = 1;
    const tol = this.opts.tolerance;

    const planeG = (c: number): HybridVector | null => (c < fixed ? null : planes[c - fixed]!.g);
    const lossOf = (c: number) => (c < fixed ? 0 : planes[c - fixed]!.loss);

    const addPlane = (g: HybridVector, loss: number) => {
      // drop planes inactive for long
      for (let p = planes.length - 1; p >= 0; p--) {
        if (alpha[p + fixed] === 0 && planes[p]!.idle > this.inactiveWindow) {
          planes.splice(p, 1);
          alpha.splice(p + fixed, 1);
          gramRows.splice(p + fixed, 1);
          for (const row of gramRows) row.splice(p + fixed, 1);
        }
      }
      const row: number[] = [];
      const gd = g.dense ?? (() => {
        const d = new Float64Array(dim);
        g.addTo(d);
        return d;
      })();
      for (let c = 0; c < alpha.length; c++) {
        const v = c >= fixed ? planeG(c)!.dot(gd) : 0;
        row.push(v);
        gramRows[c]!.push(v);
      }
      row.push(g.norm2());
      gramRows.push(row);
      planes.push({ g, loss, idle: 0 });
      alpha.push(0);
    };

    /** SMO over all planes; then w = (1/λ)Σ α_c g_c. */
    const solveQp = (eps: number) => {
      const m = alpha.length;
      // Kα
      const ka = new Float64Array(m);
      for (let c = 0; c < m; c++) {
        if (alpha[c] === 0) continue;
        const row = gramRows[c]!;
        for (let e = 0; e < m; e++) ka[e]! += alpha[c]! * row[e]!;
      }
      const s = new Float64Array(m);
      for (let c = 0; c < m; c++) s[c] = lossOf(c) - ka[c]! / lambda;
      for (let iter = 0; iter < 100000; iter++) {
        let j = 0;
        for (let c = 1; c < m; c++) if (s[c]! > s[j]!) j = c;
        let k = -1;
        for (let c = 0; c < m; c++) if (alpha[c]! > 0 && (k < 0 || s[c]! < s[k]!)) k = c;
        if (k < 0 || k === j || s[j]! - s[k]! <= eps) break;
        const rj = gramRows[j]!;
        const rk = gramRows[k]!;
        const denom = rj[j]! + rk[k]! - 2 * rj[k]!;
        let t = denom > 0 ? (lambda * (s[j]! - s[k]!)) / denom : alpha[k]!;
        if (t > alpha[k]!) t = alpha[k]!;
        if (!(t > 0)) break;
        alpha[k]! -= t;
        alpha[j]! += t;
        for (let c = 0; c < m; c++) s[c]! -= (t * (rj[c]! - rk[c]!)) / lambda;
      }
      w.fill(0);
      for (let c = fixed; c < m; c++) if (alpha[c]! > 0) planeG(c)!.addTo(w, alpha[c]! / lambda);
      for (let p = 0; p < planes.length; p++) {
        if (alpha[p + fixed]! > 0) planes[p]!.idle = 0;
        else planes[p]!.idle++;
      }
      let xi = 0;
      for (let c = 0; c < m; c++) xi = Math.max(xi, s[c]!);
      let ell = 0;
      for (let c = fixed; c < m; c++) ell += alpha[c]! * lossOf(c);
      return { xi, ell };
    };

    /** The plane from `dense` (accumulated Σ δψ) scaled by 1/n. */
    const takePlane = (): HybridVector => {
      let nnz = 0;
      for (let q = 0; q < dim; q++) if (dense[q] !== 0) nnz++;
      const idx = new Int32Array(nnz);
      const val = new Float64Array(nnz);
      let p = 0;
      for (let q = 0; q < dim; q++) {
        if (dense[q] !== 0) {
          idx[p] = q;
          val[p++] = dense[q]! / n;
          dense[q] = 0;
        }
      }
      return HybridVector.fromSparse(dim, idx, val, nnz);
    };

    /** Adds ŷ (δψ in `acc`) to example i's cache. */
    const remember = (i: number, yHat: Y, nnz: number, loss: number) => {
      if (this.cacheSize === 0) return;
      const key = outputKey(yHat);
      const list = cache[i]!;
      if (list.some((c) => c.key === key)) return;
      if (list.length >= this.cacheSize) list.shift();
      list.push({ key, idx: acc.indices.slice(0, nnz), val: acc.values.slice(0, nnz), loss });
    };

    // warm start: the first plane is made of the constraints w0 violates most
    if (w0) {
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const con = oracle.constraint(i, w0);
        if (con.nnz === 0 || con.loss - oracle.dotAcc(w0) <= 0) continue;
        loss += con.loss;
        for (let q = 0; q < con.nnz; q++) dense[acc.indices[q]!]! += acc.values[q]!;
        remember(i, con.yHat, con.nnz, con.loss);
      }
      addPlane(takePlane(), loss / n);
    }
    let qp = solveQp(0);
    let pass = 0;
    for (;;) {
      const eps = Math.max(1e-12, 0.1 * tol * lastPrimal);
      // 1. try the cache
      if (this.cacheSize > 0 && pass > 0) {
        for (let round = 0; round < this.maxCacheRounds; round++) {
          let loss = 0;
          let score = 0;
          for (let i = 0; i < n; i++) {
            let best: CachedOutput | null = null;
            let bestScore = 0; // ŷ = y_i
            for (const c of cache[i]!) {
              let s = c.loss;
              for (let q = 0; q < c.idx.length; q++) s -= c.val[q]! * w[c.idx[q]!]!;
              if (s > bestScore) (bestScore = s), (best = c);
            }
            if (best) {
              loss += best.loss;
              score += bestScore;
              for (let q = 0; q < best.idx.length; q++) dense[best.idx[q]!]! += best.val[q]!;
            }
          }
          if (score / n <= qp.xi + eps) {
            dense.fill(0);
            break;
          }
          addPlane(takePlane(), loss / n);
          qp = solveQp(eps);
        }
      }
      // 2. a sweep of oracle calls
      pass++;
      let loss = 0;
      let hinge = 0;
      for (let i = 0; i < n; i++) {
        const con = oracle.constraint(i, w);
        const h = con.loss - oracle.dotAcc(w);
        if (con.nnz === 0 || h <= 0) continue;
        hinge += h;
        loss += con.loss;
        for (let q = 0; q < con.nnz; q++) dense[acc.indices[q]!]! += acc.values[q]!;
        remember(i, con.yHat, con.nnz, con.loss);
      }
      const primal = (lambda / 2) * norm2(w) + hinge / n;
      const violated = hinge / n > qp.xi + eps;
      if (violated) {
        addPlane(takePlane(), loss / n);
      } else dense.fill(0);
      if (run.due(pass) || !violated) {
        const dual = dualObjective(lambda, w, qp.ell);
        const { entry, stop } = run.record(pass, w, dual);
        lastPrimal = Math.max(1e-12, primal);
        yield entry;
        if (stop) return run.finish(w, stop, pass);
        if (!violated) return run.finish(w, 'converged', pass);
        if (pass >= this.opts.maxPasses) return run.finish(w, 'max-passes', pass);
      } else if (pass >= this.opts.maxPasses) {
        return run.finish(w, 'max-passes', pass);
      }
      qp = solveQp(eps);
    }
  }
}
