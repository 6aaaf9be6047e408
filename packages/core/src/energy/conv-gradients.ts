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
type KernelArgs = { inputs: Record<string, TensorInfo>; backend: Backend; attrs: Record<string, unknown> };

/** Runs a kernel of the wasm backend directly (backend level: no engine tape, no tracking). */
function call(name: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return k.kernelFunc({ inputs, backend, attrs } as never) as TensorInfo;
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

/** Conv2DBackpropFilter for wasm, as a dilated convolution of the transposed input with the transposed dy. */
function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = attrs['filterShape'] as number[];
  const info = conv2dInfo(x.shape, filterShape, attrs, false);
  const [KH, KW, Ci, Co] = filterShape as [number, number, number, number];
  const H = x.shape[1]!;
  const W = x.shape[2]!;
  const { top, left } = info.padInfo;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const bottom = KH - H - top + (info.outHeight - 1) * sh;
  const right = KW - W - left + (info.outWidth - 1) * sw;
  const temps: TensorInfo[] = [];
  try {
    const xt = call('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
    temps.push(xt);
    const dyt = call('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
    temps.push(dyt);
    let out = call(
      'Conv2D',
      backend,
      { x: xt, filter: dyt },
      {
        strides: [1, 1],
        dilations: [sh, sw],
        pad: [
          [0, 0],
          [top, Math.max(bottom, 0)],
          [left, Math.max(right, 0)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
    temps.push(out);
    if (bottom < 0 || right < 0) {
      // Rows/columns past the last window (valid padding, stride not dividing H − KH) contribute nothing: crop.
      out = call('Slice', backend, { x: out }, { begin: [0, 0, 0, 0], size: [Ci, KH, KW, Co] });
      temps.push(out);
    }
    return call('Transpose', backend, { x: out }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
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

/** Conv2DBackpropInput at stride 1 (any padding) as a forward convolution with the flipped filter; else wasm's own. */
function makeConv2DBackpropInput(original: (a: KernelArgs) => TensorInfo) {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const inputShape = attrs['inputShape'] as number[];
    const fmt = (attrs['dataFormat'] as string | undefined) ?? 'NHWC';
    const info = fmt === 'NHWC' ? conv2dInfo(inputShape, filter.shape, attrs, false) : undefined;
    if (!info || info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) {
      return original({ inputs, backend, attrs });
    }
    const [KH, KW] = filter.shape as [number, number];
    const { top, bottom, left, right } = info.padInfo;
    if (top > KH - 1 || bottom > KH - 1 || left > KW - 1 || right > KW - 1) return original({ inputs, backend, attrs });
    const temps: TensorInfo[] = [];
    try {
      const flipped = call('Reverse', backend, { x: filter }, { dims: [0, 1] });
      temps.push(flipped);
      const wt = call('Transpose', backend, { x: flipped }, { perm: [0, 1, 3, 2] });
      temps.push(wt);
      return call(
        'Conv2D',
        backend,
        { x: dy, filter: wt },
        {
          strides: [1, 1],
          dilations: [1, 1],
          pad: [
            [0, 0],
            [KH - 1 - top, KH - 1 - bottom],
            [KW - 1 - left, KW - 1 - right],
            [0, 0],
          ],
          dataFormat: 'NHWC',
        },
      );
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

/** MaxPoolGrad for wasm as a direct loop: each output's gradient goes to the first maximum of its window. */
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
  const xs = backend.readSync(input.dataId) as Float32Array;
  const dys = backend.readSync(dy.dataId) as Float32Array;
  const [N, H, W, C] = input.shape as [number, number, number, number];
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const dx = new Float32Array(N * H * W * C);
  const best = new Float32Array(C);
  const at = new Int32Array(C);
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
        // The first window element initialises every channel; later ones replace it only when strictly larger.
        const first = ((n * H + aLo) * W + bLo) * C;
        for (let c = 0; c < C; c++) {
          best[c] = xs[first + c]!;
          at[c] = first + c;
        }
        for (let a = aLo; a < aHi; a++) {
          for (let b = a === aLo ? bLo + 1 : bLo; b < bHi; b++) {
            const base = ((n * H + a) * W + b) * C;
            for (let c = 0; c < C; c++) {
              const v = xs[base + c]!;
              if (v > best[c]!) {
                best[c] = v;
                at[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((n * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) dx[at[c]!] += dys[dyBase + c]!;
      }
    }
  }
  return { dataId: backend.write(dx, input.shape, 'float32'), shape: input.shape, dtype: 'float32' };
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
    ['Conv2DBackpropInput', makeConv2DBackpropInput],
    ['MaxPoolGrad', () => maxPoolGrad],
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
