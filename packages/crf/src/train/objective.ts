import { ChainWorkspace } from '@ebmkit/core';
import type { EncodedCorpus } from '../corpus.js';
import type { FeatureIndex } from '../feature-index.js';
import { transitionWeights } from '../potentials.js';
import { featureRanges, type FeatureRanges } from './feature-ranges.js';
import { StateFeatureKernels } from './wasm/state-feature-kernels.js';

/** Buffers for `negLogLikelihood`, reused across calls (one per thread). */
export class LikelihoodWorkspace {
  readonly chain = new ChainWorkspace();
  unary = new Float64Array(0);
  node = new Float64Array(0);
  edgeSum: Float64Array;

  /**
   * `wasm`: run the state-feature loops in the WebAssembly kernels — `true` whenever available, `false` never,
   * default: when a call covers enough tokens to repay copying the weights in and the gradient out (16 tokens per
   * weight), i.e. for the batch trainers' whole corpus or shard but not for SGD's single sequences.
   */
  constructor(
    readonly L: number,
    private readonly options: { wasm?: boolean } = {},
  ) {
    this.edgeSum = new Float64Array(L * L);
  }

  /** Whether a call over `tokens` tokens uses the kernels (when they are available). */
  wantsKernels(tokens: number, numWeights: number): boolean {
    return this.options.wasm ?? 16 * tokens >= numWeights;
  }

  private scaled: Float64Array | null = null;

  /** scale · transition in a reused buffer. */
  scaledTransition(transition: Float64Array, scale: number): Float64Array {
    this.scaled ??= new Float64Array(transition.length);
    for (let k = 0; k < transition.length; k++) this.scaled[k] = scale * transition[k]!;
    return this.scaled;
  }

  private rangesOf: { index: FeatureIndex; corpus: EncodedCorpus; ranges: FeatureRanges } | null = null;

  /** The feature ranges of `corpus` under `index`, computed on first use and kept while both stay the same. */
  ranges(index: FeatureIndex, corpus: EncodedCorpus): FeatureRanges {
    const c = this.rangesOf;
    if (c && c.index === index && c.corpus === corpus) return c.ranges;
    const ranges = featureRanges(index, corpus);
    this.rangesOf = { index, corpus, ranges };
    return ranges;
  }

  private kernelsOf: { index: FeatureIndex; corpus: EncodedCorpus; kernels: StateFeatureKernels | null } | null = null;

  /** The WebAssembly state-feature kernels for `corpus` under `index` (null where unavailable), made on first use. */
  kernels(index: FeatureIndex, corpus: EncodedCorpus): StateFeatureKernels | null {
    const c = this.kernelsOf;
    if (c && c.index === index && c.corpus === corpus) return c.kernels;
    const kernels = StateFeatureKernels.create(index, corpus);
    this.kernelsOf = { index, corpus, kernels };
    return kernels;
  }

  reserve(T: number): void {
    if (this.unary.length < T * this.L) {
      const n = Math.max(T * this.L, this.unary.length * 2);
      this.unary = new Float64Array(n);
      this.node = new Float64Array(n);
    }
  }
}

/**
 * The negative log-likelihood −Σ_s log p(y_s | x_s) of sequences [from, to) and its gradient, ADDED into
 * `grad` (length index.numWeights): ∇ = E_p[features] − observed features. Transition gradients outside
 * `index.transitionMask` are left at zero. No regularisation here (the trainer adds it once). The weights
 * are `scale`·w (SGD's scaled representation); the gradient is with respect to those actual weights.
 */
export function negLogLikelihood(
  index: FeatureIndex,
  corpus: EncodedCorpus,
  from: number,
  to: number,
  w: Float64Array,
  grad: Float64Array,
  ws: LikelihoodWorkspace,
  scale = 1,
): number {
  const L = index.numLabels;
  const { numState, transitionMask } = index;
  const { seqStart, label } = corpus;
  let transition = transitionWeights(index, w);
  if (scale !== 1) transition = ws.scaledTransition(transition, scale);
  const edgeSum = ws.edgeSum.fill(0);
  // The WebAssembly kernels copy the weights in and the gradient out once per call: worth it for a whole corpus
  // or shard (the batch trainers), not for SGD's one sequence at a time.
  const kernels = ws.wantsKernels(seqStart[to]! - seqStart[from]!, index.numWeights) ? ws.kernels(index, corpus) : null;
  const fr = kernels ? null : ws.ranges(index, corpus);
  kernels?.loadWeights(w);
  let nll = 0;
  for (let s = from; s < to; s++) {
    const i0 = seqStart[s]!;
    const T = seqStart[s + 1]! - i0;
    if (T === 0) continue;
    let unary: Float64Array;
    let node: Float64Array;
    if (kernels) {
      kernels.reserve(T);
      ({ unary, node } = kernels);
      kernels.stateScores(s);
      if (scale !== 1) for (let q = 0; q < T * L; q++) unary[q]! *= scale;
    } else {
      ws.reserve(T);
      ({ unary, node } = ws);
      stateScores(fr!, corpus, L, s, w, unary, scale);
    }
    nll += ws.chain.sumProduct({ T, L, unary, transition }, node, edgeSum);
    // Gold score; observed counts enter the gradient through node − 1 at the gold labels.
    let gold = 0;
    for (let t = 0; t < T; t++) {
      const y = label[i0 + t]!;
      gold += unary[t * L + y]!;
      if (t > 0) {
        const ty = label[i0 + t - 1]! * L + y;
        gold += transition[ty]!;
        if (transitionMask[ty]) grad[numState + ty]! -= 1;
      }
      node[t * L + y]! -= 1;
    }
    nll -= gold;
    if (kernels) kernels.addExpectations(s);
    else addStateExpectations(fr!, corpus, L, s, node, grad);
  }
  kernels?.addGradient(grad);
  for (let k = 0; k < L * L; k++) if (transitionMask[k]) grad[numState + k]! += edgeSum[k]!;
  return nll;
}

/** unary[t·L + y] = scale · Σ_j value_j · w[k] over the state features k of label y of item t's occurrences j (as `potentials.stateScores`). */
function stateScores(fr: FeatureRanges, corpus: EncodedCorpus, L: number, s: number, w: Float64Array, out: Float64Array, scale: number): void {
  const { range, labels } = fr;
  const { seqStart, itemStart, value } = corpus;
  const i0 = seqStart[s]!;
  const T = seqStart[s + 1]! - i0;
  out.fill(0, 0, T * L);
  for (let t = 0; t < T; t++) {
    const o = t * L;
    const j1 = itemStart[i0 + t + 1]!;
    if (value === null) {
      for (let j = itemStart[i0 + t]!; j < j1; j++) {
        const k1 = range[2 * j + 1]!;
        for (let k = range[2 * j]!; k < k1; k++) out[o + labels[k]!]! += w[k]!;
      }
    } else {
      for (let j = itemStart[i0 + t]!; j < j1; j++) {
        const v = value[j]!;
        const k1 = range[2 * j + 1]!;
        for (let k = range[2 * j]!; k < k1; k++) out[o + labels[k]!]! += v * w[k]!;
      }
    }
  }
  if (scale !== 1) for (let q = 0; q < T * L; q++) out[q]! *= scale;
}

/** grad[k] += value_j · node[t·L + label(k)] over the state features k of every attribute occurrence of sequence s. */
function addStateExpectations(fr: FeatureRanges, corpus: EncodedCorpus, L: number, s: number, node: Float64Array, grad: Float64Array): void {
  const { range, labels } = fr;
  const { seqStart, itemStart, value } = corpus;
  const i0 = seqStart[s]!;
  const T = seqStart[s + 1]! - i0;
  for (let t = 0; t < T; t++) {
    const o = t * L;
    const j1 = itemStart[i0 + t + 1]!;
    if (value === null) {
      for (let j = itemStart[i0 + t]!; j < j1; j++) {
        const k1 = range[2 * j + 1]!;
        for (let k = range[2 * j]!; k < k1; k++) grad[k]! += node[o + labels[k]!]!;
      }
    } else {
      for (let j = itemStart[i0 + t]!; j < j1; j++) {
        const v = value[j]!;
        const k1 = range[2 * j + 1]!;
        for (let k = range[2 * j]!; k < k1; k++) grad[k]! += v * node[o + labels[k]!]!;
      }
    }
  }
}
