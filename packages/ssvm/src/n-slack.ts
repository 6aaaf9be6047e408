import { SsvmLearner, type TrainingRun } from './learner.js';
import { outputKey } from './output-key.js';
import type { SsvmFit, SsvmOptions, SsvmPass } from './options.js';
import { dualObjective } from './bcfw.js';
import type { SsvmModel } from './ssvm-model.js';

/** Options of the n-slack cutting-plane learner. */
export interface NSlackOptions extends SsvmOptions {
  /** Most constraints kept per example (default 30); inactive ones are dropped first. */
  maxConstraints?: number;
  /** Drop a constraint whose dual weight stayed 0 for this many visits of its example (default 10). */
  inactiveWindow?: number;
  /** Sweeps of dual coordinate ascent over all working sets after each pass of oracle calls (default 3). */
  innerPasses?: number;
}

/** One cutting plane of example i: δψ = ψ(x_i, y_i) − ψ(x_i, ŷ) (sparse) and Δ(y_i, ŷ). */
interface Cut {
  key: string;
  idx: Int32Array;
  val: Float64Array;
  loss: number;
  /** Visits since α became 0. */
  idle: number;
}

/** Working set of one example; besides the cuts, the null cut ŷ = y_i (δψ = 0, Δ = 0) holds weight `alphaNull`. */
class Block {
  cuts: Cut[] = [];
  alpha: number[] = [];
  /** Gram matrix G[a][b] = δψ_a·δψ_b of the cuts. */
  gram: number[][] = [];
  alphaNull = 1;
}

/**
 * The n-slack cutting-plane method (Tsochantaridis et al. 2005, SVM-struct's n-slack formulation): each example
 * keeps a working set of its most violated outputs; a pass calls the loss-augmented oracle once per example and
 * adds ŷ when it is violated by more than the current slack, and the QP over the working sets is solved in the dual
 * by coordinate ascent (SMO-style steps between the most and least violated constraints of one example, exact
 * step from the Gram matrix of that example's constraints). The working-set dual is a feasible point of the full
 * dual, so the logged dual is a certified lower bound and the gap is exact.
 */
export class NSlackLearner<X, Y> extends SsvmLearner<X, Y> {
  readonly name = 'nslack' as const;
  private readonly maxConstraints: number;
  private readonly inactiveWindow: number;
  private readonly innerPasses: number;

  constructor(model: SsvmModel<X, Y>, options: NSlackOptions = {}) {
    super(model, options);
    this.maxConstraints = options.maxConstraints ?? 30;
    this.inactiveWindow = options.inactiveWindow ?? 10;
    this.innerPasses = options.innerPasses ?? 3;
    if (!(Number.isInteger(this.maxConstraints) && this.maxConstraints >= 1)) throw new RangeError(`maxConstraints must be a positive integer, got ${this.maxConstraints}`);
    if (!(Number.isInteger(this.innerPasses) && this.innerPasses >= 0)) throw new RangeError(`innerPasses must be an integer ≥ 0, got ${this.innerPasses}`);
  }

  protected *train(run: TrainingRun<X, Y>): Generator<SsvmPass, SsvmFit, undefined> {
    const { oracle, n, dim, lambda, rng, w0 } = run;
    const acc = oracle.acc;
    const w = new Float64Array(dim);
    const blocks = Array.from({ length: n }, () => new Block());
    const lamN = lambda * n;
    let ell = 0; // (1/n) Σ_i Σ_c α_ic Δ_ic
    const scratch = new Float64Array(dim);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    let lastPrimal = 1;
    const tol = this.opts.tolerance;

    const cutDotW = (c: Cut) => {
      let s = 0;
      for (let q = 0; q < c.idx.length; q++) s += c.val[q]! * w[c.idx[q]!]!;
      return s;
    };
    const addCutToW = (c: Cut, scale: number) => {
      for (let q = 0; q < c.idx.length; q++) w[c.idx[q]!]! += scale * c.val[q]!;
    };
    // index −1 is the null cut
    const gramOf = (b: Block, p: number, q: number): number => (p < 0 || q < 0 ? 0 : b.gram[p]![q]!);

    /** SMO steps on one block (most violated cut vs least violated cut with α > 0) until their scores differ by ≤ eps. */
    const optimiseBlock = (b: Block, eps: number) => {
      const m = b.cuts.length;
      const s = new Float64Array(m);
      for (let a = 0; a < m; a++) s[a] = b.cuts[a]!.loss - cutDotW(b.cuts[a]!);
      for (let iter = 0; iter < 50; iter++) {
        let j = -1;
        let sj = 0;
        for (let a = 0; a < m; a++) if (s[a]! > sj) (sj = s[a]!), (j = a);
        let k = -2;
        let sk = Infinity;
        if (b.alphaNull > 0) (sk = 0), (k = -1);
        for (let a = 0; a < m; a++) if (b.alpha[a]! > 0 && s[a]! < sk) (sk = s[a]!), (k = a);
        if (k === -2 || k === j || sj - sk <= eps) break;
        const denom = gramOf(b, j, j) + gramOf(b, k, k) - 2 * gramOf(b, j, k);
        const ak = k < 0 ? b.alphaNull : b.alpha[k]!;
        let t = denom > 0 ? (lamN * (sj - sk)) / denom : ak;
        if (t > ak) t = ak;
        if (!(t > 0)) break;
        if (k < 0) b.alphaNull -= t;
        else b.alpha[k]! -= t;
        if (j < 0) b.alphaNull += t;
        else b.alpha[j]! += t;
        ell += (t * ((j >= 0 ? b.cuts[j]!.loss : 0) - (k >= 0 ? b.cuts[k]!.loss : 0))) / n;
        const f = t / lamN;
        if (j >= 0) addCutToW(b.cuts[j]!, f);
        if (k >= 0) addCutToW(b.cuts[k]!, -f);
        for (let a = 0; a < m; a++) s[a]! -= f * (gramOf(b, a, j) - gramOf(b, a, k));
      }
      for (let a = 0; a < m; a++) {
        if (b.alpha[a]! > 0) b.cuts[a]!.idle = 0;
        else b.cuts[a]!.idle++;
      }
    };

    const removeCut = (b: Block, a: number) => {
      b.cuts.splice(a, 1);
      b.alpha.splice(a, 1);
      b.gram.splice(a, 1);
      for (const row of b.gram) row.splice(a, 1);
    };

    /** Adds the cut held in `acc` (nnz entries) to example i's working set unless it is there already. */
    const addCut = (b: Block, key: string, nnz: number, loss: number) => {
      if (b.cuts.some((c) => c.key === key)) return;
      for (let a = b.cuts.length - 1; a >= 0; a--) if (b.alpha[a] === 0 && b.cuts[a]!.idle > this.inactiveWindow) removeCut(b, a);
      if (b.cuts.length >= this.maxConstraints) {
        let worst = -1;
        for (let a = 0; a < b.cuts.length; a++) if (b.alpha[a] === 0 && (worst < 0 || b.cuts[a]!.idle > b.cuts[worst]!.idle)) worst = a;
        if (worst < 0) return;
        removeCut(b, worst);
      }
      const c: Cut = { key, idx: acc.indices.slice(0, nnz), val: acc.values.slice(0, nnz), loss, idle: 0 };
      for (let q = 0; q < nnz; q++) scratch[c.idx[q]!] = c.val[q]!;
      const row: number[] = [];
      for (let a = 0; a < b.cuts.length; a++) {
        const o = b.cuts[a]!;
        let g = 0;
        for (let q = 0; q < o.idx.length; q++) g += o.val[q]! * scratch[o.idx[q]!]!;
        row.push(g);
        b.gram[a]!.push(g);
      }
      let self = 0;
      for (let q = 0; q < nnz; q++) {
        self += c.val[q]! * c.val[q]!;
        scratch[c.idx[q]!] = 0;
      }
      row.push(self);
      b.gram.push(row);
      b.cuts.push(c);
      b.alpha.push(0);
    };

    // warm start: each working set starts with the constraint w0 violates most
    if (w0) {
      for (let i = 0; i < n; i++) {
        const con = oracle.constraint(i, w0);
        if (con.nnz > 0) addCut(blocks[i]!, outputKey(con.yHat), con.nnz, con.loss);
      }
    }

    for (let pass = 1; pass <= this.opts.maxPasses; pass++) {
      const eps = Math.max(1e-12, 0.1 * tol * lastPrimal);
      rng.shuffle(order);
      for (const i of order) {
        const b = blocks[i]!;
        const con = oracle.constraint(i, w);
        const h = con.loss - oracle.dotAcc(w);
        let xi = 0;
        for (const c of b.cuts) xi = Math.max(xi, c.loss - cutDotW(c));
        if (con.nnz > 0 && h > xi + eps) addCut(b, outputKey(con.yHat), con.nnz, con.loss);
        optimiseBlock(b, eps);
      }
      for (let r = 0; r < this.innerPasses; r++) {
        rng.shuffle(order);
        for (const i of order) if (blocks[i]!.cuts.length > 0) optimiseBlock(blocks[i]!, eps);
      }
      if (run.due(pass)) {
        const { entry, stop } = run.record(pass, w, dualObjective(lambda, w, ell));
        lastPrimal = Math.max(1e-12, entry.primal);
        yield entry;
        if (stop) return run.finish(w, stop, pass);
        if (pass === this.opts.maxPasses) return run.finish(w, 'max-passes', pass);
      }
    }
    /* c8 ignore next */
    return run.finish(w, 'max-passes', this.opts.maxPasses);
  }
}
