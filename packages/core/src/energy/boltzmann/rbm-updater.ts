/**
 * One CD-k / PCD-k parameter update of an RBM per call (internal to `trainRbm`): the interface both engines share,
 * and the tfjs engine (dense mini-batch products; any data, both unit types). The WebAssembly engine for binary
 * data is `BinaryRbmUpdater` (rbm-binary-updater.ts); both draw the same uniforms from the `Rng` in the same order.
 *
 * The update, with rows vs = [v⁺; v⁻], hs = [p(h|v⁺); p(h|v⁻)] and row weights s = +ε/n⁺ (data), −ε/n⁻ (negatives):
 *   ΔW ← μΔW + Σ_r s_r v_r h_rᵀ − ελW,   Δb ← μΔb + Σ_r s_r v_r,   Δc ← μΔc + Σ_r s_r h_r,   θ ← θ + Δθ.
 */
import * as tf from '../tf.js';
import type { Rng } from '../../rng.js';
import { Rbm, type VisibleUnits } from './rbm.js';
import type { RowMatrix } from './row-matrix.js';
import { bernoulli, disposeRbmTensors, gatherRowsTensor, rbmTensors, sampleVisible, type RbmTensors } from './rbm-tensors.js';

/** What an updater needs besides the model (validated by `trainRbm`). */
export interface RbmUpdaterConfig {
  data: RowMatrix;
  visible: VisibleUnits;
  /** Rows per update (the persistent chains have this many rows). */
  batchSize: number;
  kind: 'cd' | 'pcd';
  /** Gibbs steps per update. */
  k: number;
  momentum: number;
  weightDecay: number;
  sampleVisible: boolean;
  rng: Rng;
}

/** The training state of one engine: parameters, velocities and persistent chains. */
export interface RbmUpdater {
  /** Which engine computes the updates. */
  readonly engine: 'tfjs' | 'binary-wasm';
  /** One update from the data rows `order[start..end)` with step size `lr`; returns Σ of the update (non-finite: diverged). */
  update(order: Int32Array, start: number, end: number, lr: number): number;
  /** The current parameters as an `Rbm` (throws a RangeError when one is not finite). */
  snapshot(): Rbm;
  /** Frees what the engine holds. */
  dispose(): void;
}

/** The tfjs engine: mini-batch products on the tfjs backend. */
export class TfjsRbmUpdater implements RbmUpdater {
  readonly engine = 'tfjs';
  private t: RbmTensors;
  private velW: tf.Tensor2D;
  private velB: tf.Tensor1D;
  private velC: tf.Tensor1D;
  private chains: tf.Tensor2D | undefined;
  private readonly batchBuf: Float32Array;

  constructor(
    initial: Rbm,
    private readonly cfg: RbmUpdaterConfig,
  ) {
    this.t = rbmTensors(initial);
    this.velW = tf.zerosLike(this.t.W) as tf.Tensor2D;
    this.velB = tf.zerosLike(this.t.b) as tf.Tensor1D;
    this.velC = tf.zerosLike(this.t.c) as tf.Tensor1D;
    this.chains = cfg.kind === 'pcd' ? tf.zeros([cfg.batchSize, initial.numHidden]) : undefined;
    this.batchBuf = new Float32Array(cfg.batchSize * initial.numVisible);
  }

  update(order: Int32Array, s: number, e: number, lr: number): number {
    const { data, visible, batchSize, k, momentum, weightDecay: decay, rng } = this.cfg;
    const sampleV = this.cfg.sampleVisible;
    const t = this.t;
    const chains = this.chains;
    const velW = this.velW;
    const velB = this.velB;
    const velC = this.velC;
    const next = tf.tidy(() => {
      const nPos = e - s;
      const vPos = gatherRowsTensor(data, order, s, e, nPos === batchSize ? this.batchBuf : undefined);
      const vMeanOf = (h: tf.Tensor2D): tf.Tensor2D =>
        visible === 'bernoulli'
          ? (tf.fused.matMul({ a: h, b: t.Wt, bias: t.b, activation: 'sigmoid' }) as tf.Tensor2D)
          : (tf.fused.matMul({ a: h, b: t.Wt, bias: t.b }) as tf.Tensor2D);
      const hidOf = (v: tf.Tensor2D): tf.Tensor2D => tf.fused.matMul({ a: v, b: t.W, bias: t.c, activation: 'sigmoid' }) as tf.Tensor2D;
      const drawV = (m: tf.Tensor2D): tf.Tensor2D => (sampleV ? sampleVisible(m, visible, rng) : m);
      // vs = [vPos; vNeg] and hs = [hPos; hNeg] stacked, so that one product gives both phases of the gradient.
      let vs: tf.Tensor2D;
      let hs: tf.Tensor2D;
      let nextChains: tf.Tensor2D | undefined;
      if (chains && k === 1) {
        // PCD-1: the negative visible states depend only on the chains, so data and negatives share one product.
        vs = tf.concat([vPos, drawV(vMeanOf(chains))], 0);
        hs = hidOf(vs);
        nextChains = bernoulli(tf.slice(hs, [nPos, 0], [-1, -1]), rng);
      } else {
        const hPos = hidOf(vPos);
        let h = chains ?? bernoulli(hPos, rng);
        let vNeg!: tf.Tensor2D;
        let hNeg!: tf.Tensor2D;
        for (let kk = 0; kk < k; kk++) {
          vNeg = drawV(vMeanOf(h));
          hNeg = hidOf(vNeg);
          if (kk < k - 1 || chains) h = bernoulli(hNeg, rng);
        }
        if (chains) nextChains = h;
        vs = tf.concat([vPos, vNeg], 0);
        hs = tf.concat([hPos, hNeg], 0);
      }
      const nNeg = vs.shape[0] - nPos;
      // Row weights +lr/nPos (data) and −lr/nNeg (negatives): Σ_rows weight·v·hᵀ = lr·(⟨vhᵀ⟩_data − ⟨vhᵀ⟩_model).
      const rowScale = tf.concat([tf.fill([nPos, 1], lr / nPos), tf.fill([nNeg, 1], -lr / nNeg)], 0);
      const hsScaled = tf.mul(hs, rowScale);
      let dW = tf.matMul(tf.transpose(vs), hsScaled) as tf.Tensor2D;
      const dB = tf.sum(tf.mul(vs, rowScale), 0) as tf.Tensor1D;
      const dC = tf.sum(hsScaled, 0) as tf.Tensor1D;
      if (decay > 0) dW = tf.sub(dW, tf.mul(lr * decay, t.W));
      const nvW = (momentum > 0 ? tf.add(tf.mul(momentum, velW), dW) : dW) as tf.Tensor2D;
      const nvB = (momentum > 0 ? tf.add(tf.mul(momentum, velB), dB) : dB) as tf.Tensor1D;
      const nvC = (momentum > 0 ? tf.add(tf.mul(momentum, velC), dC) : dC) as tf.Tensor1D;
      const W = tf.add(t.W, nvW) as tf.Tensor2D;
      // NaN or ±Infinity anywhere in the update makes this sum non-finite.
      const check = tf.add(tf.add(tf.sum(nvW), tf.sum(nvB)), tf.sum(nvC));
      return {
        t: { W, Wt: tf.transpose(W), b: tf.add(t.b, nvB) as tf.Tensor1D, c: tf.add(t.c, nvC) as tf.Tensor1D },
        velW: nvW,
        velB: nvB,
        velC: nvC,
        chains: nextChains,
        check,
      };
    });
    const size = (next.check.dataSync() as Float32Array)[0]!;
    next.check.dispose();
    disposeRbmTensors(t);
    velW.dispose();
    velB.dispose();
    velC.dispose();
    if (chains && next.chains !== chains) chains.dispose();
    this.t = next.t;
    this.velW = next.velW;
    this.velB = next.velB;
    this.velC = next.velC;
    this.chains = next.chains;
    return size;
  }

  snapshot(): Rbm {
    const t = this.t;
    return new Rbm({
      visible: this.cfg.visible,
      numVisible: t.W.shape[0],
      numHidden: t.W.shape[1],
      weights: Float32Array.from(t.W.dataSync() as Float32Array),
      visibleBias: Float32Array.from(t.b.dataSync() as Float32Array),
      hiddenBias: Float32Array.from(t.c.dataSync() as Float32Array),
    });
  }

  dispose(): void {
    disposeRbmTensors(this.t);
    this.velW.dispose();
    this.velB.dispose();
    this.velC.dispose();
    this.chains?.dispose();
  }
}
