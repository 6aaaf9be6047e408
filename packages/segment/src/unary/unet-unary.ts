/**
 * A U-Net unary for thin structures at full resolution (vessels, membranes, cracks): an encoder–decoder that works
 * on the image at its own (working) size, trained on random P × P patches and applied by overlap-tile prediction.
 *
 * Input per pixel (`unetInput`): CIE lightness standardised per image (mean 0, ±1 ≈ two standard deviations), a* over 50,
 * b* over 50, and optionally local contrast — lightness minus its mean over a (2r+1)² box, over the local standard
 * deviation (the generic form of the contrast equalisation vessel pipelines use; no channel of a particular data
 * set is singled out).
 *
 * Network (`unetArchitecture`): `depth` stages of two 3 × 3 convolutions + ReLU with 2 × 2 max-pooling between them
 * (widths c, 2c, 4c, …), a bottleneck of two convolutions at 2^depth·c, and a decoder that upsamples (nearest), joins
 * the encoder's map of the same scale and applies two convolutions; a 1 × 1 convolution gives class logits. Its
 * forward cost per pixel is `unetFlopsPerPixel` (≈ 21 k multiply-adds·2 for c = 8, depth 3).
 *
 * Training (`UNet.train`): softmax cross-entropy per pixel, ignored pixels (IGNORE_LABEL: e.g. outside a field of
 * view) weighted 0, classes optionally balanced (the learned log-probabilities are then shifted back to the training
 * prior) and, for two classes, an optional soft-Dice term on the foreground (ignored pixels excluded); Adam with a
 * learning rate that falls linearly to zero over the step budget or a CPU-time allotment, whichever ends first
 * (anytime). Patches are cut at random positions (at least one labelled pixel) and transformed by one of the eight
 * flips/rotations.
 *
 * Prediction (`UNet.logProbabilities`): overlap-tile — tiles of at most `maxTile` px whose outer `margin` px (image
 * mirrored at its borders) give context and are discarded, so every output pixel is computed with context on all
 * sides; an image that fits is one tile.
 *
 * tfjs is loaded lazily (core's `getTf()`), as for the CNN unary.
 */
import type { RgbImage, Rng } from '@ebmkit/core';
import { getTf, type Tf } from '@ebmkit/core/backend';
import { rgbToLab } from './color.js';
import { boxMean } from './box-filter.js';
import { balancedClassWeights, transformPatch } from './cnn-unary.js';
import { IGNORE_LABEL } from '../grid/labels.js';

/** Architecture and input of a U-Net unary. */
export interface UNetConfig {
  numLabels: number;
  /** Channels of the first stage (default 8); doubled at every stage down. */
  baseChannels?: number;
  /** Number of 2× down-sampling stages (default 3; inputs are padded to a multiple of 2^depth). */
  depth?: number;
  /** Radius (px) of the local-contrast channel's box; 0: no such channel (default 0). */
  contrastRadius?: number;
}

/** Options of `UNet.train`. */
export interface UNetTrainOptions {
  rng: Rng;
  /** Side of the square training patches (a multiple of 2^depth; default 64, less when the images are smaller). */
  patchSize?: number;
  /** Patches per step (default 8). */
  batchSize?: number;
  /** Adam's initial learning rate (default 2e-3). */
  learningRate?: number;
  /** Maximum number of steps (default: 4 passes over the labelled pixels). */
  steps?: number;
  /** 'balanced' (default): classes weighted inversely to their labelled frequency, then shifted back to the prior. */
  classWeight?: 'balanced' | 'none';
  /** Weight of a soft-Dice term on class 1 (two classes only; default 0). */
  dice?: number;
  /** Share of a time allotment spent so far, checked every step: training stops at 1 and the schedule counts it as progress. */
  allotmentUsed?: () => number;
  /** Called every `reportEvery` steps (default 50) with the mean loss since the last call; return false to stop. */
  onSteps?: (step: number, totalSteps: number, loss: number) => boolean | void;
  reportEvery?: number;
}

/** One convolution: name, kernel size, input and output channels. */
export interface UNetConv {
  name: string;
  k: number;
  cin: number;
  cout: number;
}

/** Settings with defaults filled in. */
export type UNetSettings = Required<UNetConfig>;

/** Channels of the network input. */
export function unetInputChannels(config: Pick<UNetSettings, 'contrastRadius'>): number {
  return config.contrastRadius > 0 ? 4 : 3;
}

/** The convolutions of the network, in weight order. */
export function unetArchitecture(config: UNetSettings): UNetConv[] {
  const c = config.baseChannels;
  const D = config.depth;
  const out: UNetConv[] = [];
  let cin = unetInputChannels(config);
  for (let d = 0; d < D; d++) {
    const w = c << d;
    out.push({ name: `enc${d}a`, k: 3, cin, cout: w }, { name: `enc${d}b`, k: 3, cin: w, cout: w });
    cin = w;
  }
  const wb = c << D;
  out.push({ name: 'mida', k: 3, cin, cout: wb }, { name: 'midb', k: 3, cin: wb, cout: wb });
  cin = wb;
  for (let d = D - 1; d >= 0; d--) {
    const w = c << d;
    out.push({ name: `dec${d}a`, k: 3, cin: cin + w, cout: w }, { name: `dec${d}b`, k: 3, cin: w, cout: w });
    cin = w;
  }
  out.push({ name: 'logits', k: 1, cin, cout: config.numLabels });
  return out;
}

/** Floating-point operations of one forward pass per input pixel (2 per multiply-add; convolutions only). */
export function unetFlopsPerPixel(config: UNetSettings): number {
  const D = config.depth;
  const specs = unetArchitecture(config);
  let flops = 0;
  for (const s of specs) {
    const m = /^(enc|dec)(\d+)/.exec(s.name);
    const scale = m ? 4 ** Number(m[2]) : s.name.startsWith('mid') ? 4 ** D : 1;
    flops += (2 * s.k * s.k * s.cin * s.cout) / scale;
  }
  return flops;
}

/** Validates a configuration and fills in the defaults. */
export function resolveUNetConfig(config: UNetConfig): UNetSettings {
  const r: UNetSettings = { numLabels: config.numLabels, baseChannels: config.baseChannels ?? 8, depth: config.depth ?? 3, contrastRadius: config.contrastRadius ?? 0 };
  if (!Number.isInteger(r.numLabels) || r.numLabels < 2) throw new RangeError(`U-Net numLabels must be an integer ≥ 2, got ${r.numLabels}`);
  if (!Number.isInteger(r.baseChannels) || r.baseChannels < 1 || r.baseChannels > 256) throw new RangeError(`U-Net baseChannels must be an integer in 1…256, got ${r.baseChannels}`);
  if (!Number.isInteger(r.depth) || r.depth < 1 || r.depth > 6) throw new RangeError(`U-Net depth must be an integer in 1…6, got ${r.depth}`);
  if (!Number.isInteger(r.contrastRadius) || r.contrastRadius < 0 || r.contrastRadius > 256) throw new RangeError(`U-Net contrastRadius must be an integer in 0…256, got ${r.contrastRadius}`);
  return r;
}

/**
 * The network input of an image at its own size: `[p·C + c]`, C = 3 (standardised lightness, a* and b* over 50) or 4
 * (and local contrast over a (2r+1)² box).
 */
export function unetInput(img: RgbImage, contrastRadius: number): Float32Array {
  const N = img.width * img.height;
  const lab = rgbToLab(img.data);
  let m = 0;
  for (let p = 0; p < N; p++) m += lab[p * 3]!;
  m /= Math.max(1, N);
  let v = 0;
  for (let p = 0; p < N; p++) v += (lab[p * 3]! - m) ** 2;
  // twice the standard deviation, so ±1 holds most pixels; a flat image keeps a unit scale
  const scale = Math.max(2 * Math.sqrt(v / Math.max(1, N)), 1);
  const C = contrastRadius > 0 ? 4 : 3;
  const out = new Float32Array(N * C);
  for (let p = 0; p < N; p++) {
    out[p * C] = (lab[p * 3]! - m) / scale;
    out[p * C + 1] = lab[p * 3 + 1]! / 50;
    out[p * C + 2] = lab[p * 3 + 2]! / 50;
  }
  if (C === 4) {
    const L = new Float32Array(N);
    const L2 = new Float32Array(N);
    for (let p = 0; p < N; p++) {
      L[p] = out[p * C]!;
      L2[p] = L[p]! * L[p]!;
    }
    const mean = boxMean(L, img.width, img.height, 1, contrastRadius, new Float32Array(N));
    const mean2 = boxMean(L2, img.width, img.height, 1, contrastRadius, new Float32Array(N));
    for (let p = 0; p < N; p++) {
      const sd = Math.sqrt(Math.max(0, mean2[p]! - mean[p]! * mean[p]!));
      // the floor keeps flat regions (and the dark surround of a field of view) from amplifying noise
      out[p * C + 3] = Math.max(-4, Math.min(4, (L[p]! - mean[p]!) / Math.max(sd, 0.05)));
    }
  }
  return out;
}

/** Mirror index into 0…n−1 (reflection without repeating the edge pixel; n = 1 gives 0). */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/** Copies the TW × TH window at (x0, y0) of a W × H, C-channel map (mirrored outside) into `dst`. */
function mirroredWindow(src: Float32Array, W: number, H: number, C: number, x0: number, y0: number, TW: number, TH: number, dst: Float32Array): void {
  for (let y = 0; y < TH; y++) {
    const sy = mirror(y0 + y, H);
    for (let x = 0; x < TW; x++) {
      const s = (sy * W + mirror(x0 + x, W)) * C;
      const d = (y * TW + x) * C;
      for (let c = 0; c < C; c++) dst[d + c] = src[s + c]!;
    }
  }
}

type Tensor = ReturnType<Tf['tensor']>;
type Variable = ReturnType<Tf['variable']>;

/** tfjs with the gradient kernels the wasm backend lacks registered (core's energy module does so on import). */
async function trainableTf(): Promise<Tf> {
  await import('@ebmkit/core/energy');
  return getTf();
}

/** A U-Net unary model: `logProbabilities(image)` gives log p(y_p = k | x) at the image's own size. */
export class UNet {
  readonly config: UNetSettings;
  readonly specs: readonly UNetConv[];
  /** Added to the network's log-probabilities (then renormalised): the shift from class-weighted training back to the prior. */
  logPriorShift: Float64Array;
  /** Overlap-tile prediction: largest tile side (px) and the context margin discarded on each side. */
  maxTile = 1024;
  margin = 32;
  /** Test-time augmentation: how many of the 8 flips/rotations `logProbabilities` averages over by default (1: none). */
  flips = 1;
  private readonly kernels: Variable[] = [];
  private readonly biases: Variable[] = [];

  private constructor(
    private readonly tf: Tf,
    config: UNetSettings,
    init: (spec: UNetConv, i: number) => { w: Float32Array; b: Float32Array },
  ) {
    this.config = config;
    this.specs = unetArchitecture(config);
    this.logPriorShift = new Float64Array(config.numLabels);
    this.specs.forEach((sp, i) => {
      const { w, b } = init(sp, i);
      this.kernels.push(tf.variable(tf.tensor4d(w, [sp.k, sp.k, sp.cin, sp.cout]), true));
      this.biases.push(tf.variable(tf.tensor1d(b), true));
    });
  }

  get numLabels(): number {
    return this.config.numLabels;
  }

  /** A network with fresh weights (He-normal kernels from `rng`, zero biases). */
  static async create(config: UNetConfig, rng: Rng): Promise<UNet> {
    const tf = await trainableTf();
    return new UNet(tf, resolveUNetConfig(config), (sp) => {
      const w = new Float32Array(sp.k * sp.k * sp.cin * sp.cout);
      const std = Math.sqrt(2 / (sp.k * sp.k * sp.cin));
      for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
      return { w, b: new Float32Array(sp.cout) };
    });
  }

  /** A network with the given weights (`weights()` order: kernel then bias of each convolution), validated. */
  static async fromWeights(config: UNetConfig, weights: readonly { shape: readonly number[]; data: Float32Array }[], logPriorShift?: ArrayLike<number>): Promise<UNet> {
    const r = resolveUNetConfig(config);
    const specs = unetArchitecture(r);
    if (weights.length !== 2 * specs.length) throw new RangeError(`U-Net expects ${2 * specs.length} weight tensors, got ${weights.length}`);
    specs.forEach((sp, i) => {
      const kw = weights[2 * i]!;
      const bw = weights[2 * i + 1]!;
      const ks = [sp.k, sp.k, sp.cin, sp.cout];
      if (kw.shape.join('x') !== ks.join('x') || kw.data.length !== ks.reduce((a, b) => a * b, 1)) throw new RangeError(`U-Net weight ${2 * i} (${sp.name} kernel) has shape [${kw.shape}], expected [${ks}]`);
      if (bw.shape.join('x') !== String(sp.cout) || bw.data.length !== sp.cout) throw new RangeError(`U-Net weight ${2 * i + 1} (${sp.name} bias) has shape [${bw.shape}], expected [${sp.cout}]`);
      for (const d of [kw.data, bw.data]) for (let j = 0; j < d.length; j++) if (!Number.isFinite(d[j]!)) throw new RangeError(`U-Net weights of ${sp.name} hold a non-finite value`);
    });
    if (logPriorShift && (logPriorShift.length !== r.numLabels || Array.from(logPriorShift).some((x) => !Number.isFinite(x)))) {
      throw new RangeError(`U-Net prior shift must hold ${r.numLabels} finite numbers`);
    }
    const tf = await trainableTf();
    const out = new UNet(tf, r, (_sp, i) => ({ w: weights[2 * i]!.data, b: weights[2 * i + 1]!.data }));
    if (logPriorShift) out.logPriorShift = Float64Array.from(logPriorShift);
    return out;
  }

  /** The weights as plain arrays (kernel then bias of each convolution). */
  weights(): { shape: number[]; data: Float32Array }[] {
    const out: { shape: number[]; data: Float32Array }[] = [];
    for (let i = 0; i < this.kernels.length; i++) {
      for (const v of [this.kernels[i]!, this.biases[i]!]) out.push({ shape: v.shape.slice(), data: Float32Array.from(v.dataSync() as Float32Array) });
    }
    return out;
  }

  /** Number of trainable parameters. */
  get parameterCount(): number {
    return this.kernels.reduce((a, v, i) => a + v.size + this.biases[i]!.size, 0);
  }

  private conv(i: number, x: Tensor, relu = true): Tensor {
    const tf = this.tf;
    const y = tf.add(tf.conv2d(x as Parameters<Tf['conv2d']>[0], this.kernels[i]! as Parameters<Tf['conv2d']>[1], 1, 'same'), this.biases[i]!);
    return relu ? tf.relu(y) : y;
  }

  /** Logits `[B, H, W, K]` of inputs `[B, H, W, C]` (H, W multiples of 2^depth). */
  forward(x: Tensor): Tensor {
    const tf = this.tf;
    const D = this.config.depth;
    const pool = (t: Tensor) => tf.maxPool(t as any, 2, 2, 'valid') as unknown as Tensor;
    const up = (t: Tensor) => tf.image.resizeNearestNeighbor(t as any, [t.shape[1]! * 2, t.shape[2]! * 2]) as unknown as Tensor;
    let i = 0;
    const skips: Tensor[] = [];
    let h = x;
    for (let d = 0; d < D; d++) {
      h = this.conv(i + 1, this.conv(i, h));
      i += 2;
      skips.push(h);
      h = pool(h);
    }
    h = this.conv(i + 1, this.conv(i, h));
    i += 2;
    for (let d = D - 1; d >= 0; d--) {
      h = this.conv(i + 1, this.conv(i, tf.concat([up(h), skips[d]!], 3)));
      i += 2;
    }
    return this.conv(i, h, false);
  }

  private variables(): Variable[] {
    const out: Variable[] = [];
    for (let i = 0; i < this.kernels.length; i++) out.push(this.kernels[i]!, this.biases[i]!);
    return out;
  }

  /**
   * Trains on images and label maps of the same sizes (IGNORE_LABEL pixels carry no loss). Returns the mean loss of
   * the last reporting interval.
   */
  async train(images: readonly RgbImage[], labels: readonly Uint8Array[], options: UNetTrainOptions): Promise<{ loss: number; steps: number }> {
    const tf = this.tf;
    const K = this.numLabels;
    const C = unetInputChannels(this.config);
    const n = images.length;
    const m = 1 << this.config.depth;
    if (n === 0) throw new RangeError('UNet.train: no images');
    if (labels.length !== n) throw new RangeError(`UNet.train: ${labels.length} label maps for ${n} images`);
    // default: 64 px, or the largest multiple of 2^depth that fits the images' shorter sides when they are smaller
    const side = Math.max(...images.map((im) => Math.min(im.width, im.height)));
    const P = options.patchSize ?? Math.max(m, Math.min(64, Math.floor(side / m) * m));
    if (!Number.isInteger(P) || P < m || P % m !== 0) throw new RangeError(`patchSize must be a positive multiple of ${m}, got ${options.patchSize}`);
    const B = options.batchSize ?? 8;
    if (!Number.isInteger(B) || B < 1) throw new RangeError(`batchSize must be a positive integer, got ${options.batchSize}`);
    const dice = options.dice ?? 0;
    if (dice > 0 && K !== 2) throw new RangeError(`the Dice term needs two classes, got ${K}`);
    // inputs and labels, padded (zeros / ignored) to at least P × P
    const counts = new Float64Array(K);
    const maps = images.map((img, i) => {
      const y = labels[i]!;
      if (y.length !== img.width * img.height) throw new RangeError(`UNet.train: label map ${i} has ${y.length} pixels, its image ${img.width}×${img.height}`);
      const W = Math.max(P, img.width);
      const H = Math.max(P, img.height);
      const x0 = unetInput(img, this.config.contrastRadius);
      const x = new Float32Array(W * H * C);
      const lab = new Uint8Array(W * H).fill(IGNORE_LABEL);
      for (let r = 0; r < img.height; r++) {
        x.set(x0.subarray(r * img.width * C, (r + 1) * img.width * C), r * W * C);
        for (let q = 0; q < img.width; q++) {
          const c = y[r * img.width + q]!;
          if (c < K) {
            lab[r * W + q] = c;
            counts[c]++;
          }
        }
      }
      return { W, H, x, lab };
    });
    const labelled = counts.reduce((a, c) => a + c, 0);
    if (labelled === 0) throw new RangeError('UNet.train: every training pixel is ignored');
    const cw = (options.classWeight ?? 'balanced') === 'balanced' ? balancedClassWeights(counts) : { weights: new Float64Array(K).fill(1), logPriorShift: new Float64Array(K) };
    const targets = maps.map(({ W, H, lab }) => {
      const oh = new Float32Array(W * H * K);
      const wt = new Float32Array(W * H);
      const on = new Float32Array(W * H);
      for (let p = 0; p < W * H; p++) {
        const c = lab[p]!;
        if (c === IGNORE_LABEL) continue;
        oh[p * K + c] = 1;
        wt[p] = cw.weights[c]!;
        on[p] = 1;
      }
      return { oh, wt, on };
    });
    const totalSteps = options.steps ?? Math.max(1, Math.ceil((4 * labelled) / (B * P * P)));
    const lr0 = options.learningRate ?? 2e-3;
    const opt = tf.train.adam(lr0);
    const setRate = (r: number) => ((opt as unknown as { learningRate: number }).learningRate = r);
    const rng = options.rng;
    const xb = new Float32Array(B * P * P * C);
    const yb = new Float32Array(B * P * P * K);
    const wb = new Float32Array(B * P * P);
    const mb = new Float32Array(B * P * P);
    const every = options.reportEvery ?? 50;
    let sum = 0;
    let done = 0;
    let last = NaN;
    let step = 0;
    const vars = this.variables();
    for (; step < totalSteps; step++) {
      const used = options.allotmentUsed?.() ?? 0;
      if (used >= 1) break;
      setRate(lr0 * Math.max(0.01, 1 - Math.max(step / totalSteps, used)));
      for (let j = 0; j < B; j++) {
        let i = 0;
        let ox = 0;
        let oy = 0;
        // a patch with at least one labelled pixel (its centre, then anywhere after a few tries)
        for (let tries = 0; tries < 20; tries++) {
          i = rng.int(n);
          const mp = maps[i]!;
          ox = rng.int(mp.W - P + 1);
          oy = rng.int(mp.H - P + 1);
          if (mp.lab[(oy + (P >> 1)) * mp.W + ox + (P >> 1)] !== IGNORE_LABEL) break;
        }
        const mp = maps[i]!;
        const t = rng.int(8);
        transformPatch(mp.x, mp.W, C, ox, oy, P, t, xb, j * P * P * C);
        transformPatch(targets[i]!.oh, mp.W, K, ox, oy, P, t, yb, j * P * P * K);
        transformPatch(targets[i]!.wt, mp.W, 1, ox, oy, P, t, wb, j * P * P);
        transformPatch(targets[i]!.on, mp.W, 1, ox, oy, P, t, mb, j * P * P);
      }
      let wsum = 0;
      for (let p = 0; p < wb.length; p++) wsum += wb[p]!;
      if (wsum > 0) {
        const loss = tf.tidy(() => {
          const x = tf.tensor4d(xb, [B, P, P, C]);
          const y = tf.tensor4d(yb, [B, P, P, K]);
          const w = tf.tensor3d(wb, [B, P, P]);
          const on = tf.tensor3d(mb, [B, P, P]);
          const l = opt.minimize(
            () => {
              const logits = this.forward(x);
              const logp = tf.logSoftmax(logits);
              const ce = tf.div(tf.sum(tf.mul(tf.neg(tf.sum(tf.mul(y, logp), -1)), w)), tf.scalar(wsum));
              if (dice <= 0) return ce as ReturnType<Tf['scalar']>;
              // soft Dice of class 1 over the labelled pixels of the batch
              const p1 = tf.mul(tf.exp(tf.squeeze(tf.slice(logp, [0, 0, 0, 1], [-1, -1, -1, 1]), [3])), on);
              const y1 = tf.squeeze(tf.slice(y, [0, 0, 0, 1], [-1, -1, -1, 1]), [3]);
              const inter = tf.sum(tf.mul(p1, y1));
              const d = tf.div(tf.add(tf.mul(inter, 2), 1), tf.add(tf.add(tf.sum(p1), tf.sum(y1)), 1));
              return tf.add(ce, tf.mul(tf.sub(1, d), dice)) as ReturnType<Tf['scalar']>;
            },
            true,
            vars,
          );
          return l!.dataSync()[0]!;
        });
        sum += loss;
        done++;
      }
      if ((step + 1) % every === 0 && done > 0) {
        last = sum / done;
        sum = 0;
        done = 0;
        if (options.onSteps?.(step + 1, totalSteps, last) === false) {
          step++;
          break;
        }
      }
    }
    if (done > 0) last = sum / done;
    opt.dispose();
    // with Dice in the loss the outputs are no longer class-weighted likelihoods: keep them as they are
    this.logPriorShift = dice > 0 ? new Float64Array(K) : cw.logPriorShift;
    return { loss: last, steps: step };
  }

  /**
   * log p(y_p = k | image) at the image's own size, `out[p·K + k]`, by overlap-tile prediction; with `flips` > 1 the
   * probabilities are averaged over that many of the 8 flips/rotations of the image (test-time augmentation: 1, 2, 4 or 8).
   */
  async logProbabilities(img: RgbImage, flips = this.flips): Promise<Float32Array> {
    if (!Number.isInteger(flips) || flips < 1 || flips > 8) throw new RangeError(`flips must be an integer in 1…8, got ${flips}`);
    const K = this.numLabels;
    const C = unetInputChannels(this.config);
    const W = img.width;
    const H = img.height;
    const input = unetInput(img, this.config.contrastRadius);
    let out: Float32Array;
    if (flips <= 1) out = this.tiled(input, W, H);
    else {
      out = new Float32Array(W * H * K);
      for (let t = 0; t < flips; t++) {
        // transformed image: bit 2 transposes, bit 0 mirrors x, bit 1 mirrors y (as transformPatch)
        const tr = (t & 4) !== 0;
        const TW = tr ? H : W;
        const TH = tr ? W : H;
        const src = (x: number, y: number): number => {
          let u = tr ? y : x;
          let v = tr ? x : y;
          if (t & 1) u = W - 1 - u;
          if (t & 2) v = H - 1 - v;
          return v * W + u;
        };
        const xin = new Float32Array(W * H * C);
        for (let y = 0; y < TH; y++) for (let x = 0; x < TW; x++) for (let c = 0, s = src(x, y) * C, d = (y * TW + x) * C; c < C; c++) xin[d + c] = input[s + c]!;
        const lp = this.tiled(xin, TW, TH);
        for (let y = 0; y < TH; y++) for (let x = 0; x < TW; x++) for (let k = 0, s = (y * TW + x) * K, d = src(x, y) * K; k < K; k++) out[d + k] += Math.exp(lp[s + k]!) / flips;
      }
      for (let i = 0; i < out.length; i++) out[i] = Math.log(Math.max(out[i]!, 1e-30));
    }
    // shift to the prior and renormalise
    const shift = this.logPriorShift;
    for (let o = 0; o < out.length; o += K) {
      let mx = -Infinity;
      for (let k = 0; k < K; k++) {
        out[o + k] += shift[k]!;
        if (out[o + k]! > mx) mx = out[o + k]!;
      }
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(out[o + k]! - mx);
      const lz = mx + Math.log(z);
      for (let k = 0; k < K; k++) out[o + k] -= lz;
    }
    return out;
  }

  /** The network's log-probabilities of a W × H input map by overlap-tile prediction. */
  private tiled(input: Float32Array, W: number, H: number): Float32Array {
    const tf = this.tf;
    const K = this.numLabels;
    const C = unetInputChannels(this.config);
    const m = 1 << this.config.depth;
    const M = this.margin;
    const roundUp = (v: number) => Math.ceil(v / m) * m;
    // tile sides: the whole image (plus margins) when it fits in maxTile, else maxTile
    const TW = Math.min(roundUp(W + 2 * M), Math.max(roundUp(this.maxTile), roundUp(2 * M + m)));
    const TH = Math.min(roundUp(H + 2 * M), Math.max(roundUp(this.maxTile), roundUp(2 * M + m)));
    const CW = TW - 2 * M;
    const CH = TH - 2 * M;
    const win = new Float32Array(TW * TH * C);
    const out = new Float32Array(W * H * K);
    for (let ty = 0; ty < H; ty += CH) {
      for (let tx = 0; tx < W; tx += CW) {
        mirroredWindow(input, W, H, C, tx - M, ty - M, TW, TH, win);
        const logp = tf.tidy(() => tf.logSoftmax(this.forward(tf.tensor4d(win, [1, TH, TW, C]))).dataSync() as Float32Array);
        for (let y = 0; y < CH && ty + y < H; y++) {
          for (let x = 0; x < CW && tx + x < W; x++) {
            const s = ((y + M) * TW + x + M) * K;
            const d = ((ty + y) * W + tx + x) * K;
            for (let k = 0; k < K; k++) out[d + k] = logp[s + k]!;
          }
        }
      }
    }
    return out;
  }

  /** Frees the network's tensors. */
  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
