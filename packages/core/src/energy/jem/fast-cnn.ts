/**
 * Hand-derived forward and backward passes of a JEM classifier on tfjs's wasm backend, for the two computations
 * JEM training repeats: ∇ₓE(x) at every SGLD step, and the gradient of the joint loss at every update. Matrix
 * products run on XNNPACK through tfjs kernels; 3 × 3 convolutions over ≥ 32 channels by Winograd F(2 × 2, 3 × 3)
 * (transforms in wasm/tensor-glue.wat, the 16 products on XNNPACK), others on XNNPACK; filter gradients through
 * conv-gradients.ts; the input gradient behind a 2 × 2 pooling, over ≥ 4 input channels, from the pooled gradient
 * alone (a quarter of the dense transposed convolution's work: only arg-maxes carry gradient). The element-wise
 * glue — bias, Swish, 2 × 2 max-pooling keeping its arg-max, and their backward passes — runs in fused WebAssembly
 * SIMD kernels (wasm/tensor-glue.wat) on the tensors in place. Compared with tfjs autodiff over plain ops this saves
 * the tape, the separate element-wise passes (Swish's backward pass alone is five), the pooling's search for the
 * maximum in the backward pass, and the transposes of the dense weights across an SGLD chain (cached per chain, with
 * the Winograd filter transforms). Autodiff over `plainForward` stays the reference: the tests compare both, and
 * other backends, layers or activations use it.
 *
 * Supported: Sequential models of Conv2D (stride 1, no dilation, NHWC, filters a multiple of 4, bias, linear or
 * Swish), each optionally followed by MaxPooling2D 2 × 2 / stride 2 on even sizes, Flatten, and Dense (bias, linear
 * or Swish, Swish widths a multiple of 4) — the architectures `buildJemClassifier` makes. `EBM_JEM_KERNELS=js`
 * turns the fast path off.
 */
import * as tf from '../tf.js';
import { heapOffset as ptr, tensorGlue, type TensorInfo, type WasmBackendInternals as WasmBackend } from '../wasm/tensor-glue.js';

/** Activation codes of the glue kernels. */
const LINEAR = 0;
const SWISH = 1;

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: WasmBackend; attrs: Record<string, unknown> };

function glue(backend: WasmBackend) {
  const g = tensorGlue(backend);
  if (!g) throw new Error('JEM fast path: needs the wasm backend with WebAssembly SIMD');
  return g;
}

const KERNELS = {
  biasAct: 'EbmBiasAct',
  biasActPool2: 'EbmBiasActPool2',
  unpool2Mul: 'EbmUnpool2Mul',
  pool2ConvBackInput: 'EbmPool2ConvBackInput',
  winogradConv3x3: 'EbmWinogradConv3x3',
} as const;

/**
 * A stride-1 KH × KW convolution of an IH × IW input: output (y, x) reads input (y + kh − top, x + kw − left); its
 * output size OH × OW (TensorFlow's 'same' and 'valid').
 */
function convGeometry(pad: unknown, KH: number, KW: number, IH: number, IW: number): { top: number; left: number; OH: number; OW: number } {
  return pad === 'same' ? { top: (KH - 1) >> 1, left: (KW - 1) >> 1, OH: IH, OW: IW } : { top: 0, left: 0, OH: IH - KH + 1, OW: IW - KW + 1 };
}

/** The backend's memory (views detach when it grows: take them after the last allocation). */
function heapBuffer(backend: WasmBackend): ArrayBuffer {
  return (backend.wasm.asm.memory as { buffer: ArrayBuffer }).buffer;
}

/** Writes the byte offsets of `ts` into an int32 table on the heap (freed by the caller). */
function pointerTable(backend: WasmBackend, ts: TensorInfo[]): TensorInfo {
  const tab = backend.makeOutput([ts.length], 'int32');
  new Int32Array(heapBuffer(backend), ptr(backend, tab), ts.length).set(ts.map((t) => ptr(backend, t)));
  return tab;
}

/** Registers the glue kernels with the wasm backend (on import; no-op for names already registered). */
function registerGlueKernels(): void {
  if (tf.getKernel(KERNELS.biasAct, 'wasm')) return;
  tf.registerKernel({
    kernelName: KERNELS.biasAct,
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend, attrs }: KernelArgs) => {
      const { z, bias } = inputs as { z: TensorInfo; bias: TensorInfo };
      const [rows, C] = z.shape as [number, number];
      const a = backend.makeOutput(z.shape, 'float32');
      const d = backend.makeOutput(z.shape, 'float32');
      glue(backend).biasAct(ptr(backend, z), ptr(backend, bias), rows, C, attrs['act'] as number, ptr(backend, a), ptr(backend, d));
      return [a, d];
    }) as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: KERNELS.biasActPool2,
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend, attrs }: KernelArgs) => {
      const { z, bias } = inputs as { z: TensorInfo; bias: TensorInfo };
      const [N, H, W, C] = z.shape as [number, number, number, number];
      const pooled = [N, H / 2, W / 2, C];
      const p = backend.makeOutput(pooled, 'float32');
      const idx = backend.makeOutput(pooled, 'int32');
      const d = backend.makeOutput(pooled, 'float32');
      glue(backend).biasActPool2(ptr(backend, z), ptr(backend, bias), N, H, W, C, attrs['act'] as number, ptr(backend, p), ptr(backend, idx), ptr(backend, d));
      return [p, idx, d];
    }) as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: KERNELS.unpool2Mul,
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend }: KernelArgs) => {
      const { gp, idx, d } = inputs as { gp: TensorInfo; idx: TensorInfo; d: TensorInfo };
      const [N, PH, PW, C] = d.shape as [number, number, number, number];
      const [H, W] = [2 * PH, 2 * PW];
      const gz = backend.makeOutput([N, H, W, C], 'float32');
      glue(backend).unpool2Mul(ptr(backend, gp), ptr(backend, idx), ptr(backend, d), N, H, W, C, ptr(backend, gz));
      return gz;
    }) as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: KERNELS.winogradConv3x3,
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend, attrs }: KernelArgs) => {
      const { x } = inputs as { x: TensorInfo };
      const U = Array.from({ length: 16 }, (_, k) => inputs[`u${k}`]!);
      const [N, H, W, Ci] = x.shape as [number, number, number, number];
      const Co = U[0]!.shape[1]!;
      const { top, left, OH, OW } = convGeometry(attrs['pad'], 3, 3, H, W);
      const TH = (OH + 1) >> 1;
      const TW = (OW + 1) >> 1;
      const g = glue(backend);
      // input transform → V_k [T, Ci]; M_k = V_k · U_k on XNNPACK (backend level: no engine op per product);
      // output transform → y
      const V = Array.from({ length: 16 }, () => backend.makeOutput([N * TH * TW, Ci], 'float32'));
      const zero = backend.makeOutput([Ci], 'float32');
      new Float32Array(heapBuffer(backend), ptr(backend, zero), Ci).fill(0);
      let tab = pointerTable(backend, V);
      g.winogradInput(ptr(backend, x), N, H, W, Ci, TH, TW, top, left, ptr(backend, zero), ptr(backend, tab));
      backend.disposeData(zero.dataId);
      backend.disposeData(tab.dataId);
      const matMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
      const M = V.map((v, k) => {
        const m = matMul({ inputs: { a: v, b: U[k]! }, backend, attrs: { transposeA: false, transposeB: false } } as never) as TensorInfo;
        backend.disposeData(v.dataId);
        return m;
      });
      const y = backend.makeOutput([N, OH, OW, Co], 'float32');
      tab = pointerTable(backend, M);
      g.winogradOutput(ptr(backend, tab), N, OH, OW, Co, TH, TW, ptr(backend, y));
      backend.disposeData(tab.dataId);
      for (const m of M) backend.disposeData(m.dataId);
      return y;
    }) as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: KERNELS.pool2ConvBackInput,
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend, attrs }: KernelArgs) => {
      const { gp, idx, d, filter } = inputs as { gp: TensorInfo; idx: TensorInfo; d: TensorInfo; filter: TensorInfo };
      const [N, PH, PW, Co] = d.shape as [number, number, number, number];
      const [H, W] = [2 * PH, 2 * PW];
      const [KH, KW, Ci] = filter.shape as [number, number, number, number];
      const [, IH, IW] = attrs['inputShape'] as [number, number, number, number];
      const { top, left } = convGeometry(attrs['pad'], KH, KW, IH, IW);
      const dx = backend.makeOutput([N, IH, IW, Ci], 'float32');
      const g = glue(backend);
      // The filter as [Co, KH, KW, Ci] (each output channel's taps contiguous) and the kernel's list scratch.
      const wt = backend.makeOutput([Co, KH, KW, Ci], 'float32');
      const lists = backend.makeOutput([8 * Co + 4], 'float32');
      const heapF32 = new Float32Array(heapBuffer(backend));
      const src = ptr(backend, filter) >> 2;
      const dst = ptr(backend, wt) >> 2;
      const taps = KH * KW;
      for (let t = 0; t < taps; t++)
        for (let ci = 0; ci < Ci; ci++)
          for (let co = 0, s = src + (t * Ci + ci) * Co; co < Co; co++) heapF32[dst + (co * taps + t) * Ci + ci] = heapF32[s + co]!;
      g.pool2ConvBackInput(ptr(backend, gp), ptr(backend, idx), ptr(backend, d), ptr(backend, wt), N, H, W, Co, Ci, KH, KW, top, left, IH, IW, ptr(backend, lists), ptr(backend, dx));
      backend.disposeData(wt.dataId);
      backend.disposeData(lists.dataId);
      return dx;
    }) as unknown as tf.KernelFunc,
  });
}

/**
 * The Winograd F(2 × 2, 3 × 3) transform of a 3 × 3 filter [3, 3, Ci, Co]: U_k = (G g Gᵀ)[k] for the 16 positions
 * k = 4i + j of the 4 × 4 tile, each [Ci, Co], with G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
 */
export function winogradFilter(filter: tf.Tensor): tf.Tensor2D[] {
  const [KH, KW, Ci, Co] = filter.shape as [number, number, number, number];
  if (KH !== 3 || KW !== 3) throw new RangeError(`winogradFilter: a 3 × 3 filter, got ${KH} × ${KW}`);
  const g = filter.dataSync() as Float32Array;
  const CC = Ci * Co;
  const U = new Float32Array(16 * CC);
  const t = new Float64Array(12); // G g: 4 rows × 3 columns
  for (let e = 0; e < CC; e++) {
    for (let c = 0; c < 3; c++) {
      const g0 = g[(0 * 3 + c) * CC + e]!;
      const g1 = g[(1 * 3 + c) * CC + e]!;
      const g2 = g[(2 * 3 + c) * CC + e]!;
      t[c] = g0;
      t[3 + c] = 0.5 * (g0 + g1 + g2);
      t[6 + c] = 0.5 * (g0 - g1 + g2);
      t[9 + c] = g2;
    }
    for (let i = 0; i < 4; i++) {
      const a = t[3 * i]!;
      const b = t[3 * i + 1]!;
      const c = t[3 * i + 2]!;
      U[(4 * i) * CC + e] = a;
      U[(4 * i + 1) * CC + e] = 0.5 * (a + b + c);
      U[(4 * i + 2) * CC + e] = 0.5 * (a - b + c);
      U[(4 * i + 3) * CC + e] = c;
    }
  }
  return Array.from({ length: 16 }, (_, k) => tf.tensor2d(U.subarray(k * CC, (k + 1) * CC), [Ci, Co]));
}

/**
 * A 3 × 3 stride-1 convolution of x [N, H, W, Ci] by Winograd F(2 × 2, 3 × 3) on the wasm backend (Ci and Co
 * multiples of 4): the input and output transforms in SIMD (tensor-glue.wat), the 16 products [tiles, Ci] · [Ci, Co]
 * on XNNPACK. `U` is winogradFilter of the filter.
 */
export function winogradConv3x3(x: tf.Tensor4D, U: tf.Tensor2D[], pad: 'same' | 'valid'): tf.Tensor4D {
  const Ci = x.shape[3];
  if (U.length !== 16 || U.some((u) => u.shape[0] !== Ci || u.shape[1] !== U[0]!.shape[1])) {
    throw new RangeError(`winogradConv3x3: expected the 16 [${Ci}, Co] transforms of winogradFilter for ${Ci} input channels`);
  }
  if (Ci % 4 !== 0 || U[0]!.shape[1] % 4 !== 0) throw new RangeError(`winogradConv3x3: channels must be multiples of 4, got ${Ci} → ${U[0]!.shape[1]}`);
  const inputs: tf.NamedTensorMap = { x };
  U.forEach((u, k) => (inputs[`u${k}`] = u));
  return run(KERNELS.winogradConv3x3, inputs, { pad })[0] as tf.Tensor4D;
}

function run(name: string, inputs: tf.NamedTensorMap, attrs: Record<string, unknown> = {}): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

type Layer =
  | { kind: 'conv'; W: tf.Variable; b: tf.Variable; act: number; pool: boolean; pad: 'same' | 'valid'; winograd: boolean }
  | { kind: 'flatten' }
  | { kind: 'dense'; W: tf.Variable; b: tf.Variable; act: number };

/** Per-weights precomputations shared by passes over fixed weights (see FastJemNet.prepare). */
interface Prepared {
  transposed: Map<tf.Variable, tf.Tensor>;
  winograd: Map<tf.Variable, tf.Tensor2D[]>;
}

/** What the forward pass keeps for the backward pass, per layer. */
type Saved = { input: tf.Tensor; d?: tf.Tensor; idx?: tf.Tensor };

/** Weights of the joint loss w_yx · CE + w_x · (E(x⁺) − E(x⁻)) + α · (E(x⁺)² + E(x⁻)²). */
export interface JointLossWeights {
  pyx: number;
  px: number;
  alpha: number;
}

/** The joint loss of one batch, its parts and its gradients (keyed by variable name; the caller disposes them). */
export interface JointLossGradients {
  loss: number;
  crossEntropy: number;
  accuracy: number;
  /** Mean energies of data and samples (NaN without samples). */
  energyData: number;
  energySample: number;
  grads: tf.NamedTensorMap;
}

/** E(x) and ∇ₓE(x) over one sampler run: the dense weights' transposes are made once and freed by `dispose`. */
export interface FastGradientSession {
  energyAndGradient(x: tf.Tensor): { energy: tf.Tensor1D; grad: tf.Tensor };
  dispose(): void;
}

function activationCode(name: unknown): number | undefined {
  if (name === 'swish') return SWISH;
  if (name === undefined || name === null || name === 'linear') return LINEAR;
  return undefined;
}

/** The fast passes of one classifier; `FastJemNet.of` says whether a model qualifies. */
export class FastJemNet {
  private constructor(private readonly layers: Layer[]) {}

  /**
   * The fast passes of `model`, or undefined when the backend is not wasm, `EBM_JEM_KERNELS=js` is set, or a layer is
   * outside the supported set (see the module comment).
   */
  static of(model: tf.LayersModel): FastJemNet | undefined {
    if (tf.getBackend() !== 'wasm') return undefined;
    if (typeof process !== 'undefined' && process.env?.['EBM_JEM_KERNELS'] === 'js') return undefined;
    if (!tensorGlue(tf.backend())) return undefined;
    const layers: Layer[] = [];
    const ls = model.layers;
    let rank = model.inputs[0]!.shape.length;
    for (let i = 0; i < ls.length; i++) {
      const layer = ls[i]!;
      const cls = layer.getClassName();
      const cfg = layer.getConfig() as Record<string, unknown>;
      const vars = (layer.trainableWeights as unknown as { read(): tf.Variable }[]).map((w) => w.read());
      if (cls === 'Conv2D') {
        const act = activationCode(cfg['activation']);
        const out = layer.outputShape as (number | null)[];
        if (rank !== 4 || act === undefined || cfg['dataFormat'] !== 'channelsLast' || String(cfg['strides']) !== '1,1' || String(cfg['dilationRate']) !== '1,1') return undefined;
        if (cfg['useBias'] === false || vars.length !== 2 || (cfg['filters'] as number) % 4 !== 0) return undefined;
        const next = ls[i + 1];
        const nextCfg = next?.getConfig() as Record<string, unknown> | undefined;
        const pool =
          next?.getClassName() === 'MaxPooling2D' &&
          String(nextCfg!['poolSize']) === '2,2' &&
          String(nextCfg!['strides']) === '2,2' &&
          nextCfg!['padding'] === 'valid' &&
          (out[1] as number) % 2 === 0 &&
          (out[2] as number) % 2 === 0;
        if (next?.getClassName() === 'MaxPooling2D' && !pool) return undefined;
        // Winograd where it pays: 3 × 3 filters over at least 32 input channels (a multiple of 4; measured against
        // XNNPACK's direct convolution: 1.4–1.7× faster at 32–64 channels, no gain or slower at 8–16)
        const [KH, KW, Ci] = vars[0]!.shape as [number, number, number, number];
        const winograd = KH === 3 && KW === 3 && Ci >= 32 && Ci % 4 === 0;
        layers.push({ kind: 'conv', W: vars[0]!, b: vars[1]!, act, pool, pad: cfg['padding'] as 'same' | 'valid', winograd });
        if (pool) i++;
      } else if (cls === 'Flatten') {
        rank = 2;
        layers.push({ kind: 'flatten' });
      } else if (cls === 'Dense') {
        const act = activationCode(cfg['activation']);
        if (act === undefined || rank !== 2 || cfg['useBias'] === false || vars.length !== 2) return undefined;
        if (act === SWISH && (cfg['units'] as number) % 4 !== 0) return undefined;
        layers.push({ kind: 'dense', W: vars[0]!, b: vars[1]!, act });
      } else {
        return undefined;
      }
    }
    return new FastJemNet(layers);
  }

  /** Logits of `x` and what the backward pass needs (all tensors belong to the caller's tidy scope). */
  private forward(x: tf.Tensor, prep: Prepared): { logits: tf.Tensor2D; saved: Saved[] } {
    const saved: Saved[] = [];
    let h = x;
    for (const L of this.layers) {
      if (L.kind === 'conv') {
        const U = prep.winograd.get(L.W);
        const z = U ? winogradConv3x3(h as tf.Tensor4D, U, L.pad) : tf.conv2d(h as tf.Tensor4D, L.W as tf.Tensor4D, 1, L.pad);
        if (L.pool) {
          const [p, idx, d] = run(KERNELS.biasActPool2, { z, bias: L.b }, { act: L.act });
          saved.push({ input: h, d: d!, idx: idx! });
          h = p!;
        } else if (L.act === SWISH) {
          const C = z.shape[3]!;
          const [a, d] = run(KERNELS.biasAct, { z: tf.reshape(z, [-1, C]), bias: L.b }, { act: L.act });
          saved.push({ input: h, d: tf.reshape(d!, z.shape) });
          h = tf.reshape(a!, z.shape);
        } else {
          saved.push({ input: h });
          h = tf.add(z, L.b);
        }
      } else if (L.kind === 'flatten') {
        saved.push({ input: h });
        h = tf.reshape(h, [h.shape[0]!, -1]);
      } else {
        const z = tf.matMul(h as tf.Tensor2D, L.W as tf.Tensor2D);
        if (L.act === SWISH) {
          const [a, d] = run(KERNELS.biasAct, { z, bias: L.b }, { act: L.act });
          saved.push({ input: h, d: d! });
          h = a!;
        } else {
          saved.push({ input: h });
          h = tf.add(z, L.b);
        }
      }
    }
    return { logits: h as tf.Tensor2D, saved };
  }

  /**
   * Back-propagates `g` = ∂loss/∂logits through the layers. With `grads`, fills in each variable's gradient (by
   * name); with `wantInput`, returns ∂loss/∂x (else the first layer's input gradient is skipped). `transposed` holds
   * cached Wᵀ of dense layers.
   */
  private backward(g: tf.Tensor, saved: Saved[], wantInput: boolean, grads?: tf.NamedTensorMap, transposed?: Map<tf.Variable, tf.Tensor>): tf.Tensor | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const L = this.layers[i]!;
      const s = saved[i]!;
      const needInput = i > 0 || wantInput;
      if (L.kind === 'flatten') {
        g = tf.reshape(g, s.input.shape);
      } else if (L.kind === 'dense') {
        const gz = s.d ? tf.mul(g, s.d) : g;
        if (grads) {
          grads[L.W.name] = tf.matMul(s.input as tf.Tensor2D, gz as tf.Tensor2D, true, false);
          grads[L.b.name] = tf.sum(gz, 0);
        }
        if (needInput) {
          const wt = transposed?.get(L.W);
          g = wt ? tf.matMul(gz as tf.Tensor2D, wt as tf.Tensor2D) : tf.matMul(gz as tf.Tensor2D, L.W as tf.Tensor2D, false, true);
        }
      } else {
        const attrs = { strides: [1, 1], pad: L.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
        // Behind a pooling, the input gradient comes from the pooled gradient directly (a quarter of the work);
        // the dense gz is made only for the weight gradients.
        const gp = g;
        let gz: tf.Tensor | undefined;
        if (grads) {
          if (L.pool) [gz] = run(KERNELS.unpool2Mul, { gp, idx: s.idx!, d: s.d! }) as [tf.Tensor];
          else gz = s.d ? tf.mul(g, s.d) : g;
          [grads[L.W.name]] = run('Conv2DBackpropFilter', { x: s.input, dy: gz }, { ...attrs, filterShape: L.W.shape }) as [tf.Tensor];
          grads[L.b.name] = tf.sum(tf.reshape(gz, [-1, gz.shape[3]!]), 0);
        }
        if (needInput) {
          // (over < 4 input channels the dense route is faster: conv-gradients.ts's one-channel kernel)
          if (L.pool && s.input.shape[3]! >= 4) [g] = run(KERNELS.pool2ConvBackInput, { gp, idx: s.idx!, d: s.d!, filter: L.W }, { pad: L.pad, inputShape: s.input.shape }) as [tf.Tensor];
          else {
            if (L.pool) gz ??= run(KERNELS.unpool2Mul, { gp, idx: s.idx!, d: s.d! })[0]!;
            gz ??= s.d ? tf.mul(g, s.d) : g;
            [g] = run('Conv2DBackpropInput', { dy: gz, filter: L.W }, { ...attrs, inputShape: s.input.shape }) as [tf.Tensor];
          }
        }
      }
    }
    return wantInput ? g : undefined;
  }

  /**
   * What passes over fixed weights share: the Winograd transforms of the conv filters that use them and, with
   * `transposes`, the dense weights' transposes. Inside a tidy scope the tensors go with it; else `release` them.
   */
  private prepare(transposes: boolean): Prepared {
    const prep: Prepared = { transposed: new Map(), winograd: new Map() };
    for (const L of this.layers) {
      if (L.kind === 'dense' && transposes) prep.transposed.set(L.W, tf.transpose(L.W));
      if (L.kind === 'conv' && L.winograd) prep.winograd.set(L.W, winogradFilter(L.W));
    }
    return prep;
  }

  private static release(prep: Prepared): void {
    tf.dispose([...prep.transposed.values(), ...[...prep.winograd.values()].flat()]);
  }

  /**
   * E(x) = −logsumexp f(x) and its gradient (∂E/∂f = −softmax f, back-propagated), or with `classes` the class
   * energy E(x | y) = −f(x)[y] (∂E/∂f = −onehot(y)).
   */
  private energyAndGradient(x: tf.Tensor, prep: Prepared, classes?: Int32Array | number): { energy: tf.Tensor1D; grad: tf.Tensor } {
    return tf.tidy(() => {
      const { logits, saved } = this.forward(x, prep);
      let energy: tf.Tensor;
      let g: tf.Tensor;
      if (classes === undefined) {
        const lse = tf.logSumExp(logits, 1, true);
        g = tf.neg(tf.exp(tf.sub(logits, lse)));
        energy = tf.neg(tf.reshape(lse, [-1]));
      } else {
        const n = logits.shape[0];
        const labels = typeof classes === 'number' ? new Int32Array(n).fill(classes) : classes;
        if (labels.length !== n) throw new RangeError(`FastJemNet: ${labels.length} class labels for a batch of ${n}`);
        g = tf.neg(tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), logits.shape[1]), 'float32'));
        energy = tf.sum(tf.mul(logits, g), 1);
      }
      const grad = this.backward(g, saved, true, undefined, prep.transposed)!;
      return { energy: energy as tf.Tensor1D, grad };
    });
  }

  /**
   * A session for one sampler run over fixed weights (see `FastGradientSession`): of E(x), or with `classes` (one
   * class, or one per row) of the class energy E(x | y) = −f(x)[y].
   */
  session(classes?: Int32Array | number): FastGradientSession {
    const prep = this.prepare(true);
    return {
      energyAndGradient: (x) => this.energyAndGradient(x, prep, classes),
      dispose: () => FastJemNet.release(prep),
    };
  }

  /**
   * Per-row cross-entropy −log p(y|x) of `labels` and its input gradient (∂/∂f = softmax f − onehot(y),
   * back-propagated) — the objective of the adversarial attacks of attack.ts. The caller disposes both.
   */
  crossEntropyAndInputGradient(x: tf.Tensor, labels: Int32Array): { loss: tf.Tensor1D; grad: tf.Tensor } {
    return tf.tidy(() => {
      const prep = this.prepare(true);
      const { logits, saved } = this.forward(x, prep);
      const lse = tf.logSumExp(logits, 1, true);
      const one = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), logits.shape[1]), 'float32');
      const loss = tf.sub(tf.reshape(lse, [-1]), tf.sum(tf.mul(logits, one), 1)) as tf.Tensor1D;
      const grad = this.backward(tf.sub(tf.exp(tf.sub(logits, lse)), one), saved, true, undefined, prep.transposed)!;
      return { loss, grad };
    });
  }

  /**
   * The joint loss of JEM on labelled data `xPos` (one-hot `yOne`) and, when given, samples `xNeg` (same batch
   * size), with its gradients for every variable: ∂/∂f of w_yx·CE is w_yx(softmax − y)/B on the data rows, and of
   * w_x(E⁺ − E⁻) + α(E⁺² + E⁻²) it is −(w_x + 2αE⁺)·softmax/B on the data rows and (w_x − 2αE⁻)·softmax/B on the
   * sample rows.
   */
  jointLossGradients(xPos: tf.Tensor, yOne: tf.Tensor2D, xNeg: tf.Tensor | undefined, w: JointLossWeights): JointLossGradients {
    const B = xPos.shape[0]!;
    const K = yOne.shape[1];
    let parts = { loss: NaN, crossEntropy: NaN, accuracy: NaN, energyData: NaN, energySample: NaN };
    const grads = tf.tidy(() => {
      const input = xNeg ? tf.concat([xPos, xNeg], 0) : xPos;
      const { logits, saved } = this.forward(input, this.prepare(false));
      const fPos = xNeg ? tf.slice(logits, [0, 0], [B, K]) : logits;
      const lsePos = tf.logSumExp(fPos, 1, true);
      const pPos = tf.exp(tf.sub(fPos, lsePos));
      const ce = tf.mean(tf.sub(tf.reshape(lsePos, [-1]), tf.sum(tf.mul(yOne, fPos), 1))).dataSync()[0]!;
      const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(fPos, 1), tf.argMax(yOne, 1)), 'float32')).dataSync()[0]!;
      const ePos = -tf.mean(lsePos).dataSync()[0]!;
      let gPos = tf.mul(tf.sub(pPos, yOne), w.pyx / B);
      let g: tf.Tensor = gPos;
      let loss = w.pyx * ce;
      let eNeg = NaN;
      if (xNeg) {
        const M = xNeg.shape[0]!;
        const fNeg = tf.slice(logits, [B, 0], [M, K]);
        const lseNeg = tf.logSumExp(fNeg, 1, true);
        const pNeg = tf.exp(tf.sub(fNeg, lseNeg));
        eNeg = -tf.mean(lseNeg).dataSync()[0]!;
        gPos = tf.add(gPos, tf.mul(pPos, -(w.px + 2 * w.alpha * ePos) / B));
        g = tf.concat([gPos, tf.mul(pNeg, (w.px - 2 * w.alpha * eNeg) / M)], 0);
        loss += w.px * (ePos - eNeg) + w.alpha * (ePos * ePos + eNeg * eNeg);
      }
      parts = { loss, crossEntropy: ce, accuracy, energyData: xNeg ? ePos : NaN, energySample: eNeg };
      const out: tf.NamedTensorMap = {};
      this.backward(g, saved, false, out);
      return out;
    });
    return { ...parts, grads };
  }
}

registerGlueKernels();
