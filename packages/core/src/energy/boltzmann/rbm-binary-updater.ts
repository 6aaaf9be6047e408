/**
 * The RBM update of rbm-updater.ts for Bernoulli–Bernoulli RBMs on binary (0/1) data with sampled negative visible
 * states, on WebAssembly SIMD kernels (internal to `trainRbm`). Every visible state it multiplies (the data, the
 * sampled negatives) and every hidden state it propagates down (the sampled hidden units, the persistent chains) is
 * binary, so each product is a sum of weight rows over a row's active units:
 *   hidden pre-activations   c + Σ_{i: v_i = 1} W[i, :]        (W kept as [V × H])
 *   visible pre-activations  b + Σ_{j: h_j = 1} Wᵀ[j, :]       (a transposed copy, refreshed after each update)
 *   weight gradient          ΔW[i, :] += s_r · p(h | v_r)  for the rows r with v_{r,i} = 1.
 * The sigmoids run in the module (a float32 exp, ≈ 2 ulp); the Bernoulli draws compare the same uniforms from the
 * `Rng`, in the same order, as the tfjs engine does, so both engines follow the same chain up to float32 rounding.
 * Each of these sums reads subset-sum tables of the summed rows in groups of 4 (`SubsetTables`, built per panel in
 * the kernel): one read per group a binary row touches instead of one per active unit. PCD's up pass takes the data
 * rows and the negatives together, after the down pass (W is the same for both and no draw comes between them).
 * CD also uses that a reconstruction differs from its data row in a minority of units (≈ 18 % of them in the first
 * epoch on Fashion-MNIST, fewer later): the negative hidden pre-activations are the data row's plus the units turned
 * on minus those turned off; its gradient groups each data row with its reconstruction (they share most units).
 * The data are bit-packed in the module once (they do not change during training).
 * Row lengths are padded to multiples of 16 with zeros (padded weights stay zero); W, its transpose and the
 * momentum are kept in the kernels' 16-column panel layout, and the batch-row buffers get a row stride of an odd
 * number of cache lines (so that a column slab of them does not fall into a few cache sets).
 */
import { withXoshiroState, type Rng } from '../../rng.js';
import { fillUniform32 } from './binary-math.js';
import { Rbm } from './rbm.js';
import type { RowMatrix } from './row-matrix.js';
import type { RbmUpdater, RbmUpdaterConfig } from './rbm-updater.js';
import { fromPanels, RbmBinaryKernels, toPanels, type SubsetTables } from './wasm/rbm-binary-kernels.js';

/** True when every entry of `m` is exactly 0 or 1. */
export function isBinaryMatrix(m: RowMatrix): boolean {
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v !== 0 && v !== 1) return false;
  }
  return true;
}

const pad16 = (n: number): number => (n + 15) & ~15;
/** PCD's subset-sum tables group 2^LK = 4 rows (16 entries of 64 bytes a group). */
const LK = 2;
/** A row stride of ≥ n floats (n a multiple of 16) that is an odd number of 64-byte cache lines. */
const oddLines = (n: number): number => ((n / 16) % 2 === 0 ? n + 16 : n);

/** The binary-data engine; `create` returns null where it does not apply or the kernels are unavailable. */
export class BinaryRbmUpdater implements RbmUpdater {
  readonly engine = 'binary-wasm';
  private readonly V: number;
  private readonly H: number;
  private readonly Vp: number;
  private readonly Hp: number;
  /** Row strides of the hidden-row buffers (hs, hPre0) and of vPre. */
  private readonly Hs: number;
  private readonly Vs: number;
  private readonly W: Float32Array;
  private readonly Wt: Float32Array;
  private readonly vel: Float32Array;
  private readonly b: Float32Array;
  private readonly c: Float32Array;
  /**
   * [3·batch × Hs]: hidden pre-activations → probabilities → rows scaled by ±lr/n: data rows, negative rows, and
   * for CD their sums (row 2n + r = row r + row n + r).
   */
  private readonly hs: Float32Array;
  /** [batch × Hs]: the data rows' hidden pre-activations (CD: the reconstructions' start from them). */
  private readonly hPre0: Float32Array;
  /** CD: per row r, the visible units on in the data row only and in its reconstruction only. */
  private readonly onlyPos: Int32Array;
  private readonly onlyPosStarts: Int32Array;
  private readonly onlyNeg: Int32Array;
  private readonly onlyNegStarts: Int32Array;
  /** [batch × Vs]: visible pre-activations → probabilities. */
  private readonly vPre: Float32Array;
  /** Active visible units of the rows [data; negatives]: vIdx[vStarts[r] .. vStarts[r+1]). */
  private readonly vIdx: Int32Array;
  private readonly vStarts: Int32Array;
  /** Active hidden units of the sampled hidden rows (for PCD: the persistent chains, kept between updates). */
  private readonly hIdx: Int32Array;
  private readonly hStarts: Int32Array;
  /** In the module: how many data rows / negative rows have each visible unit on. */
  private readonly posCount: Int32Array;
  private readonly negCount: Int32Array;
  /** The data, bit-packed in the module (`packBits`; the data do not change during training), and the batch's row numbers. */
  private readonly bits: Int32Array;
  private readonly orderBuf: Int32Array;
  private readonly velB: Float32Array;
  /** [Hp], in the module: the momentum of the hidden biases. */
  private readonly velC: Float32Array;
  /** The list 0, 1, …, 2·batch − 1 (every batch row) and its bounds [0, rows]: the hidden biases' column list. */
  private readonly allRows: Int32Array;
  private readonly allRowsStarts: Int32Array;
  /** PCD: the rows' visible lists as entries of W's subset-sum tables (`groupRows`). */
  private readonly eIdx: Int32Array;
  private readonly eStarts: Int32Array;
  /** PCD: the gradient's column lists as entries of the subset-sum tables of the rows of hs (`groupColumns`), and its mask scratch. */
  private readonly gIdx: Int32Array;
  private readonly gStarts: Int32Array;
  private readonly gMasks: Int32Array;
  /** PCD: one panel's subset-sum tables (of W's rows or of the rows of hs). */
  private readonly tables: SubsetTables;
  private readonly uniforms: Float32Array;
  /** The generator's four state words, in the module, for the draws there (generators of `createRng`). */
  private readonly rngState: Int32Array;
  private readonly rng: Rng;

  private constructor(
    private readonly k: RbmBinaryKernels,
    initial: Rbm,
    private readonly cfg: RbmUpdaterConfig,
  ) {
    const V = (this.V = initial.numVisible);
    const H = (this.H = initial.numHidden);
    const Vp = (this.Vp = pad16(V));
    const Hp = (this.Hp = pad16(H));
    const Hs = (this.Hs = oddLines(Hp));
    const Vs = (this.Vs = oddLines(Vp));
    const B = cfg.batchSize;
    const pcd = cfg.kind === 'pcd';
    const m = k.allocate({
      W: ['f32', Vp * Hp],
      vel: ['f32', Vp * Hp],
      Wt: ['f32', Hp * Vp],
      b: ['f32', Vp],
      c: ['f32', Hp],
      hs: ['f32', 2 * B * Hs],
      vPre: ['f32', B * Vs],
      vIdx: ['i32', 2 * B * V],
      vStarts: ['i32', 2 * B + 1],
      hIdx: ['i32', B * H],
      hStarts: ['i32', B + 1], // all zero: the PCD chains start at h = 0, as in the tfjs engine
      velC: ['f32', Hp],
      allRows: ['i32', 2 * B],
      allRowsStarts: ['i32', 2],
      hPre0: ['f32', B * Hs],
      onlyPos: ['i32', B * V],
      onlyPosStarts: ['i32', B + 1],
      onlyNeg: ['i32', B * V],
      onlyNegStarts: ['i32', B + 1],
      rngState: ['i32', 4],
      bits: ['i32', cfg.data.rows * RbmBinaryKernels.bitWords(V)],
      orderBuf: ['i32', B],
      posCount: ['i32', Vp],
      negCount: ['i32', Vp],
      eIdx: ['i32', Math.max(2 * B * V, B * H)],
      eStarts: ['i32', 2 * B + 1],
      gIdx: ['i32', Vp * Math.ceil((2 * B) / 2 ** LK)],
      gStarts: ['i32', Vp + 1],
      gMasks: ['i32', RbmBinaryKernels.groupMaskInts(2 * B, Vp, LK)],
      scratch: ['f32', Math.max(RbmBinaryKernels.tableFloats(Vp, LK), RbmBinaryKernels.tableFloats(Hp, LK), RbmBinaryKernels.tableFloats(2 * B, LK))],
    } as const);
    ({ W: this.W, vel: this.vel, Wt: this.Wt, b: this.b, c: this.c, hs: this.hs, vPre: this.vPre, vIdx: this.vIdx, vStarts: this.vStarts } = m);
    ({ hIdx: this.hIdx, hStarts: this.hStarts, velC: this.velC, allRows: this.allRows } = m);
    ({ allRowsStarts: this.allRowsStarts, hPre0: this.hPre0, onlyPos: this.onlyPos } = m);
    ({ onlyPosStarts: this.onlyPosStarts, onlyNeg: this.onlyNeg, onlyNegStarts: this.onlyNegStarts, rngState: this.rngState } = m);
    ({ eIdx: this.eIdx, eStarts: this.eStarts, gIdx: this.gIdx, gStarts: this.gStarts, gMasks: this.gMasks } = m);
    this.tables = { lk: LK, scratch: m.scratch };
    ({ bits: this.bits, orderBuf: this.orderBuf, posCount: this.posCount, negCount: this.negCount } = m);
    RbmBinaryKernels.packBits(cfg.data.data, cfg.data.rows, V, this.bits);
    for (let r = 0; r < 2 * B; r++) this.allRows[r] = r;
    toPanels(initial.weights, V, H, this.W, Vp);
    k.transpose(Vp, Hp, this.W, this.Wt);
    this.b.set(initial.visibleBias);
    this.c.set(initial.hiddenBias);
    this.velB = new Float32Array(V);
    this.uniforms = new Float32Array(B * Math.max(V, H));
    this.rng = cfg.rng;
  }

  /**
   * The engine for `initial` and `cfg`, or null unless the units are Bernoulli, the negative visible states are
   * sampled, every data value is 0 or 1, and the WebAssembly kernels load with enough memory (`EBM_RBM_KERNELS=js`
   * turns them off).
   */
  static create(initial: Rbm, cfg: RbmUpdaterConfig): BinaryRbmUpdater | null {
    if (cfg.visible !== 'bernoulli' || initial.visible !== 'bernoulli' || !cfg.sampleVisible) return null;
    if (!isBinaryMatrix(cfg.data)) return null;
    const k = RbmBinaryKernels.create();
    if (!k) return null;
    try {
      return new BinaryRbmUpdater(k, initial, cfg);
    } catch (err) {
      if (err instanceof RangeError) return null; // the module's memory cannot grow that far (4 GiB): use tfjs
      throw err;
    }
  }

  /** Sets the padded lanes (H..Hs) of hidden rows [r0, r0 + n) to zero (σ(0) = ½ there otherwise). */
  private zeroHiddenPadding(r0: number, n: number): void {
    const { H, Hs, hs } = this;
    if (H === Hs) return;
    for (let r = r0; r < r0 + n; r++) hs.fill(0, r * Hs + H, (r + 1) * Hs);
  }

  /**
   * Bernoulli draws of rows [p0, p0 + n) of the probabilities `p` (row stride `stride`, `cols` used): unit j of
   * row r is on when u < p, with the uniforms drawn as the tfjs engine draws an [n × cols] tensor. The active
   * indices go to idx from idx position starts[s0]; starts[s0 + r + 1] marks each row's end.
   */
  private draw(p: Float32Array, p0: number, n: number, stride: number, cols: number, idx: Int32Array, starts: Int32Array, s0: number): void {
    // The generators of createRng draw in the module (same uniforms, same state afterwards).
    if ((n * cols) % 2 === 0) {
      const { k, rngState } = this;
      const done = withXoshiroState(this.rng, (st) => {
        rngState.set(st);
        k.bernoulliDraw(p, p0, n, stride, cols, idx, starts, s0, rngState);
        st.set(rngState);
      });
      if (done) return;
    }
    const u = fillUniform32(this.rng, n * cols === this.uniforms.length ? this.uniforms : this.uniforms.subarray(0, n * cols));
    let t = starts[s0]!;
    for (let r = 0; r < n; r++) {
      const pb = (p0 + r) * stride;
      const ub = r * cols;
      // Branch-free: write j, keep it when the unit is on (the draws are unpredictable branches).
      for (let j = 0; j < cols; j++) {
        idx[t] = j;
        t += +(u[ub + j]! < p[pb + j]!);
      }
      starts[s0 + r + 1] = t;
    }
  }

  /** The visible probabilities of the n sampled hidden rows (hIdx), on Wᵀ's subset-sum tables, into vPre. */
  private down(n: number): void {
    const { k: K, Vp, Hp, Wt, b, vPre, Vs } = this;
    K.groupRows(n, this.hIdx, this.hStarts, 0, LK, this.eIdx, this.eStarts);
    K.rowsSum(n, Vp, this.eIdx, this.eStarts, 0, Wt, Hp, b, vPre, Vs, 0, true, this.tables);
  }

  update(order: Int32Array, s: number, e: number, lr: number): number {
    const { k: K, V, H, Vp, Hp, Hs, Vs, W, Wt, b, c, hs, vPre, vIdx, vStarts, hIdx, hStarts, cfg } = this;
    const nPos = e - s;
    const pcd = cfg.kind === 'pcd';
    // The data rows as lists of active visible units, from the bit-packed data.
    this.orderBuf.set(order.subarray(s, e));
    K.bitRows(nPos, this.orderBuf, this.bits, V, vIdx, vStarts);
    const nNeg = pcd ? cfg.batchSize : nPos;
    const hNeg = hs.subarray(nPos * Hs, (nPos + nNeg) * Hs);
    if (pcd) {
      // The Gibbs steps from the persistent chains; the last step's up pass also takes the data rows (W is the same
      // for both, and no draw comes between them): one pass over the rows [data; negatives], on W's subset-sum tables.
      for (let kk = 0; kk < cfg.k; kk++) {
        this.down(nNeg);
        this.draw(vPre, 0, nNeg, Vs, V, vIdx, vStarts, nPos);
        const r0 = kk === cfg.k - 1 ? 0 : nPos;
        const n = nPos + nNeg - r0;
        K.groupRows(n, vIdx, vStarts, r0, LK, this.eIdx, this.eStarts);
        K.rowsSum(n, Hp, this.eIdx, this.eStarts, 0, W, Vp, c, hs, Hs, r0, true, this.tables);
        this.zeroHiddenPadding(r0, n);
        this.draw(hs, nPos, nNeg, Hs, H, hIdx, hStarts, 0);
      }
    } else {
      // CD: the data rows on W's subset-sum tables, keeping their pre-activations (the reconstructions start from them).
      K.groupRows(nPos, vIdx, vStarts, 0, LK, this.eIdx, this.eStarts);
      K.rowsSum(nPos, Hp, this.eIdx, this.eStarts, 0, W, Vp, c, hs, Hs, 0, true, this.tables, this.hPre0);
      this.zeroHiddenPadding(0, nPos);
      // The hidden states the Gibbs steps start from: a draw from p(h | data).
      this.draw(hs, 0, nPos, Hs, H, hIdx, hStarts, 0);
      for (let kk = 0; kk < cfg.k; kk++) {
        this.down(nNeg);
        this.draw(vPre, 0, nNeg, Vs, V, vIdx, vStarts, nPos);
        // reconstruction = data row + the units turned on − those turned off
        K.splitRows(nPos, vIdx, vStarts, this.onlyPos, this.onlyPosStarts, this.onlyNeg, this.onlyNegStarts);
        hNeg.set(this.hPre0.subarray(0, nPos * Hs));
        K.rowsUpdate(nPos, Hp, this.onlyNeg, this.onlyNegStarts, this.onlyPos, this.onlyPosStarts, W, Vp, hs, Hs, nPos, true);
        this.zeroHiddenPadding(nPos, nNeg);
        if (kk < cfg.k - 1) this.draw(hs, nPos, nNeg, Hs, H, hIdx, hStarts, 0);
      }
    }
    // Row weights +lr/nPos (data) and −lr/nNeg (negatives), as float32 like the tfjs engine's.
    const sPos = Math.fround(lr / nPos);
    const sNeg = Math.fround(-lr / nNeg);
    const rows = nPos + nNeg;
    K.scale(hs, sPos, nPos * Hs);
    K.scale(hNeg, sNeg);
    // The gradient: for each visible unit the sum of the rows of hs where it is on, read from the subset-sum tables of
    // the rows of hs in groups of 4 (CD: rows r, r + 1 with their reconstructions, which share most units).
    const { momentum, weightDecay } = cfg;
    K.groupColumns(rows, vIdx, vStarts, Vp, LK, this.gMasks, this.gIdx, this.gStarts, pcd ? 0 : nPos);
    let size = K.momentumStep(Vp, Hp, this.gStarts, this.gIdx, hs, Hs, W, this.vel, momentum, lr * weightDecay, { ...this.tables, gRows: rows, pairs: pcd ? 0 : nPos });
    K.transpose(Vp, Hp, W, Wt);
    // The hidden biases: one more row of the same step, fed by every data and negative row, without weight decay.
    this.allRowsStarts[1] = rows;
    size += K.momentumStep(1, Hp, this.allRowsStarts, this.allRows, hs, Hs, c, this.velC, momentum, 0);
    // The visible biases: Σ_r s_r v_r from the counts of each unit.
    const { velB, posCount, negCount } = this;
    K.countIndices(vIdx, 0, vStarts[nPos]!, posCount);
    K.countIndices(vIdx, vStarts[nPos]!, vStarts[rows]!, negCount);
    for (let i = 0; i < V; i++) {
      const d = Math.fround(posCount[i]! * sPos + negCount[i]! * sNeg);
      const nv = momentum > 0 ? Math.fround(momentum * velB[i]! + d) : d;
      velB[i] = nv;
      b[i] = b[i]! + nv;
      size += nv;
    }
    return size;
  }

  snapshot(): Rbm {
    const { V, H, Vp } = this;
    const weights = fromPanels(this.W, Vp, V, H);
    return new Rbm({
      visible: 'bernoulli',
      numVisible: V,
      numHidden: H,
      weights,
      visibleBias: Float32Array.from(this.b.subarray(0, V)),
      hiddenBias: Float32Array.from(this.c.subarray(0, H)),
    });
  }

  dispose(): void {
    // The module's memory goes with this object.
  }
}
