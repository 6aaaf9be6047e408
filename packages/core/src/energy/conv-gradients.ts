/**
 * Gradient kernels the tfjs wasm backend lacks: `Conv2DBackpropFilter` (the filter gradient of every Conv2D layer),
 * and the two depthwise-convolution backprops. Without them a CNN cannot train on wasm. Registering them makes
 * `tf.grad`, `tf.variableGrads` and `model.fit` work unchanged.
 *
 * The filter gradient is itself a convolution, computed with wasm's own (XNNPACK) Conv2D kernel:
 *
 *   dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·sₕ + kh − top, ow·s_w + kw − left, ci] · dy[n, oh, ow, co]
 *
 * is the convolution of xᵀ = x transposed to [ci, H, W, n] (batch ci, channels n) with the "filter" dyᵀ = dy transposed
 * to [OH, OW, n, co], at stride 1 and dilation (sₕ, s_w), with explicit padding chosen so the output is KH × KW; the
 * result [ci, KH, KW, co] is transposed to [KH, KW, ci, co]. The depthwise backprops (rarely used here) are direct loops.
 *
 * Two kernels wasm does have are replaced because they are slow (naive loops, several times the cost of the forward
 * convolution): `Conv2DBackpropInput` at stride 1 becomes the XNNPACK convolution of dy with the spatially flipped,
 * channel-transposed filter (other strides keep wasm's kernel), and `MaxPoolGrad` becomes a direct loop. These matter
 * for SGLD, which back-propagates to the input at every step.
 */
import * as tf from '@tensorflow/tfjs';
// Loaded here so that wasm's own kernels are registered before some of them are replaced below (`selectBackend`
// imports the same module again to point it at its .wasm files before the backend starts).
import '@tensorflow/tfjs-backend-wasm';

type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };
type Backend = {
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object): tf.TypedArray | string[];
  write(values: tf.TypedArray, shape: number[], dtype: tf.DataType): object;
};
/** The parts of tfjs-backend-wasm's BackendWasm used for zero-copy access to tensors on the wasm heap. */
type WasmHeapBackend = Backend & {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): tf.TypedArray;
};
type KernelArgs = { inputs: Record<string, TensorInfo>; backend: Backend; attrs: Record<string, unknown> };

/** Runs a kernel of the wasm backend directly (backend level: no engine tape, no tracking). */
function call(name: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return k.kernelFunc({ inputs, backend, attrs } as never) as TensorInfo;
}

function heap(backend: Backend): WasmHeapBackend {
  const b = backend as Partial<WasmHeapBackend>;
  if (typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') throw new Error('wasm conv gradient: not a wasm backend');
  return b as WasmHeapBackend;
}

/**
 * A Float32Array view of a float32 tensor on the wasm heap (no copy). Take views only after the last allocation of a
 * kernel: growing the heap detaches earlier views.
 */
function f32(backend: Backend, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`wasm conv gradient: expected float32, got ${t.dtype}`);
  return heap(backend).typedArrayFromHeap(t) as Float32Array;
}

type PadAttr = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

function conv2dInfo(
  xShape: number[],
  filterShape: number[],
  attrs: Record<string, unknown>,
  depthwise: boolean,
): ReturnType<typeof tf.backend_util.computeConv2DInfo> {
  const fmt = tf.backend_util.convertConv2DDataFormat((attrs['dataFormat'] as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC');
  if (fmt !== 'channelsLast') throw new Error(`wasm conv gradient: dataFormat ${String(attrs['dataFormat'])} is not supported; use NHWC`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs['strides'] as [number, number] | number,
    (attrs['dilations'] as [number, number] | number | undefined) ?? 1,
    attrs['pad'] as PadAttr,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    depthwise,
    'channelsLast',
  );
}

/**
 * Conv2DBackpropFilter for wasm as one matrix product: dW[(kh, kw, ci), co] = Σ_m P[(kh, kw, ci), m] · dy[m, co] over
 * the output positions m = (n, oh, ow), where P is the transposed im2col matrix of x (zero where the window leaves
 * the padded image), built here and multiplied by XNNPACK's matmul.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = attrs['filterShape'] as number[];
  const info = conv2dInfo(x.shape, filterShape, attrs, false);
  const [KH, KW, Ci, Co] = filterShape as [number, number, number, number];
  const [N, H, W] = x.shape as [number, number, number];
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const M = N * OH * OW;
  const K = KH * KW * Ci;
  const p = heap(backend).makeOutput([K, M], 'float32');
  try {
    const P = f32(backend, p);
    const X = f32(backend, x);
    // Row (kh, kw, ci) of P holds x at (n, oh·sₕ + kh·dₕ − top, ow·s_w + kw·d_w − left, ci) for every column (n, oh, ow).
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        for (let ci = 0; ci < Ci; ci++) {
          const row = ((kh * KW + kw) * Ci + ci) * M;
          let col = row;
          for (let n = 0; n < N; n++) {
            for (let oh = 0; oh < OH; oh++) {
              const h = oh * sh + kh * dh - top;
              if (h < 0 || h >= H) {
                P.fill(0, col, col + OW);
                col += OW;
                continue;
              }
              const xRow = (n * H + h) * W;
              for (let ow = 0; ow < OW; ow++) {
                const w = ow * sw + kw * dw - left;
                P[col++] = w >= 0 && w < W ? X[(xRow + w) * Ci + ci]! : 0;
              }
            }
          }
        }
      }
    }
    const out = call('BatchMatMul', backend, { a: p, b: { ...dy, shape: [M, Co] } }, { transposeA: false, transposeB: false });
    out.shape = filterShape;
    return out;
  } finally {
    backend.disposeData(p.dataId);
  }
}

/** DepthwiseConv2dNativeBackpropFilter for wasm (direct loops). */
function depthwiseBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = attrs['filterShape'] as number[];
  const info = conv2dInfo(x.shape, filterShape, attrs, true);
  const xs = backend.readSync(x.dataId) as Float32Array;
  const dys = backend.readSync(dy.dataId) as Float32Array;
  const [KH, KW, C, M] = filterShape as [number, number, number, number];
  const [N, H, W] = x.shape as [number, number, number];
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const dW = new Float32Array(KH * KW * C * M);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let kh = 0; kh < KH; kh++) {
        const h = oh * sh + kh * dh - top;
        if (h < 0 || h >= H) continue;
        for (let ow = 0; ow < OW; ow++) {
          const dyBase = ((n * OH + oh) * OW + ow) * C * M;
          for (let kw = 0; kw < KW; kw++) {
            const w = ow * sw + kw * dw - left;
            if (w < 0 || w >= W) continue;
            const xBase = ((n * H + h) * W + w) * C;
            const wBase = (kh * KW + kw) * C * M;
            for (let c = 0; c < C; c++) {
              const xv = xs[xBase + c]!;
              for (let m = 0; m < M; m++) dW[wBase + c * M + m] += xv * dys[dyBase + c * M + m]!;
            }
          }
        }
      }
    }
  }
  return { dataId: backend.write(dW, filterShape, 'float32'), shape: filterShape, dtype: 'float32' };
}

/** DepthwiseConv2dNativeBackpropInput for wasm (direct loops). */
function depthwiseBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = attrs['inputShape'] as number[];
  const info = conv2dInfo(inputShape, filter.shape, attrs, true);
  const fs = backend.readSync(filter.dataId) as Float32Array;
  const dys = backend.readSync(dy.dataId) as Float32Array;
  const [KH, KW, C, M] = filter.shape as [number, number, number, number];
  const [N, H, W] = inputShape as [number, number, number];
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const dx = new Float32Array(N * H * W * C);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let kh = 0; kh < KH; kh++) {
        const h = oh * sh + kh * dh - top;
        if (h < 0 || h >= H) continue;
        for (let ow = 0; ow < OW; ow++) {
          const dyBase = ((n * OH + oh) * OW + ow) * C * M;
          for (let kw = 0; kw < KW; kw++) {
            const w = ow * sw + kw * dw - left;
            if (w < 0 || w >= W) continue;
            const xBase = ((n * H + h) * W + w) * C;
            const wBase = (kh * KW + kw) * C * M;
            for (let c = 0; c < C; c++) {
              let s = 0;
              for (let m = 0; m < M; m++) s += fs[wBase + c * M + m]! * dys[dyBase + c * M + m]!;
              dx[xBase + c] += s;
            }
          }
        }
      }
    }
  }
  return { dataId: backend.write(dx, inputShape, 'float32'), shape: inputShape, dtype: 'float32' };
}

/**
 * Conv2DBackpropInput for wasm as one matrix product and a col2im scatter: C[m, (kh, kw, ci)] = Σ_co dy[m, co] ·
 * W[kh, kw, ci, co] (XNNPACK's matmul with the filter transposed to [co, (kh, kw, ci)]), then every row m = (n, oh, ow)
 * of C is added into dx at the input positions its window covers. Any stride, dilation and padding.
 */
function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = attrs['inputShape'] as number[];
  const info = conv2dInfo(inputShape, filter.shape, attrs, false);
  const [KH, KW, Ci, Co] = filter.shape as [number, number, number, number];
  const [N, H, W] = inputShape as [number, number, number];
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const M = N * OH * OW;
  const K = KH * KW * Ci;
  const temps: TensorInfo[] = [];
  try {
    const wt = call('Transpose', backend, { x: filter }, { perm: [3, 0, 1, 2] });
    temps.push(wt);
    const cols = call('BatchMatMul', backend, { a: { ...dy, shape: [M, Co] }, b: { ...wt, shape: [Co, K] } }, { transposeA: false, transposeB: false });
    temps.push(cols);
    const out = heap(backend).makeOutput(inputShape, 'float32');
    const dx = f32(backend, out);
    const C = f32(backend, cols);
    dx.fill(0);
    let r = 0;
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++, r += K) {
          for (let kh = 0; kh < KH; kh++) {
            const h = oh * sh + kh * dh - top;
            if (h < 0 || h >= H) continue;
            const dxRow = (n * H + h) * W;
            for (let kw = 0; kw < KW; kw++) {
              const w = ow * sw + kw * dw - left;
              if (w < 0 || w >= W) continue;
              const d = (dxRow + w) * Ci;
              const c = r + (kh * KW + kw) * Ci;
              for (let ci = 0; ci < Ci; ci++) dx[d + ci]! += C[c + ci]!;
            }
          }
        }
      }
    }
    return out;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * MaxPoolGrad for wasm as a direct loop over the wasm heap: each output's gradient goes to the first maximum of its
 * window (row-major order), as tfjs's cpu backend does.
 */
function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs['filterSize'] as [number, number] | number,
    attrs['strides'] as [number, number] | number,
    1,
    attrs['pad'] as 'valid' | 'same' | number,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
  );
  const [N, H, W, C] = input.shape as [number, number, number, number];
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const out = heap(backend).makeOutput(input.shape, 'float32');
  const dx = f32(backend, out);
  const xs = f32(backend, input);
  const dys = f32(backend, dy);
  dx.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - top;
      const aLo = Math.max(0, h0);
      const aHi = Math.min(H, h0 + fh);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sw - left;
        const bLo = Math.max(0, w0);
        const bHi = Math.min(W, w0 + fw);
        if (aLo >= aHi || bLo >= bHi) continue;
        const dyBase = ((n * OH + oh) * OW + ow) * C;
        const first = ((n * H + aLo) * W + bLo) * C;
        for (let c = 0; c < C; c++) {
          // The first window element is the candidate; a later one replaces it only when strictly larger.
          let best = xs[first + c]!;
          let at = first + c;
          for (let a = aLo; a < aHi; a++) {
            for (let b = a === aLo ? bLo + 1 : bLo; b < bHi; b++) {
              const i = ((n * H + a) * W + b) * C + c;
              const v = xs[i]!;
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          dx[at]! += dys[dyBase + c]!;
        }
      }
    }
  }
  return out;
}

/**
 * BatchMatMul with a transposed operand, on wasm: transposes it explicitly and multiplies untransposed. wasm hands
 * only untransposed, unbatched products to XNNPACK; the others run a naive loop that is ~8× slower at the shapes of a
 * dense layer's gradient (dy·Wᵀ and xᵀ·dy).
 */
function makeBatchMatMul(original: (a: KernelArgs) => TensorInfo) {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const ta = attrs['transposeA'] === true;
    const tb = attrs['transposeB'] === true;
    const unbatched = (t: TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1);
    if ((!ta && !tb) || !unbatched(a) || !unbatched(b) || a.dtype !== 'float32' || b.dtype !== 'float32') return original({ inputs, backend, attrs });
    const swapLast = (t: TensorInfo) => call('Transpose', backend, { x: t }, { perm: [...t.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : 2 * all.length - 3 - i)) });
    const temps: TensorInfo[] = [];
    try {
      const a2 = ta ? swapLast(a) : a;
      if (ta) temps.push(a2);
      const b2 = tb ? swapLast(b) : b;
      if (tb) temps.push(b2);
      return original({ inputs: { a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

const KERNELS: [string, (a: KernelArgs) => TensorInfo][] = [
  ['Conv2DBackpropFilter', conv2DBackpropFilter],
  ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter],
  ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput],
];

/**
 * Registers the missing wasm gradient kernels (once; a kernel wasm already has is left alone). Importing
 * `@ebmkit/core/energy` calls this, so CNN energies train on every backend. Returns the names registered by this call.
 */
export function registerWasmConvGradients(): string[] {
  const added: string[] = [];
  for (const [name, fn] of KERNELS) {
    if (tf.getKernel(name, 'wasm')) continue;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
    added.push(name);
  }
  // Faster replacements of two slow wasm kernels (marked so that a second call leaves them alone). The original
  // setup function is kept: the wasm backend runs it at start-up to bind the C function the fallback uses.
  const replacements: [string, (orig: (a: KernelArgs) => TensorInfo) => (a: KernelArgs) => TensorInfo][] = [
    ['Conv2DBackpropInput', () => conv2DBackpropInput],
    ['MaxPoolGrad', () => maxPoolGrad],
    ['BatchMatMul', makeBatchMatMul],
  ];
  for (const [name, make] of replacements) {
    const orig = tf.getKernel(name, 'wasm') as (tf.KernelConfig & { [REPLACED]?: true }) | undefined;
    if (!orig || orig[REPLACED]) continue;
    tf.unregisterKernel(name, 'wasm');
    const config = {
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: make(orig.kernelFunc as unknown as (a: KernelArgs) => TensorInfo) as unknown as tf.KernelFunc,
      ...(orig.setupFunc ? { setupFunc: orig.setupFunc } : {}),
      [REPLACED]: true as const,
    };
    tf.registerKernel(config);
    added.push(name);
  }
  return added;
}

const REPLACED = Symbol('ebmkit.replaced');

registerWasmConvGradients();
