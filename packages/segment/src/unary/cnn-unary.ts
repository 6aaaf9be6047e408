/**
 * A small convolutional encoder–decoder (a U-Net in miniature) as the unary term: the image, resized to a fixed
 * S × S input with L*a*b* and two coordinate channels (so the network can learn where objects tend to be), goes
 * through three 2× down-sampling stages and back up with skip connections to per-pixel class logits. Trained by
 * per-pixel softmax cross-entropy (ignored pixels masked out) with Adam and random horizontal flips — small enough
 * for a CPU to train on a few hundred images at 64 × 64.
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
}

const IN_CHANNELS = 5;

/** The network input for one image: `[S·S·5]` (Lab scaled to about [−1, 1], and x, y in [−1, 1]). */
export function cnnInput(img: RgbImage, S: number): Float32Array {
  const lab = rgbToLab(img.data);
  const small = resampleChannels(lab, img.width, img.height, 3, S, S);
  const out = new Float32Array(S * S * IN_CHANNELS);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const p = y * S + x;
      out[p * 5] = (small[p * 3]! - 50) / 50;
      out[p * 5 + 1] = small[p * 3 + 1]! / 50;
      out[p * 5 + 2] = small[p * 3 + 2]! / 50;
      out[p * 5 + 3] = ((x + 0.5) / S) * 2 - 1;
      out[p * 5 + 4] = ((y + 0.5) / S) * 2 - 1;
    }
  }
  return out;
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

  private constructor(
    private readonly tf: Tf,
    private readonly net: Network,
    config: Required<CnnConfig>,
  ) {
    this.numLabels = config.numLabels;
    this.inputSize = config.inputSize;
    this.baseChannels = config.baseChannels;
  }

  private static resolve(config: CnnConfig): Required<CnnConfig> {
    const r = { numLabels: config.numLabels, inputSize: config.inputSize ?? 64, baseChannels: config.baseChannels ?? 16 };
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
  static async fromWeights(config: CnnConfig, weights: readonly { shape: number[]; data: Float32Array }[]): Promise<CnnUnary> {
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
    let i = 0;
    const net = new Network(tf, specs, () => ({ w: weights[i++]!.data, b: weights[i++]!.data }));
    return new CnnUnary(tf, net, r);
  }

  /** The weights as plain arrays (for model files): kernel then bias of each layer. */
  weights(): { shape: number[]; data: Float32Array }[] {
    return this.net.variables().map((t) => ({ shape: t.shape.slice(), data: Float32Array.from(t.dataSync() as Float32Array) }));
  }

  /** Number of trainable parameters. */
  get parameterCount(): number {
    return this.net.variables().reduce((a, v) => a + v.size, 0);
  }

  /**
   * Trains on images and label maps (any sizes; both are resized to the network input, labels by nearest
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
    const inputs = images.map((img) => cnnInput(img, S));
    const targets = labels.map((y, i) => {
      const img = images[i]!;
      if (y.length !== img.width * img.height) throw new RangeError(`label map ${i} has ${y.length} pixels, its image ${img.width}×${img.height}`);
      const small = resizeLabels(y, img.width, img.height, S, S);
      const oh = new Float32Array(S * S * K);
      const mask = new Float32Array(S * S);
      for (let p = 0; p < S * S; p++) {
        const l = small[p]!;
        if (l === IGNORE_LABEL || l >= K) continue;
        oh[p * K + l] = 1;
        mask[p] = 1;
      }
      return { oh, mask };
    });
    const epochs = options.epochs ?? 40;
    const batch = Math.min(options.batchSize ?? 8, n);
    const opt = tf.train.adam(options.learningRate ?? 2e-3);
    const rng = options.rng;
    const order = Array.from({ length: n }, (_, i) => i);
    const flipRow = (src: Float32Array, ch: number, dst: Float32Array, o: number, flip: boolean, negateX: number) => {
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          const sx = flip ? S - 1 - x : x;
          for (let c = 0; c < ch; c++) dst[o + (y * S + x) * ch + c] = src[(y * S + sx) * ch + c]! * (flip && c === negateX ? -1 : 1);
        }
      }
    };
    let last = NaN;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      rng.shuffle(order);
      let sum = 0;
      let batches = 0;
      for (let b0 = 0; b0 < n; b0 += batch) {
        const idx = order.slice(b0, b0 + batch);
        const B = idx.length;
        const xb = new Float32Array(B * S * S * IN_CHANNELS);
        const yb = new Float32Array(B * S * S * K);
        const mb = new Float32Array(B * S * S);
        idx.forEach((i, j) => {
          const flip = rng.uniform() < 0.5;
          flipRow(inputs[i]!, IN_CHANNELS, xb, j * S * S * IN_CHANNELS, flip, 3);
          flipRow(targets[i]!.oh, K, yb, j * S * S * K, flip, -1);
          flipRow(targets[i]!.mask, 1, mb, j * S * S, flip, -1);
        });
        const loss = tf.tidy(() => {
          const x = tf.tensor4d(xb, [B, S, S, IN_CHANNELS]);
          const y = tf.tensor4d(yb, [B, S, S, K]);
          const m = tf.tensor3d(mb, [B, S, S]);
          const total = tf.scalar(Math.max(1, mb.reduce((a, v) => a + v, 0)));
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
        batches++;
      }
      last = sum / batches;
      if (options.onEpoch?.(epoch, last) === false) break;
    }
    opt.dispose();
    return last;
  }

  /** log p(y_p = k | image) at the image's own size: `out[p·K + k]`. */
  async logProbabilities(img: RgbImage): Promise<Float32Array> {
    const tf = this.tf;
    const S = this.inputSize;
    const K = this.numLabels;
    const input = cnnInput(img, S);
    const logp = tf.tidy(() => {
      const x = tf.tensor4d(input, [1, S, S, IN_CHANNELS]);
      return tf.logSoftmax(this.net.forward(x)).dataSync() as Float32Array;
    });
    // interpolate log-probabilities to the image size, then renormalise
    const big = resampleChannels(logp, S, S, K, img.width, img.height);
    for (let p = 0; p < img.width * img.height; p++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (big[p * K + k]! > max) max = big[p * K + k]!;
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
