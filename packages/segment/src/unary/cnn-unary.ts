/**
 * A small convolutional encoder–decoder (a U-Net in miniature) as the unary term: the image, resized to an S × S
 * input with L*a*b* (lightness optionally standardised per image) and two coordinate channels (so the network can
 * learn where objects tend to be; zero in patch mode), goes through three 2× down-sampling stages and back up with
 * skip connections to per-pixel class logits. Fully convolutional: any S that is a multiple of 8.
 *
 * Training: per-pixel softmax cross-entropy (ignored pixels masked out, classes optionally weighted to balance, the
 * learned log-probabilities then shifted back to the training prior) with Adam, on P × P patches cut at random from
 * the S × S inputs when S > P (so a large S — thin structures at full resolution — trains on a few images), whole
 * inputs otherwise; augmented by horizontal flips, or all eight flips/rotations of the square ('dihedral', for
 * patch mode where content has no up or left). Small enough for a CPU to train on a few hundred images at 64 × 64
 * or a few dozen at full resolution; `shouldStop` lets a caller bound the time it takes.
 *
 * tfjs is never imported statically: the namespace comes from core's `getTf()` when a network is built, so
 * importing `@ebmkit/segment` does not load tfjs. Weights travel as plain Float32Arrays (model files).
 */
import { type RgbImage, type Rng } from '@ebmkit/core';
import { getTf, type Tf } from '@ebmkit/core/backend';
import { rgbToLab } from './color.js';
import { IGNORE_LABEL } from '../grid/labels.js';
import { resampleChannels, resizeLabels } from '../data/resize.js';

/** Architecture of the CNN unary. */
export interface CnnConfig {
  numLabels: number;
  /** Side of the square network input (default 64; a multiple of 8). */
  inputSize?: number;
  /** Channels of the first stage (default 16; doubled at each of the next two). */
  baseChannels?: number;
  /** Standardise lightness per image (mean 0, unit spread) instead of a fixed scale (default false: older files). */
  normalise?: boolean;
  /** Feed the pixel's position in the image as two channels (default true); false gives zeros there. */
  coordinates?: boolean;
}

/** Options of `CnnUnary.train`. */
export interface CnnTrainOptions {
  /** Passes over the training images (default 40). */
  epochs?: number;
  /** Images per step (default 8). */
  batchSize?: number;
  /** Adam learning rate (default 2e-3). */
  learningRate?: number;
  /** Randomness for initialisation, shuffling and flips. */
  rng: Rng;
  /** Called after each epoch with (epoch, mean loss); return false to stop. */
  onEpoch?: (epoch: number, loss: number) => boolean | void;
  /**
   * Side of the square training patches (default 64; a multiple of 8). Inputs no larger are used whole; larger ones
   * give random P × P patches, and an epoch is as many patches as cover the labelled pixels once.
   */
  patchSize?: number;
  /** 'hflip' (default): random horizontal flips; 'dihedral': a random one of the 8 flips/rotations of the square. */
  augment?: 'hflip' | 'dihedral';
  /** 'balanced': weight each class inversely to its labelled frequency (then map back to the prior); default 'none'. */
  classWeight?: 'balanced' | 'none';
  /**
   * Share of a time allotment spent so far, checked after every step: training stops when it reaches 1, and the
   * learning-rate schedule counts it as progress (so a bounded run still ends with a small step size).
   */
  allotmentUsed?: () => number;
  /** 'linear' (default): the learning rate falls linearly to 0 over the run (epochs or allotment, whichever ends first); 'constant'. */
  schedule?: 'linear' | 'constant';
  /**
   * Checkpoints: after the step at which the run's progress (the larger of the epochs' and the allotment's share
   * done) first reaches `first` (default `every`) and then each multiple of `every`, `at(progress)` is awaited;
   * false stops training there.
   */
  checkpoint?: { first?: number; every: number; at: (progress: number) => Promise<boolean> };
}

const IN_CHANNELS = 5;

/**
 * The network input for one image: `[S·S·5]` — Lab scaled to about [−1, 1] (with `normalise`, lightness minus the
 * image's mean over twice its standard deviation), and x, y in [−1, 1] (zeros without `coordinates`).
 */
export function cnnInput(img: RgbImage, S: number, options: { normalise?: boolean; coordinates?: boolean } = {}): Float32Array {
  const lab = rgbToLab(img.data);
  const small = resampleChannels(lab, img.width, img.height, 3, S, S);
  const N = S * S;
  let lMean = 50;
  let lScale = 50;
  if (options.normalise) {
    let m = 0;
    for (let p = 0; p < N; p++) m += small[p * 3]!;
    m /= N;
    let v = 0;
    for (let p = 0; p < N; p++) v += (small[p * 3]! - m) ** 2;
    lMean = m;
    // twice the standard deviation, so ±1 holds most pixels; a flat image keeps a unit scale rather than dividing by 0
    lScale = Math.max(2 * Math.sqrt(v / N), 1);
  }
  const coords = options.coordinates ?? true;
  const out = new Float32Array(N * IN_CHANNELS);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const p = y * S + x;
      out[p * 5] = (small[p * 3]! - lMean) / lScale;
      out[p * 5 + 1] = small[p * 3 + 1]! / 50;
      out[p * 5 + 2] = small[p * 3 + 2]! / 50;
      out[p * 5 + 3] = coords ? ((x + 0.5) / S) * 2 - 1 : 0;
      out[p * 5 + 4] = coords ? ((y + 0.5) / S) * 2 - 1 : 0;
    }
  }
  return out;
}

/**
 * Copies the P × P window at (ox, oy) of an S-wide, `ch`-interleaved map into `dst` at offset `o`, transformed by
 * `t` ∈ 0…7, one of the 8 symmetries of the square: bit 2 transposes, then bit 0 mirrors x and bit 1 mirrors y.
 * Image, labels and weights cut with the same (ox, oy, t) stay aligned. With `negateX` ≥ 0 that channel is negated
 * when x is mirrored (the x-coordinate channel under a horizontal flip).
 */
export function transformPatch(src: Float32Array, S: number, ch: number, ox: number, oy: number, P: number, t: number, dst: Float32Array, o: number, negateX = -1): void {
  const transpose = (t & 4) !== 0;
  const fx = (t & 1) !== 0;
  const fy = (t & 2) !== 0;
  for (let y = 0; y < P; y++) {
    for (let x = 0; x < P; x++) {
      let u = transpose ? y : x;
      let v = transpose ? x : y;
      if (fx) u = P - 1 - u;
      if (fy) v = P - 1 - v;
      const s = ((oy + v) * S + ox + u) * ch;
      const d = o + (y * P + x) * ch;
      for (let c = 0; c < ch; c++) dst[d + c] = src[s + c]!;
      if (negateX >= 0 && fx) dst[d + negateX] = -dst[d + negateX]!;
    }
  }
}

/**
 * Balanced class weights n / (K'·n_k) over the classes present (K' of them; absent classes 0) from labelled-pixel
 * counts, and the log-prior shift log(1 / w_k) that maps probabilities learned under those weights back to the
 * training prior (p_k ∝ p̃_k / w_k).
 */
export function balancedClassWeights(counts: ArrayLike<number>): { weights: Float64Array; logPriorShift: Float64Array } {
  const K = counts.length;
  let n = 0;
  let present = 0;
  for (let k = 0; k < K; k++) {
    n += counts[k]!;
    if (counts[k]! > 0) present++;
  }
  const weights = new Float64Array(K);
  const logPriorShift = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    weights[k] = counts[k]! > 0 ? n / (present * counts[k]!) : 0;
    logPriorShift[k] = counts[k]! > 0 ? -Math.log(weights[k]!) : 0;
  }
  return { weights, logPriorShift };
}

type Tensor = ReturnType<Tf['tensor']>;
type Variable = ReturnType<Tf['variable']>;

/** One convolution of the network: kernel size, input and output channels. */
interface ConvSpec {
  name: string;
  k: number;
  cin: number;
  cout: number;
}

/** The layers of the encoder–decoder for base width c, K classes. */
function architecture(c: number, K: number): ConvSpec[] {
  return [
    { name: 'e1a', k: 3, cin: IN_CHANNELS, cout: c },
    { name: 'e1b', k: 3, cin: c, cout: c },
    { name: 'e2a', k: 3, cin: c, cout: 2 * c },
    { name: 'e2b', k: 3, cin: 2 * c, cout: 2 * c },
    { name: 'e3a', k: 3, cin: 2 * c, cout: 4 * c },
    { name: 'e3b', k: 3, cin: 4 * c, cout: 4 * c },
    { name: 'mid', k: 3, cin: 4 * c, cout: 4 * c },
    { name: 'd3', k: 3, cin: 8 * c, cout: 4 * c },
    { name: 'd2', k: 3, cin: 6 * c, cout: 2 * c },
    { name: 'd1', k: 3, cin: 3 * c, cout: c },
    { name: 'logits', k: 1, cin: c, cout: K },
  ];
}

/**
 * tfjs with the gradient kernels the wasm backend lacks (Conv2DBackpropFilter among them) registered: core's energy
 * module registers them when it is first imported, so the network trains on every backend.
 */
async function trainableTf(): Promise<Tf> {
  await import('@ebmkit/core/energy');
  return getTf();
}

/** The network's parameters as tfjs variables, and its forward pass. */
class Network {
  readonly kernels: Variable[] = [];
  readonly biases: Variable[] = [];

  constructor(
    private readonly tf: Tf,
    readonly specs: ConvSpec[],
    init: (spec: ConvSpec) => { w: Float32Array; b: Float32Array },
  ) {
    for (const sp of specs) {
      const { w, b } = init(sp);
      this.kernels.push(tf.variable(tf.tensor4d(w, [sp.k, sp.k, sp.cin, sp.cout]), true));
      this.biases.push(tf.variable(tf.tensor1d(b), true));
    }
  }

  private layer(i: number, x: Tensor, relu = true): Tensor {
    const tf = this.tf;
    const y = tf.add(tf.conv2d(x as Parameters<Tf['conv2d']>[0], this.kernels[i]! as Parameters<Tf['conv2d']>[1], 1, 'same'), this.biases[i]!);
    return relu ? tf.relu(y) : y;
  }

  /** Logits `[B, S, S, K]` of inputs `[B, S, S, 5]`. */
  forward(x: Tensor): Tensor {
    const tf = this.tf;
    const pool = (t: Tensor) => tf.maxPool(t as any, 2, 2, 'valid') as unknown as Tensor;
    const up = (t: Tensor) => tf.image.resizeNearestNeighbor(t as any, [t.shape[1]! * 2, t.shape[2]! * 2]) as unknown as Tensor;
    const s1 = this.layer(1, this.layer(0, x));
    const s2 = this.layer(3, this.layer(2, pool(s1)));
    const s3 = this.layer(5, this.layer(4, pool(s2)));
    const m = this.layer(6, pool(s3));
    const d3 = this.layer(7, tf.concat([up(m), s3], 3));
    const d2 = this.layer(8, tf.concat([up(d3), s2], 3));
    const d1 = this.layer(9, tf.concat([up(d2), s1], 3));
    return this.layer(10, d1, false);
  }

  variables(): Variable[] {
    const out: Variable[] = [];
    for (let i = 0; i < this.kernels.length; i++) out.push(this.kernels[i]!, this.biases[i]!);
    return out;
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

/** A CNN unary model: `logProbabilities(image)` gives log p(y_p = k | x) at the image's own size. */
export class CnnUnary {
  readonly numLabels: number;
  readonly inputSize: number;
  readonly baseChannels: number;
  readonly normalise: boolean;
  readonly coordinates: boolean;
  /** Added to the network's log-probabilities (then renormalised): the shift back from class-weighted training to the prior. */
  logPriorShift: Float64Array;

  private constructor(
    private readonly tf: Tf,
    private readonly net: Network,
    config: Required<CnnConfig>,
  ) {
    this.numLabels = config.numLabels;
    this.inputSize = config.inputSize;
    this.baseChannels = config.baseChannels;
    this.normalise = config.normalise;
    this.coordinates = config.coordinates;
    this.logPriorShift = new Float64Array(config.numLabels);
  }

  private static resolve(config: CnnConfig): Required<CnnConfig> {
    const r = { numLabels: config.numLabels, inputSize: config.inputSize ?? 64, baseChannels: config.baseChannels ?? 16, normalise: config.normalise ?? false, coordinates: config.coordinates ?? true };
    if (!Number.isInteger(r.numLabels) || r.numLabels < 2) throw new RangeError(`numLabels must be an integer ≥ 2, got ${r.numLabels}`);
    if (!Number.isInteger(r.inputSize) || r.inputSize < 8 || r.inputSize % 8 !== 0) throw new RangeError(`inputSize must be a multiple of 8, got ${r.inputSize}`);
    if (!Number.isInteger(r.baseChannels) || r.baseChannels < 1) throw new RangeError(`baseChannels must be a positive integer, got ${r.baseChannels}`);
    return r;
  }

  /** A network with fresh weights (He-normal kernels drawn from `rng`, zero biases). */
  static async create(config: CnnConfig, rng: Rng): Promise<CnnUnary> {
    const tf = await trainableTf();
    const r = CnnUnary.resolve(config);
    const net = new Network(tf, architecture(r.baseChannels, r.numLabels), (sp) => {
      const w = new Float32Array(sp.k * sp.k * sp.cin * sp.cout);
      const std = Math.sqrt(2 / (sp.k * sp.k * sp.cin));
      for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
      return { w, b: new Float32Array(sp.cout) };
    });
    return new CnnUnary(tf, net, r);
  }

  /** A network with the given weights (in `weights()` order: kernel then bias of each layer). */
  static async fromWeights(config: CnnConfig, weights: readonly { shape: number[]; data: Float32Array }[], logPriorShift?: ArrayLike<number>): Promise<CnnUnary> {
    const tf = await trainableTf();
    const r = CnnUnary.resolve(config);
    const specs = architecture(r.baseChannels, r.numLabels);
    if (weights.length !== 2 * specs.length) throw new RangeError(`CNN expects ${2 * specs.length} weight tensors, got ${weights.length}`);
    specs.forEach((sp, i) => {
      const kw = weights[2 * i]!;
      const bw = weights[2 * i + 1]!;
      const ks = [sp.k, sp.k, sp.cin, sp.cout];
      if (kw.shape.join('x') !== ks.join('x')) throw new RangeError(`CNN weight ${2 * i} (${sp.name} kernel) has shape [${kw.shape}], expected [${ks}]`);
      if (bw.shape.join('x') !== String(sp.cout)) throw new RangeError(`CNN weight ${2 * i + 1} (${sp.name} bias) has shape [${bw.shape}], expected [${sp.cout}]`);
    });
    if (logPriorShift && logPriorShift.length !== r.numLabels) throw new RangeError(`CNN prior shift has ${logPriorShift.length} classes, expected ${r.numLabels}`);
    let i = 0;
    const net = new Network(tf, specs, () => ({ w: weights[i++]!.data, b: weights[i++]!.data }));
    const out = new CnnUnary(tf, net, r);
    if (logPriorShift) out.logPriorShift = Float64Array.from(logPriorShift);
    return out;
  }

  /** The weights as plain arrays (for model files): kernel then bias of each layer. */
  weights(): { shape: number[]; data: Float32Array }[] {
    return this.net.variables().map((t) => ({ shape: t.shape.slice(), data: Float32Array.from(t.dataSync() as Float32Array) }));
  }

  /** Number of trainable parameters. */
  get parameterCount(): number {
    return this.net.variables().reduce((a, v) => a + v.size, 0);
  }

  private input(img: RgbImage): Float32Array {
    return cnnInput(img, this.inputSize, { normalise: this.normalise, coordinates: this.coordinates });
  }

  /**
   * Trains on images and label maps (any sizes; both are resized to the S × S network input, labels by nearest
   * neighbour). Returns the mean loss of the last epoch.
   *
   * Runs on any backend, wasm included (the convolution's gradients are written with kernels wasm has).
   */
  async train(images: readonly RgbImage[], labels: readonly Uint8Array[], options: CnnTrainOptions): Promise<number> {
    const tf = this.tf;
    const S = this.inputSize;
    const K = this.numLabels;
    const n = images.length;
    if (n === 0) throw new RangeError('CnnUnary.train: no images');
    if (labels.length !== n) throw new RangeError(`${labels.length} label maps for ${n} images`);
    const P = Math.min(S, options.patchSize ?? 64);
    if (!Number.isInteger(P) || P < 8 || P % 8 !== 0) throw new RangeError(`patchSize must be a multiple of 8, got ${options.patchSize}`);
    const inputs = images.map((img) => this.input(img));
    const counts = new Float64Array(K);
    const small = labels.map((y, i) => {
      const img = images[i]!;
      if (y.length !== img.width * img.height) throw new RangeError(`label map ${i} has ${y.length} pixels, its image ${img.width}×${img.height}`);
      const l = resizeLabels(y, img.width, img.height, S, S);
      for (let p = 0; p < S * S; p++) if (l[p]! < K) counts[l[p]!]++;
      return l;
    });
    const labelled = counts.reduce((a, c) => a + c, 0);
    if (labelled === 0) throw new RangeError('CnnUnary.train: every training pixel is ignored');
    const balanced = (options.classWeight ?? 'none') === 'balanced';
    const cw = balanced ? balancedClassWeights(counts) : { weights: new Float64Array(K).fill(1), logPriorShift: new Float64Array(K) };
    // per pixel: one-hot target and the pixel's weight (0 for ignored pixels)
    const targets = small.map((l) => {
      const oh = new Float32Array(S * S * K);
      const wt = new Float32Array(S * S);
      for (let p = 0; p < S * S; p++) {
        const c = l[p]!;
        if (c === IGNORE_LABEL || c >= K) continue;
        oh[p * K + c] = 1;
        wt[p] = cw.weights[c]!;
      }
      return { oh, wt };
    });
    const epochs = options.epochs ?? 40;
    const B = Math.min(options.batchSize ?? 8, n);
    const lr0 = options.learningRate ?? 2e-3;
    const opt = tf.train.adam(lr0);
    // tfjs's Adam reads its learningRate field at every step: the schedule sets it
    const setRate = (r: number) => ((opt as unknown as { learningRate: number }).learningRate = r);
    const decay = (options.schedule ?? 'linear') === 'linear';
    const rng = options.rng;
    const dihedral = options.augment === 'dihedral';
    const xIdx = this.coordinates ? 3 : -1;
    // whole inputs: an epoch visits every image once; patches: as many as cover the labelled pixels once
    const steps = P === S ? Math.ceil(n / B) : Math.max(1, Math.ceil(labelled / (B * P * P)));
    const order = Array.from({ length: n }, (_, i) => i);
    let cursor = n;
    const nextImage = (): number => {
      if (cursor >= n) {
        rng.shuffle(order);
        cursor = 0;
      }
      return order[cursor++]!;
    };
    const xb = new Float32Array(B * P * P * IN_CHANNELS);
    const yb = new Float32Array(B * P * P * K);
    const wb = new Float32Array(B * P * P);
    let last = NaN;
    let stop = false;
    const every = options.checkpoint?.every ?? Infinity;
    if (!(every > 0)) throw new RangeError(`checkpoint.every must be > 0, got ${every}`);
    let nextCheck = options.checkpoint?.first ?? every;
    for (let epoch = 1; epoch <= epochs && !stop; epoch++) {
      let sum = 0;
      let done = 0;
      for (let step = 0; step < steps; step++) {
        const used = options.allotmentUsed?.() ?? 0;
        if (decay) setRate(lr0 * Math.max(0.02, 1 - Math.max((epoch - 1 + step / steps) / epochs, used)));
        for (let j = 0; j < B; j++) {
          const i = nextImage();
          const ox = P === S ? 0 : rng.int(S - P + 1);
          const oy = P === S ? 0 : rng.int(S - P + 1);
          const t = dihedral ? rng.int(8) : rng.uniform() < 0.5 ? 1 : 0;
          transformPatch(inputs[i]!, S, IN_CHANNELS, ox, oy, P, t, xb, j * P * P * IN_CHANNELS, xIdx);
          transformPatch(targets[i]!.oh, S, K, ox, oy, P, t, yb, j * P * P * K);
          transformPatch(targets[i]!.wt, S, 1, ox, oy, P, t, wb, j * P * P);
        }
        let wsum = 0;
        for (let p = 0; p < wb.length; p++) wsum += wb[p]!;
        if (wsum > 0) {
          const loss = tf.tidy(() => {
            const x = tf.tensor4d(xb, [B, P, P, IN_CHANNELS]);
            const y = tf.tensor4d(yb, [B, P, P, K]);
            const m = tf.tensor3d(wb, [B, P, P]);
            const total = tf.scalar(wsum);
            const l = opt.minimize(
              () => {
                const logp = tf.logSoftmax(this.net.forward(x));
                const ce = tf.neg(tf.sum(tf.mul(y, logp), -1));
                return tf.div(tf.sum(tf.mul(ce, m)), total) as ReturnType<Tf['scalar']>;
              },
              true,
              this.net.variables(),
            );
            return l!.dataSync()[0]!;
          });
          sum += loss;
          done++;
        }
        const usedNow = options.allotmentUsed?.() ?? 0;
        if (usedNow >= 1) {
          stop = true;
          break;
        }
        const progress = Math.max((epoch - 1 + (step + 1) / steps) / epochs, usedNow);
        if (progress >= nextCheck && progress < 1) {
          while (nextCheck <= progress) nextCheck = (Math.floor(nextCheck / every + 1e-9) + 1) * every;
          if ((await options.checkpoint!.at(progress)) === false) {
            stop = true;
            break;
          }
        }
      }
      if (done > 0) last = sum / done;
      if (options.onEpoch?.(epoch, last) === false) break;
    }
    opt.dispose();
    this.logPriorShift = cw.logPriorShift;
    return last;
  }

  /** log p(y_p = k | image) at the image's own size: `out[p·K + k]`. */
  async logProbabilities(img: RgbImage): Promise<Float32Array> {
    const tf = this.tf;
    const S = this.inputSize;
    const K = this.numLabels;
    const input = this.input(img);
    const logp = tf.tidy(() => {
      const x = tf.tensor4d(input, [1, S, S, IN_CHANNELS]);
      return tf.logSoftmax(this.net.forward(x)).dataSync() as Float32Array;
    });
    // interpolate log-probabilities to the image size, shift to the prior, then renormalise
    const big = resampleChannels(logp, S, S, K, img.width, img.height);
    const shift = this.logPriorShift;
    for (let p = 0; p < img.width * img.height; p++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        big[p * K + k] += shift[k]!;
        if (big[p * K + k]! > max) max = big[p * K + k]!;
      }
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(big[p * K + k]! - max);
      const lz = max + Math.log(z);
      for (let k = 0; k < K; k++) big[p * K + k] -= lz;
    }
    return big;
  }

  /** Frees the network's tensors. */
  dispose(): void {
    this.net.dispose();
  }
}
