import type { Rng } from '../rng.js';
import { backtrace, backward, forward, liftTransition, liftUnary, type LiftedChain } from './dp.js';
import type { ChainPotentials } from './potentials.js';
import { LogSemiring, MaxSemiring, SCALED_RANGE_LIMIT, SumSemiring, type Semiring } from './semiring.js';
import { SumProductKernels } from './wasm/sum-product-kernels.js';

/** Options of `ChainWorkspace`. */
export interface ChainWorkspaceOptions {
  /**
   * Run the sum-product passes (forward, backward, expected transition counts) in the WebAssembly SIMD kernels
   * of `wasm/sum-product.wat` when the runtime has them (default true; `EBM_CHAIN_KERNELS=js` in the environment
   * also turns them off). The JavaScript loops of dp.ts are the reference; results agree up to rounding.
   */
  wasm?: boolean;
}

/**
 * Reusable buffers for chain inference, grown on demand. A trainer keeps one per thread and calls
 * `sumProduct` / `viterbi` sentence after sentence without allocating. With the WebAssembly kernels the buffers
 * are views into the kernels' memory (re-made when it grows, so read them from the workspace after each call).
 */
export class ChainWorkspace {
  private cap = 0;
  private capL = 0;
  private capT = 0;
  private readonly kernels: SumProductKernels | null;
  liftedUnary: Float64Array = new Float64Array(0);
  liftedTransition: Float64Array = new Float64Array(0);
  liftedTransitionT: Float64Array = new Float64Array(0);
  alpha: Float64Array = new Float64Array(0);
  beta: Float64Array = new Float64Array(0);
  logScale = new Float64Array(0);
  scratch: Float64Array = new Float64Array(0);
  private outer: Float64Array = new Float64Array(0);
  private sums: Float64Array = new Float64Array(0);

  constructor(options: ChainWorkspaceOptions = {}) {
    this.kernels = options.wasm === false ? null : SumProductKernels.create();
  }

  /** True when the sum-product passes run in the WebAssembly kernels. */
  get usesWasm(): boolean {
    return this.kernels !== null;
  }

  /** Makes room for a chain of T positions and L labels. */
  reserve(T: number, L: number): this {
    const growCells = T * L > this.cap;
    const growL = L > this.capL;
    const growT = T > this.capT;
    if (!growCells && !growL && !growT) return this;
    if (growCells) this.cap = Math.max(T * L, Math.ceil(this.cap * 1.5));
    if (growT) this.capT = Math.max(T, Math.ceil(this.capT * 1.5));
    if (growL) {
      this.capL = L;
      this.cacheSemiring = null; // the lifted copy is gone
    }
    this.logScale = growT ? new Float64Array(this.capT) : this.logScale;
    const k = this.kernels;
    if (k) {
      // One layout in the kernels' memory: the L-sized tables first, so that growing T keeps the cached lifted
      // transition tables where they are (a memory growth keeps the contents; only the views are re-made).
      const L2 = this.capL * this.capL;
      const offs = [0, L2, 2 * L2, 3 * L2, 3 * L2 + this.capL, 3 * L2 + this.capL + this.capT];
      const unaryAt = offs[5]!;
      k.ensure(8 * (unaryAt + 3 * this.cap));
      this.liftedTransition = k.view(offs[0]!, L2);
      this.liftedTransitionT = k.view(offs[1]!, L2);
      this.outer = k.view(offs[2]!, L2);
      this.scratch = k.view(offs[3]!, this.capL);
      this.sums = k.view(offs[4]!, this.capT);
      this.liftedUnary = k.view(unaryAt, this.cap);
      this.alpha = k.view(unaryAt + this.cap, this.cap);
      this.beta = k.view(unaryAt + 2 * this.cap, this.cap);
      return this;
    }
    if (growCells) {
      this.liftedUnary = new Float64Array(this.cap);
      this.alpha = new Float64Array(this.cap);
      this.beta = new Float64Array(this.cap);
    }
    if (growL) {
      this.liftedTransition = new Float64Array(L * L);
      this.liftedTransitionT = new Float64Array(L * L);
      this.scratch = new Float64Array(L);
      this.outer = new Float64Array(L * L);
    }
    return this;
  }

  // The lifted transition table is cached: a trainer decodes sentence after sentence with one table.
  private cacheSource = new Float64Array(0);
  private cacheSemiring: Semiring | null = null;
  private cacheMax = 0;
  private cacheSpread = 0;

  /** Remembers `p.transition` (and its finite spread) if it differs from the cached table; drops the lifted copy then. */
  private syncTransition(p: ChainPotentials): void {
    const n = p.L * p.L;
    const src = p.transition;
    const c = this.cacheSource;
    if (c.length === n) {
      let k = 0;
      while (k < n && c[k] === src[k]) k++;
      if (k === n) return;
    }
    if (c.length !== n) this.cacheSource = new Float64Array(n);
    this.cacheSource.set(src.subarray(0, n));
    this.cacheSpread = finiteSpread(src, 0, n, null, null);
    this.cacheSemiring = null;
  }

  /** Lifts `p.transition` into `sr` unless the same values are already lifted; returns its maximum. */
  private transitionFor(sr: Semiring, p: ChainPotentials): number {
    this.syncTransition(p);
    if (this.cacheSemiring !== sr) {
      this.cacheMax = liftTransition(sr, p.L, p.transition, this.liftedTransition, this.liftedTransitionT);
      this.cacheSemiring = sr;
    }
    return this.cacheMax;
  }

  /**
   * Lifts `p` into `sr` and runs the forward pass; returns the lowered total and the lifted chain, or null when a
   * unary row spans more than `maxSpread` nats (nothing useful is computed then).
   */
  runForward(sr: Semiring, p: ChainPotentials, maxSpread = Infinity): { total: number; chain: LiftedChain } | null {
    this.reserve(p.T, p.L);
    const { T, L } = p;
    const tm = T > 1 ? this.transitionFor(sr, p) : 0;
    const unaryShift = liftUnary(sr, p, this.liftedUnary, maxSpread);
    if (Number.isNaN(unaryShift)) return null;
    const chain: LiftedChain = {
      T,
      L,
      unary: this.liftedUnary,
      transition: this.liftedTransition,
      transitionT: this.liftedTransitionT,
      shift: (T > 1 ? (T - 1) * tm : 0) + unaryShift,
    };
    const total = sr === SumSemiring && this.kernels ? this.kernelForward(chain) : forward(sr, chain, this.alpha, this.logScale);
    return { total, chain };
  }

  /** `forward` in the sum semiring by the kernel: the same α rows, logScale and lowered total. */
  private kernelForward(c: LiftedChain): number {
    const { T, L } = c;
    const { alpha, logScale, sums } = this;
    this.kernels!.forward(T, L, c.unary, c.transition, alpha, sums);
    let total = c.shift;
    for (let t = 0; t < T; t++) total += logScale[t] = Math.log(sums[t]!);
    let acc = 0;
    for (let y = 0; y < L; y++) acc += alpha[(T - 1) * L + y]!;
    return total + Math.log(acc);
  }

  /**
   * The forward pass for sums over labellings (see `sumSemiringFor`): the rescaled `SumSemiring` unless the
   * transition table (checked once per table) or a unary row spans more than `SCALED_RANGE_LIMIT` nats, in which
   * case the log-domain `LogSemiring`.
   */
  private sumForward(p: ChainPotentials): { sr: Semiring; total: number; chain: LiftedChain } {
    if (!(p.T > 1 && (this.syncTransition(p), this.cacheSpread > SCALED_RANGE_LIMIT))) {
      const r = this.runForward(SumSemiring, p, SCALED_RANGE_LIMIT);
      if (r) return { sr: SumSemiring, ...r };
    }
    return { sr: LogSemiring, ...this.runForward(LogSemiring, p)! };
  }

  /** log Z. */
  logPartition(p: ChainPotentials): number {
    return this.sumForward(p).total;
  }

  /**
   * Forward–backward in the sum semiring. Writes node marginals p(y_t = y) into `node` ([t·L + y]) and,
   * when given, Σ_t p(y_{t−1} = a, y_t = b) into `edgeSum` ([a·L + b], accumulated: `+=`, so a trainer can
   * sum over sentences) and/or per-position edge marginals into `edges` ([(t−1)·L·L + a·L + b]).
   * Returns log Z (−∞ if no labelling is possible; the outputs are then left untouched). The workspace's `beta`
   * rows are overwritten by the edge factors c_t(b) on the way (read `alpha`/`beta` from `runForward`/`backward`).
   */
  sumProduct(
    p: ChainPotentials,
    node: Float64Array | null,
    edgeSum: Float64Array | null = null,
    edges: Float64Array | null = null,
  ): number {
    const { sr, total: logZ, chain } = this.sumForward(p);
    if (logZ === -Infinity) return logZ;
    if (sr === SumSemiring && this.kernels) this.kernels.backward(chain.T, chain.L, chain.unary, chain.transitionT, this.beta, this.scratch);
    else backward(sr, chain, this.beta, this.scratch);
    if (sr === SumSemiring) this.scaledMarginals(chain, node, edgeSum, edges);
    else this.logDomainMarginals(chain, node, edgeSum, edges);
    return logZ;
  }

  // p_t(y) = α̂_t(y) β̂_t(y) / n_t with n_t = Σ_y α̂_t(y) β̂_t(y);
  // p_t(a, b) = α̂_{t−1}(a) ψ(a,b) φ_t(b) β̂_t(b) / (s_t n_t), s_t the factor removed from α row t.
  private scaledMarginals(
    chain: LiftedChain,
    node: Float64Array | null,
    edgeSum: Float64Array | null,
    edges: Float64Array | null,
  ): void {
    const { T, L, unary: U, transition: M } = chain;
    const { alpha, beta, logScale } = this;
    // c_t(b) = φ_t(b) β̂_t(b) / (s_t n_t), written over β (no longer needed once row t is done).
    const C = beta;
    for (let t = 0; t < T; t++) {
      const o = t * L;
      let n = 0;
      for (let y = 0; y < L; y++) n += alpha[o + y]! * beta[o + y]!;
      const inv = 1 / n;
      if (node) for (let y = 0; y < L; y++) node[o + y] = alpha[o + y]! * beta[o + y]! * inv;
      if (t > 0) {
        const c = inv / Math.exp(logScale[t]!);
        for (let b = 0; b < L; b++) C[o + b] = U[o + b]! * beta[o + b]! * c;
      }
    }
    if (edges) {
      for (let t = 1; t < T; t++) {
        const po = (t - 1) * L;
        const o = t * L;
        const eo = (t - 1) * L * L;
        for (let a = 0; a < L; a++) {
          const al = alpha[po + a]!;
          const ro = a * L;
          for (let b = 0; b < L; b++) edges[eo + ro + b] = al * M[ro + b]! * C[o + b]!;
        }
      }
    }
    // Σ_t p_t(a, b) = ψ(a,b) · Σ_t α̂_{t−1}(a) c_t(b): the product Aᵀ C of two T×L tables, multiplied by ψ once.
    if (edgeSum && T > 1) {
      const outer = this.outer;
      if (this.kernels) this.kernels.transposedProduct(alpha, 0, C, L, T - 1, L, outer);
      else transposedProduct(alpha, 0, C, L, T - 1, L, outer);
      for (let k = 0; k < L * L; k++) edgeSum[k]! += M[k]! * outer[k]!;
    }
  }

  // The same formulas with every quantity in the log domain (LogSemiring tables).
  private logDomainMarginals(
    chain: LiftedChain,
    node: Float64Array | null,
    edgeSum: Float64Array | null,
    edges: Float64Array | null,
  ): void {
    const { T, L, unary: U, transition: M } = chain;
    const { alpha, beta, scratch, logScale } = this;
    for (let t = 0; t < T; t++) {
      const o = t * L;
      let mx = -Infinity;
      for (let y = 0; y < L; y++) mx = Math.max(mx, alpha[o + y]! + beta[o + y]!);
      let n = 0;
      for (let y = 0; y < L; y++) n += Math.exp(alpha[o + y]! + beta[o + y]! - mx);
      const logN = mx + Math.log(n);
      if (node) for (let y = 0; y < L; y++) node[o + y] = Math.exp(alpha[o + y]! + beta[o + y]! - logN);
      if (t > 0 && (edgeSum || edges)) {
        const c = logN + logScale[t]!;
        for (let b = 0; b < L; b++) scratch[b] = U[o + b]! + beta[o + b]! - c;
        const po = o - L;
        const eo = (t - 1) * L * L;
        for (let a = 0; a < L; a++) {
          const al = alpha[po + a]!;
          const ro = a * L;
          for (let b = 0; b < L; b++) {
            const q = Math.exp(al + M[ro + b]! + scratch[b]!);
            if (edges) edges[eo + ro + b] = q;
            if (edgeSum) edgeSum[ro + b]! += q;
          }
        }
      }
    }
  }

  /** The MAP labelling (Viterbi) into `out`; returns its score, or −∞ (and leaves `out` alone) if none is possible. */
  viterbi(p: ChainPotentials, out: Int32Array): number {
    const { total, chain } = this.runForward(MaxSemiring, p)!;
    if (total === -Infinity) return total;
    backtrace(MaxSemiring, chain, this.alpha, undefined, out, this.scratch);
    return total;
  }

  /** An exact sample from p(y | x) into `out` (forward filtering, backward sampling); returns log Z. */
  sample(p: ChainPotentials, rng: Rng, out: Int32Array): number {
    const { sr, total, chain } = this.sumForward(p);
    if (total === -Infinity) throw new RangeError('cannot sample: no labelling has non-zero probability');
    backtrace(sr, chain, this.alpha, rng, out, this.scratch);
    return total;
  }
}

/**
 * out[a·L + b] = Σ_{r < n} A[aOff + r·L + a] · B[bOff + r·L + b] (out = Aᵀ B for two n×L row-major tables), in
 * 2×4 register blocks: six loads per eight multiply–adds and no stores in the inner loop.
 */
export function transposedProduct(
  A: Float64Array,
  aOff: number,
  B: Float64Array,
  bOff: number,
  n: number,
  L: number,
  out: Float64Array,
): void {
  const end = aOff + n * L;
  let a = 0;
  for (; a + 1 < L; a += 2) {
    let b = 0;
    for (; b + 3 < L; b += 4) {
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let p = aOff, q = bOff; p < end; p += L, q += L) {
        const x0 = A[p + a]!;
        const x1 = A[p + a + 1]!;
        const y0 = B[q + b]!;
        const y1 = B[q + b + 1]!;
        const y2 = B[q + b + 2]!;
        const y3 = B[q + b + 3]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      const r0 = a * L + b;
      const r1 = r0 + L;
      out[r0] = s00;
      out[r0 + 1] = s01;
      out[r0 + 2] = s02;
      out[r0 + 3] = s03;
      out[r1] = s10;
      out[r1 + 1] = s11;
      out[r1 + 2] = s12;
      out[r1 + 3] = s13;
    }
    for (; b < L; b++) {
      let s0 = 0;
      let s1 = 0;
      for (let p = aOff, q = bOff; p < end; p += L, q += L) {
        const y = B[q + b]!;
        s0 += A[p + a]! * y;
        s1 += A[p + a + 1]! * y;
      }
      out[a * L + b] = s0;
      out[(a + 1) * L + b] = s1;
    }
  }
  for (; a < L; a++) {
    for (let b = 0; b < L; b++) {
      let s = 0;
      for (let p = aOff, q = bOff; p < end; p += L, q += L) s += A[p + a]! * B[q + b]!;
      out[a * L + b] = s;
    }
  }
}

/**
 * The semiring for sums over labellings: the fast rescaled `SumSemiring` when every unary row (with
 * start/end folded in) and the transition table span at most `SCALED_RANGE_LIMIT` nats over their finite
 * values, else the exact log-domain `LogSemiring`.
 */
export function sumSemiringFor(p: ChainPotentials): Semiring {
  const { T, L } = p;
  if (T > 1 && finiteSpread(p.transition, 0, L * L, null, null) > SCALED_RANGE_LIMIT) return LogSemiring;
  return unarySpreadOk(p) ? SumSemiring : LogSemiring;
}

function unarySpreadOk(p: ChainPotentials): boolean {
  const { T, L } = p;
  for (let t = 0; t < T; t++) {
    const extra = t === 0 ? p.start ?? null : null;
    const extraEnd = t === T - 1 ? p.end ?? null : null;
    if (finiteSpread(p.unary, t * L, L, extra, extraEnd) > SCALED_RANGE_LIMIT) return false;
  }
  return true;
}

function finiteSpread(a: Float64Array, off: number, n: number, add1: Float64Array | null, add2: Float64Array | null): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    let v = a[off + i]!;
    if (add1) v += add1[i]!;
    if (add2) v += add2[i]!;
    if (v === -Infinity) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > lo ? hi - lo : 0;
}
