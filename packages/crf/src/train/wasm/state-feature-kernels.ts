import { instantiateKernels, WasmKernels, type WasmInstance } from '@ebmkit/core';
import type { EncodedCorpus } from '../../corpus.js';
import type { FeatureIndex } from '../../feature-index.js';
import { WASM_BASE64 } from './state-features-wasm.js';

/** The exports of state-features.wat (pointers are byte offsets into `memory`). */
interface Exports {
  scores(T: number, L: number, itemStart: number, range: number, labels: number, w: number, out: number): void;
  scoresWeighted(T: number, L: number, itemStart: number, range: number, labels: number, w: number, value: number, out: number): void;
  expect(T: number, L: number, itemStart: number, range: number, labels: number, node: number, grad: number): void;
  expectWeighted(T: number, L: number, itemStart: number, range: number, labels: number, node: number, value: number, grad: number): void;
}

/**
 * The state-feature loops of the CRF gradient (state scores, expected counts) as WebAssembly kernels over one
 * corpus resolved to feature ranges in the kernels' memory (about 2× the JavaScript loops: no bounds checks).
 * Per evaluation the weights are copied in (`loadWeights`) and the gradient added out (`addGradient`); the unary
 * and node tables of a sequence are views into the same memory. For labels up to 256 (one-byte labels).
 */
export class StateFeatureKernels extends WasmKernels<Exports> {
  private cap = 0;
  private readonly base: number; // byte offset of unary (then node); everything before it is fixed
  private readonly p: { itemStart: number; range: number; labels: number; value: number; w: number; grad: number };
  unary: Float64Array = new Float64Array(0);
  node: Float64Array = new Float64Array(0);

  private constructor(
    inst: WasmInstance<Exports>,
    readonly index: FeatureIndex,
    readonly corpus: EncodedCorpus,
  ) {
    super(WASM_BASE64, inst);
    const { attr, itemStart, value } = corpus;
    const nW = index.numWeights;
    const items = corpus.seqStart[corpus.numSequences]!;
    const align = (b: number) => Math.ceil(b / 16) * 16;
    const w = 0;
    const grad = align(w + 8 * nW);
    const val = align(grad + 8 * nW);
    const is = align(val + (value ? 8 * attr.length : 0));
    const range = align(is + 4 * (items + 1));
    const labels = align(range + 8 * attr.length);
    this.base = align(labels + index.numState);
    this.p = { itemStart: is, range, labels, value: val, w, grad };
    // Room for the corpus and sequences of up to 256 items without a new memory.
    this.ensure(this.base + 16 * 256 * index.numLabels);
    const buf = this.memory.buffer;
    new Int32Array(buf, is, items + 1).set(itemStart.subarray(0, items + 1));
    const r = new Int32Array(buf, range, 2 * attr.length);
    const { attrStart } = index;
    for (let j = 0; j < attr.length; j++) {
      const a = attr[j]!;
      r[2 * j] = attrStart[a]!;
      r[2 * j + 1] = attrStart[a + 1]!;
    }
    new Uint8Array(buf, labels, index.numState).set(index.featLabel.subarray(0, index.numState));
    if (value) new Float64Array(buf, val, attr.length).set(value);
  }

  /** Kernels over `corpus` (copied in once), or null when WebAssembly is unavailable, labels exceed a byte, or `EBM_CRF_KERNELS=js`. */
  static create(index: FeatureIndex, corpus: EncodedCorpus): StateFeatureKernels | null {
    if (index.numLabels > 256) return null;
    const inst = instantiateKernels<Exports>(WASM_BASE64, 'EBM_CRF_KERNELS');
    return inst ? new StateFeatureKernels(inst, index, corpus) : null;
  }

  /** Makes `unary` and `node` hold T·L values (views; re-made when the memory grows). */
  reserve(T: number): void {
    const n = T * this.index.numLabels;
    if (n <= this.cap && this.unary.buffer === this.memory.buffer) return;
    this.cap = Math.max(n, Math.ceil(this.cap * 1.5));
    this.ensure(this.base + 16 * this.cap);
    this.unary = new Float64Array(this.memory.buffer, this.base, this.cap);
    this.node = new Float64Array(this.memory.buffer, this.base + 8 * this.cap, this.cap);
  }

  /** Copies the weights in and zeroes the kernels' gradient. */
  loadWeights(w: Float64Array): void {
    const nW = this.index.numWeights;
    const buf = this.memory.buffer;
    new Float64Array(buf, this.p.w, nW).set(w.subarray(0, nW));
    new Float64Array(buf, this.p.grad, nW).fill(0);
  }

  /** unary[t·L + y] = Σ value·w over the state features of sequence s (unary zeroed first). */
  stateScores(s: number): void {
    const { seqStart } = this.corpus;
    const i0 = seqStart[s]!;
    const T = seqStart[s + 1]! - i0;
    const L = this.index.numLabels;
    this.unary.fill(0, 0, T * L);
    const is = this.p.itemStart + 4 * i0;
    if (this.corpus.value) this.x.scoresWeighted(T, L, is, this.p.range, this.p.labels, this.p.w, this.p.value, this.unary.byteOffset);
    else this.x.scores(T, L, is, this.p.range, this.p.labels, this.p.w, this.unary.byteOffset);
  }

  /** The kernels' gradient += value · node[t·L + label(k)] over the state features of sequence s. */
  addExpectations(s: number): void {
    const { seqStart } = this.corpus;
    const i0 = seqStart[s]!;
    const T = seqStart[s + 1]! - i0;
    const L = this.index.numLabels;
    const is = this.p.itemStart + 4 * i0;
    if (this.corpus.value) this.x.expectWeighted(T, L, is, this.p.range, this.p.labels, this.node.byteOffset, this.p.value, this.p.grad);
    else this.x.expect(T, L, is, this.p.range, this.p.labels, this.node.byteOffset, this.p.grad);
  }

  /** grad[k] += the kernels' gradient for the state features. */
  addGradient(grad: Float64Array): void {
    const g = new Float64Array(this.memory.buffer, this.p.grad, this.index.numState);
    for (let k = 0; k < g.length; k++) grad[k]! += g[k]!;
  }
}
