/**
 * Gradient kernels the tfjs wasm backend lacks: `Conv2DBackpropFilter` (the filter gradient of every Conv2D layer),
 * and the two depthwise-convolution backprops. Without them a CNN cannot train on wasm. Registering them makes
 * `tf.grad`, `tf.variableGrads` and `model.fit` work unchanged.
 *
 * The filter gradient is
 *
 *   dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·sₕ + kh·dₕ − top, ow·s_w + kw·d_w − left, ci] · dy[n, oh, ow, co].
 *
 * With width dilation 1 and Co a multiple of 4 (every CNN here) it runs in a direct WebAssembly SIMD kernel
 * (`convFilterGrad` of wasm/tensor-glue.wat) on x zero-padded by its border: for a filter row kh, the KW·Ci values of
 * padded x under the row are contiguous in NHWC, so dW[kh] = [KW·Ci, Co] is a sum over output positions of outer
 * products of that window with the dy row, register-blocked as 4 × 8 tiles in eight f32x4 accumulators — no im2col
 * matrix and no packing of the tall dy operand. It replaced im2col + XNNPACK's matmul, which packed dy anew at every
 * call: for the JEM CNN at batch 64 (conv1 28 × 28 × 1 → 32, conv2 14 × 14 × 32 → 64, 3 × 3, same padding), the
 * fastest of 30 calls with fresh dy took 0.8 and 10.8 ms instead of 7.0 and 24–26 ms (≈ 43 GFLOP/s for conv2, the
 * speed of XNNPACK's forward convolution; load 4). Other shapes (and `EBM_CONV_FILTER_GRAD=im2col`) keep im2col +
 * matmul: dW[(kh, kw, ci), co] = Σ_m P[(kh, kw, ci), m] · dy[m, co] with the transposed im2col matrix P of x built in
 * a loop over the wasm heap. The depthwise backprops (rarely used here) are direct loops.
 *
 * Kernels wasm does have but runs slowly are replaced as well; they decide the speed of SGLD, which back-propagates
 * to the input at every step, and of CNN training:
 * - `Conv2DBackpropInput` (a naive loop in wasm): at stride 1 with ≥ 8 input channels, XNNPACK's convolution of dy
 *   with the spatially flipped, channel-swapped filter; at stride 1 with one input channel and a multiple of 32
 *   outputs (the first layer of a CNN on grey images under autodiff; the JEM fast path's pooled layers have their own
 *   kernel in jem/fast-cnn.ts), the SIMD kernel `convInputGrad1` of tensor-glue.wat (dot products added into a padded
 *   dx: 2.3–2.5 ms instead of 4.9–6 ms for matmul + col2im at 64 × 28 × 28 × 1 → 32, load 4); otherwise XNNPACK's
 *   matmul dy·Wᵀ and a col2im scatter;
 * - `MaxPoolGrad` (wasm's sends the gradient of a window of negative values to element 0 of the tensor): a direct
 *   loop over the heap, and for 2 × 2 / stride 2 pooling a branch-free one that uses the pooled output;
 * - `BatchMatMul` with a transposed operand (a naive loop in wasm; XNNPACK only takes untransposed ones): explicit
 *   transposes, ~8× faster for a dense layer's gradients;
 * - `Identity` and same-dtype `Cast` (copies in wasm; the engine clones every tensor it saves for a gradient):
 *   shared references, as on the cpu backend;
 * - `Sum` over leading axes (the bias gradients; wasm transposes the whole input first): one pass over the heap.
 * Together they took the SGLD step from ~107 to ~60 ms and the JEM step (20 SGLD steps and an update at batch 128)
 * from ~2.6 to ~1.4 s on the benchmark machine (scripts/bench/ebm-jem/profile-kernels.ts shows where time goes).
 */
import * as tf from './tf.js';
// Loaded here so that wasm's own kernels are registered before some of them are replaced below (`selectBackend`
// imports the same module again to point it at its .wasm files before the backend starts).
import '@tensorflow/tfjs-backend-wasm';
import { heapOffset, tensorGlue, type TensorGlue, type WasmBackendInternals } from './wasm/tensor-glue.js';

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

/** Which implementation computes a filter gradient on wasm (see `filterGradientKernel`). */
export type FilterGradientKernel = 'direct' | 'im2col';

/**
 * The implementation `Conv2DBackpropFilter` uses on wasm for an NHWC float32 convolution of x (shape `xShape`) with a
 * filter of shape `filterShape` [KH, KW, Ci, Co] and the kernel's attributes (strides, pad, dilations): 'direct'
 * (the SIMD kernel `convFilterGrad` of wasm/tensor-glue.wat) when Co is a multiple of 4, the width dilation is 1
 * and the output is not empty; 'im2col' (XNNPACK's matmul) otherwise, or when `EBM_CONV_FILTER_GRAD=im2col` is set.
 * The direct kernel also needs WebAssembly SIMD, which the wasm backend itself needs.
 */
export function filterGradientKernel(xShape: number[], filterShape: number[], attrs: Record<string, unknown>): FilterGradientKernel {
  if (typeof process !== 'undefined' && process.env?.['EBM_CONV_FILTER_GRAD'] === 'im2col') return 'im2col';
  const info = conv2dInfo(xShape, filterShape, attrs, false);
  const Co = filterShape[3]!;
  return Co % 4 === 0 && info.dilationWidth === 1 && info.outHeight > 0 && info.outWidth > 0 && xShape[0]! > 0 ? 'direct' : 'im2col';
}

/** Conv2DBackpropFilter for wasm: the direct SIMD kernel where `filterGradientKernel` says so, else im2col + matmul. */
function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const filterShape = args.attrs['filterShape'] as number[];
  const glue = tensorGlue(args.backend);
  if (glue && x.dtype === 'float32' && filterGradientKernel(x.shape, filterShape, args.attrs) === 'direct') return directConv2DBackpropFilter(args, glue);
  return im2colConv2DBackpropFilter(args);
}

/**
 * The filter gradient by the direct kernel `convFilterGrad` of tensor-glue.wat, on x zero-padded here into
 * xp [N, Hp, Wp, Ci] (a copy of x's size plus its border; no im2col matrix): for each filter row kh, dW[kh] viewed as
 * [KW·Ci, Co] is Σ over output positions of the KW·Ci contiguous values of xp under the filter row times the dy row
 * (Co values), as register-blocked outer products in WebAssembly SIMD. When KW·Ci is not a multiple of 4 the kernel
 * writes [KH, KW·Ci rounded up to 4, Co] into a scratch tensor whose extra rows are dropped here.
 */
function directConv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs, glue: TensorGlue): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = attrs['filterShape'] as number[];
  const info = conv2dInfo(x.shape, filterShape, attrs, false);
  const [KH, KW, Ci, Co] = filterShape as [number, number, number, number];
  const [N, H, W] = x.shape as [number, number, number];
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, dilationHeight: dh } = info;
  const { top, left } = info.padInfo;
  // Rows and columns the windows reach (padding on the far side included), and at least the whole of x.
  const Hp = Math.max(top + H, (OH - 1) * sh + (KH - 1) * dh + 1);
  const Wp = Math.max(left + W, (OW - 1) * sw + KW);
  const J = KW * Ci;
  const Jpad = (J + 3) & ~3;
  const b = backend as unknown as WasmBackendInternals;
  const hb = heap(backend);
  const out = hb.makeOutput(filterShape, 'float32');
  // 4 floats of slack: the last tile of a window of J values not a multiple of 4 reads up to 3 past it.
  const xp = hb.makeOutput([N * Hp * Wp * Ci + 4], 'float32');
  const scratch = Jpad === J ? null : hb.makeOutput([KH * Jpad * Co], 'float32');
  try {
    const P = f32(backend, xp);
    const X = f32(backend, x);
    P.fill(0);
    const rowLen = W * Ci;
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        const src = (n * H + h) * rowLen;
        P.set(X.subarray(src, src + rowLen), ((n * Hp + top + h) * Wp + left) * Ci);
      }
    }
    const acc = scratch ?? out;
    f32(backend, acc).fill(0);
    glue.convFilterGrad(heapOffset(b, xp), heapOffset(b, dy), heapOffset(b, acc), N, Hp, Wp, Ci, OH, OW, Co, KH, J, sh, sw, dh, top, H);
    if (scratch) {
      const A = f32(backend, scratch);
      const D = f32(backend, out);
      for (let kh = 0; kh < KH; kh++) D.set(A.subarray(kh * Jpad * Co, (kh * Jpad + J) * Co), kh * J * Co);
    }
    return out;
  } finally {
    backend.disposeData(xp.dataId);
    if (scratch) backend.disposeData(scratch.dataId);
  }
}

/**
 * Conv2DBackpropFilter for wasm as one matrix product: dW[(kh, kw, ci), co] = Σ_m P[(kh, kw, ci), m] · dy[m, co] over
 * the output positions m = (n, oh, ow), where P is the transposed im2col matrix of x (zero where the window leaves
 * the padded image), built here and multiplied by XNNPACK's matmul. Any stride, dilation and channel counts.
 */
function im2colConv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
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
    // Row (kh, kw, ci) of P holds x at (n, oh·sₕ + kh·dₕ − top, ow·s_w + kw·d_w − left, ci) for every column
    // (n, oh, ow). Loop order: one image row of x stays in cache while all Ci rows of P get their OW entries.
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const rowBase = (kh * KW + kw) * Ci * M;
        let col = 0;
        for (let n = 0; n < N; n++) {
          for (let oh = 0; oh < OH; oh++, col += OW) {
            const h = oh * sh + kh * dh - top;
            if (h < 0 || h >= H) {
              for (let ci = 0; ci < Ci; ci++) P.fill(0, rowBase + ci * M + col, rowBase + ci * M + col + OW);
              continue;
            }
            const xRow = (n * H + h) * W;
            for (let ci = 0; ci < Ci; ci++) {
              const dst = rowBase + ci * M + col;
              for (let ow = 0; ow < OW; ow++) {
                const w = ow * sw + kw * dw - left;
                P[dst + ow] = w >= 0 && w < W ? X[(xRow + w) * Ci + ci]! : 0;
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

/**
 * Calls `tap(xBase, wBase, dyBase)` for every (image, output position, filter position) of a depthwise convolution
 * whose input position lies inside the image: x[xBase + c], filter[wBase + c·M + m] and dy[dyBase + c·M + m] are the
 * values that meet there. Both depthwise backprops are this walk with a different inner loop.
 */
function forEachDepthwiseTap(
  xShape: number[],
  filterShape: number[],
  info: ReturnType<typeof conv2dInfo>,
  tap: (xBase: number, wBase: number, dyBase: number) => void,
): void {
  const [KH, KW, C, M] = filterShape as [number, number, number, number];
  const [N, H, W] = xShape as [number, number, number];
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
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
            tap(((n * H + h) * W + w) * C, (kh * KW + kw) * C * M, dyBase);
          }
        }
      }
    }
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
  const dW = new Float32Array(KH * KW * C * M);
  forEachDepthwiseTap(x.shape, filterShape, info, (xBase, wBase, dyBase) => {
    for (let c = 0; c < C; c++) {
      const xv = xs[xBase + c]!;
      for (let m = 0; m < M; m++) dW[wBase + c * M + m] += xv * dys[dyBase + c * M + m]!;
    }
  });
  return { dataId: backend.write(dW, filterShape, 'float32'), shape: filterShape, dtype: 'float32' };
}

/** DepthwiseConv2dNativeBackpropInput for wasm (direct loops). */
function depthwiseBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = attrs['inputShape'] as number[];
  const info = conv2dInfo(inputShape, filter.shape, attrs, true);
  const fs = backend.readSync(filter.dataId) as Float32Array;
  const dys = backend.readSync(dy.dataId) as Float32Array;
  const [, , C, M] = filter.shape as [number, number, number, number];
  const [N, H, W] = inputShape as [number, number, number];
  const dx = new Float32Array(N * H * W * C);
  forEachDepthwiseTap(inputShape, filter.shape, info, (xBase, wBase, dyBase) => {
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let m = 0; m < M; m++) s += fs[wBase + c * M + m]! * dys[dyBase + c * M + m]!;
      dx[xBase + c] += s;
    }
  });
  return { dataId: backend.write(dx, inputShape, 'float32'), shape: inputShape, dtype: 'float32' };
}

/**
 * Below this many input channels the input gradient is a matmul + col2im (XNNPACK's convolution is slow with few
 * output channels: 7 ms against 4 ms for 32 → 1 channels at 64 × 28 × 28); from it on, at stride 1, a convolution.
 */
const FLIPPED_CONV_MIN_CHANNELS = 8;

/**
 * The input gradient at stride 1 as XNNPACK's forward convolution of dy with the spatially flipped filter, its
 * channels swapped ([KH, KW, Co, Ci]), padded by KH − 1 − top etc. so the output has the input's size.
 */
function flippedConvBackpropInput(dy: TensorInfo, filter: TensorInfo, backend: Backend, [top, bottom, left, right]: number[]): TensorInfo {
  const [KH, KW] = filter.shape as [number, number];
  return call(
    'Conv2D',
    backend,
    { x: dy, filter: flippedFilter(filter, backend) },
    {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [KH - 1 - top!, KH - 1 - bottom!],
        [KW - 1 - left!, KW - 1 - right!],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  );
}

/**
 * Flipped, channel-swapped copies of the last few filters, by the filter's data id (a tensor's data never changes
 * while its id lives, and ids are not reused). An SGLD chain back-propagates through the same filter at every step;
 * reusing the copy also reuses wasm's XNNPACK operator for it (packed once instead of at every step). Copies are
 * backend-level tensors owned here, freed when they drop out of the cache.
 */
const flippedCache: { backend: Backend; key: object; flipped: TensorInfo }[] = [];
const FLIPPED_CACHE_SIZE = 4;

function flippedFilter(filter: TensorInfo, backend: Backend): TensorInfo {
  const hit = flippedCache.find((e) => e.key === filter.dataId && e.backend === backend);
  if (hit) return hit.flipped;
  // One loop over the heap (wasm's Reverse and Transpose took ~1.3 ms for a 3 × 3 × 32 × 64 filter).
  const [KH, KW, Ci, Co] = filter.shape as [number, number, number, number];
  const flipped = heap(backend).makeOutput([KH, KW, Co, Ci], 'float32');
  const src = f32(backend, filter);
  const dst = f32(backend, flipped);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const s = (kh * KW + kw) * Ci * Co;
      const d = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * Co * Ci;
      for (let ci = 0; ci < Ci; ci++) for (let co = 0; co < Co; co++) dst[d + co * Ci + ci] = src[s + ci * Co + co]!;
    }
  }
  flippedCache.push({ backend, key: filter.dataId, flipped });
  if (flippedCache.length > FLIPPED_CACHE_SIZE) {
    const old = flippedCache.shift()!;
    old.backend.disposeData(old.flipped.dataId);
  }
  return flipped;
}

/**
 * Conv2DBackpropInput for wasm as one matrix product and a col2im scatter: C[m, (kh, kw, ci)] = Σ_co dy[m, co] ·
 * W[kh, kw, ci, co] (XNNPACK's matmul with the filter transposed to [co, (kh, kw, ci)]), then every row m = (n, oh, ow)
 * of C is added into dx at the input positions its window covers. Any stride, dilation and padding; at stride 1 with
 * many input channels, the flipped-filter convolution instead. NCHW or non-float32 inputs go to wasm's own kernel.
 */
function makeConv2DBackpropInput(original: (a: KernelArgs) => TensorInfo) {
  return (args: KernelArgs): TensorInfo => {
    const fmt = (args.attrs['dataFormat'] as string | undefined) ?? 'NHWC';
    return fmt === 'NHWC' && args.inputs['dy']?.dtype === 'float32' ? conv2DBackpropInput(args) : original(args);
  };
}

/**
 * The input gradient of a convolution with one input channel (a CNN's first layer on grey images) at stride 1, by the
 * kernel `convInputGrad1` of tensor-glue.wat: every output position adds its KH·KW dot products dy[n, oh, ow, ·] ·
 * W[kh, kw, 0, ·] to dx padded by the convolution's padding ([N, H + top + bottom, W + left + right]), which is then
 * cropped. Replaces a [positions, KH·KW] matmul through XNNPACK and a col2im pass in JavaScript.
 */
function oneChannelBackpropInput(
  dy: TensorInfo,
  filter: TensorInfo,
  backend: Backend,
  glue: TensorGlue,
  inputShape: number[],
  info: ReturnType<typeof conv2dInfo>,
): TensorInfo {
  const [KH, KW, , Co] = filter.shape as [number, number, number, number];
  const [N, H, W] = inputShape as [number, number, number];
  const { outHeight: OH, outWidth: OW } = info;
  const { top, left } = info.padInfo;
  const Hp = OH + KH - 1;
  const Wp = OW + KW - 1;
  const b = backend as unknown as WasmBackendInternals;
  const hb = heap(backend);
  const out = hb.makeOutput(inputShape, 'float32');
  const padded = hb.makeOutput([N * Hp * Wp], 'float32');
  try {
    f32(backend, padded).fill(0);
    glue.convInputGrad1(heapOffset(b, dy), heapOffset(b, filter), heapOffset(b, padded), N, OH, OW, Co, KH, KW, Hp, Wp);
    const P = f32(backend, padded);
    const dx = f32(backend, out);
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        const src = (n * Hp + h + top) * Wp + left;
        dx.set(P.subarray(src, src + W), (n * H + h) * W);
      }
    }
    return out;
  } finally {
    backend.disposeData(padded.dataId);
  }
}

/** Conv2DBackpropInput for NHWC float32 tensors (see `makeConv2DBackpropInput`). */
function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = attrs['inputShape'] as number[];
  const info = conv2dInfo(inputShape, filter.shape, attrs, false);
  const [KH, KW, Ci, Co] = filter.shape as [number, number, number, number];
  const [N, H, W] = inputShape as [number, number, number];
  const { outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, bottom, left, right } = info.padInfo;
  if (Ci >= FLIPPED_CONV_MIN_CHANNELS && sh === 1 && sw === 1 && dh === 1 && dw === 1 && top < KH && bottom < KH && left < KW && right < KW) {
    return flippedConvBackpropInput(dy, filter, backend, [top, bottom, left, right]);
  }
  const glue = tensorGlue(backend);
  if (glue && Ci === 1 && Co % 32 === 0 && sh === 1 && sw === 1 && dh === 1 && dw === 1 && filter.dtype === 'float32' && N * OH * OW > 0) {
    return oneChannelBackpropInput(dy, filter, backend, glue, inputShape, info);
  }
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
    // Tap by tap: for tap (kh, kw) the output position (n, oh, ow) adds its Ci values at column (kh, kw, ·) of C to dx
    // at (n, oh·sₕ + kh·dₕ − top, ow·s_w + kw·d_w − left, ·), for the range of ow that lands inside the image.
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const shift = kw * dw - left;
        const owLo = Math.max(0, Math.ceil(-shift / sw));
        const owHi = Math.min(OW, Math.floor((W - 1 - shift) / sw) + 1);
        const tap = (kh * KW + kw) * Ci;
        for (let n = 0; n < N; n++) {
          for (let oh = 0; oh < OH; oh++) {
            const h = oh * sh + kh * dh - top;
            if (h < 0 || h >= H) continue;
            const dxRow = (n * H + h) * W;
            const cRow = (n * OH + oh) * OW;
            if (Ci === 1) {
              for (let ow = owLo; ow < owHi; ow++) dx[dxRow + ow * sw + shift]! += C[(cRow + ow) * K + tap]!;
            } else {
              for (let ow = owLo; ow < owHi; ow++) {
                const d = (dxRow + ow * sw + shift) * Ci;
                const c = (cRow + ow) * K + tap;
                for (let ci = 0; ci < Ci; ci++) dx[d + ci]! += C[c + ci]!;
              }
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
  if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0 && 2 * OH <= H && 2 * OW <= W && inputs['output']) {
    // 2 × 2 windows, stride 2, inside the image: compare the window's elements with the pooled maximum y and write dy
    // at the first one equal to it, its offset computed without branches (nᵢ = 1 when element i is not the maximum).
    // About twice as fast as searching for the maximum: which element wins is random, so a search's branches mispredict.
    const ys = f32(backend, inputs['output']);
    const WC = W * C;
    dx.fill(0);
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const p00 = ((n * H + 2 * oh) * W + 2 * ow) * C;
          const g = ((n * OH + oh) * OW + ow) * C;
          for (let c = 0; c < C; c++) {
            const m = ys[g + c]!;
            const q = p00 + c;
            const n00 = 1 - +(xs[q] === m);
            const n01 = 1 - +(xs[q + C] === m);
            const n10 = 1 - +(xs[q + WC] === m);
            // Offset of the first maximum: 0, C, W·C or W·C + C.
            dx[q + n00 * (C + n01 * (WC - C + n10 * C))] = dys[g + c]!;
          }
        }
      }
    }
    return out;
  }
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
 * BatchMatMul with a transposed operand, on wasm. wasm hands only untransposed, unbatched products to XNNPACK (the
 * others run a naive loop, ~8× slower at the shapes of a dense layer's gradient); XNNPACK then packs the right
 * operand, which costs about two transposes of it. So the product is computed as op(a)·op(b) or as (op(b)ᵀ·op(a)ᵀ)ᵀ,
 * whichever moves fewer numbers, with the operands transposed explicitly where needed: dy·Wᵀ (SGLD's step through a
 * dense layer) becomes (W·dyᵀ)ᵀ, which packs dyᵀ instead of a copy of Wᵀ.
 */
function makeBatchMatMul(original: (a: KernelArgs) => TensorInfo) {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const ta = attrs['transposeA'] === true;
    const tb = attrs['transposeB'] === true;
    const unbatched = (t: TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1);
    if ((!ta && !tb) || !unbatched(a) || !unbatched(b) || a.dtype !== 'float32' || b.dtype !== 'float32') return original({ inputs, backend, attrs });
    const ra = a.shape.length;
    const rb = b.shape.length;
    const [M, K] = ta ? [a.shape[ra - 1]!, a.shape[ra - 2]!] : [a.shape[ra - 2]!, a.shape[ra - 1]!];
    const N = tb ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    // Numbers moved: explicit transposes count once, packing the right operand twice.
    const direct = (ta ? M * K : 0) + (tb ? K * N : 0) + 2 * K * N;
    const swapped = (tb ? 0 : K * N) + (ta ? 0 : M * K) + 2 * M * K + M * N;
    const outShape = [...(ra >= rb ? a : b).shape.slice(0, -2), M, N];
    const temps: TensorInfo[] = [];
    const t2 = (t: TensorInfo): TensorInfo => {
      const r = call('Transpose', backend, { x: { ...t, shape: t.shape.slice(-2) } }, { perm: [1, 0] });
      temps.push(r);
      return r;
    };
    const as2 = (t: TensorInfo): TensorInfo => ({ ...t, shape: t.shape.slice(-2) });
    const plain = { transposeA: false, transposeB: false };
    try {
      if (direct <= swapped) {
        const out = call('BatchMatMul', backend, { a: ta ? t2(a) : as2(a), b: tb ? t2(b) : as2(b) }, plain);
        out.shape = outShape;
        return out;
      }
      const outT = call('BatchMatMul', backend, { a: tb ? as2(b) : t2(b), b: ta ? as2(a) : t2(a) }, plain);
      temps.push(outT);
      const out = call('Transpose', backend, { x: outT }, { perm: [1, 0] });
      out.shape = outShape;
      return out;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

/**
 * Identity, and Cast to the same dtype, on wasm as a shared reference (the cpu backend's way) instead of a copy. The
 * engine clones every tensor it saves for a gradient, so with wasm's copying Identity each training or SGLD step
 * copied every activation of the network once more (about 4 ms a step for the JEM CNN at batch 64).
 */
function makeSharingIdentity(original: (a: KernelArgs) => TensorInfo) {
  return (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    const dtype = (args.attrs?.['dtype'] as tf.DataType | undefined) ?? x.dtype;
    const b = args.backend as Partial<{ incRef(dataId: object): void }>;
    if (x.dtype === 'string' || dtype !== x.dtype || typeof b.incRef !== 'function') return original(args);
    b.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype };
  };
}

/**
 * Sum over leading axes on wasm (the bias gradient of every conv and dense layer: dy [N, H, W, C] summed over N, H and
 * W) as one pass over the wasm heap with float64 accumulators (a WebAssembly SIMD kernel of tensor-glue.wat when
 * the kept size is a multiple of 4: 3.2 M elements took 1.2 ms instead of 12.7 in a kernel profile taken while two
 * other jobs shared the machine). wasm's own kernel first transposes the
 * reduced axes to the end, a full copy of dy.
 */
function makeLeadingAxesSum(original: (a: KernelArgs) => TensorInfo) {
  return (args: KernelArgs): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(args.attrs['axis'] as number | number[], x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return original(args);
    const keep = x.shape.slice(axes.length);
    const R = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const C = keep.reduce((a, b) => a * b, 1);
    const outShape = args.attrs['keepDims'] === true ? [...axes.map(() => 1), ...keep] : keep;
    const out = heap(args.backend).makeOutput(outShape, 'float32');
    const glue = tensorGlue(args.backend);
    if (glue && C % 4 === 0) {
      const acc = heap(args.backend).makeOutput([2 * C], 'float32');
      const b = args.backend as unknown as WasmBackendInternals;
      glue.columnSums(heapOffset(b, x), R, C, heapOffset(b, acc), heapOffset(b, out));
      args.backend.disposeData(acc.dataId);
      return out;
    }
    const xs = f32(args.backend, x);
    const acc = new Float64Array(C);
    for (let r = 0, off = 0; r < R; r++, off += C) for (let c = 0; c < C; c++) acc[c]! += xs[off + c]!;
    f32(args.backend, out).set(acc);
    return out;
  };
}

const KERNELS: [string, (a: KernelArgs) => TensorInfo][] = [
  ['Conv2DBackpropFilter', conv2DBackpropFilter],
  ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter],
  ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput],
];

/**
 * Registers the missing wasm gradient kernels (a kernel wasm already has is left alone) and the faster (or, for
 * MaxPoolGrad, correct) replacements listed in the module comment, once. Importing `@ebmkit/core/energy` calls this,
 * so CNN energies train on every backend. Returns the names registered by this call.
 */
export function registerWasmConvGradients(): string[] {
  const added: string[] = [];
  for (const [name, fn] of KERNELS) {
    if (tf.getKernel(name, 'wasm')) continue;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
    added.push(name);
  }
  // Faster replacements of slow wasm kernels (marked so that a second call leaves them alone). The original setup
  // function is kept: the wasm backend runs it at start-up to bind the C function the fallback uses.
  const replacements: [string, (orig: (a: KernelArgs) => TensorInfo) => (a: KernelArgs) => TensorInfo][] = [
    ['Conv2DBackpropInput', makeConv2DBackpropInput],
    ['MaxPoolGrad', () => maxPoolGrad],
    ['BatchMatMul', makeBatchMatMul],
    ['Identity', makeSharingIdentity],
    ['Cast', makeSharingIdentity],
    ['Sum', makeLeadingAxesSum],
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
