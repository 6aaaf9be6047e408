/**
 * Fast unary potentials for models with the built-in `pos` feature set, equal to `Crf.potentials` (up to the order of
 * floating-point additions) without building or interning any attribute string per token.
 *
 * A `pos` token's attributes split into parts that depend on one word type only — its own attributes (`w=`, affixes,
 * shapes, flags, `bias`) and what it gives its neighbours (`w[±1,±2]=`, `s3[±1]=`) — plus the word bigrams and
 * `__BOS__`/`__EOS__`. Each part's score vector (one number per label) is computed once per word type, bigram or
 * constant and cached; tagging a token is then a few Map lookups (small-integer keys for pairs) and vector additions.
 * The caches are bounded (cleared when they reach `maxEntries` word types, default 32 768, about 25 MB), so memory
 * stays flat on an endless stream.
 */
import type { Dictionary } from '@ebmkit/core';
import type { FeatureIndex } from '../feature-index.js';
import type { FeatureSpec } from '../feature-spec.js';
import { suffix, wordTypeAttributes } from './builtin.js';

interface WordEntry {
  /** The word's own attributes' scores, [L]. */
  own: Float64Array;
  /**
   * What the word gives a neighbour: [s·L + y] holds the scores of `w[o]=<lower>` (and `s3[o]=`) with o = OFFSETS[s];
   * the word at position q contributes slot s to the token at q − o.
   */
  context: Float64Array;
  lower: string;
  /** Small id (< maxEntries, reassigned when the cache is cleared): bigram cache keys are id(a)·maxEntries + id(b). */
  id: number;
}

const LEFT = 'w[-1]|w[0]=';
const RIGHT = 'w[0]|w[1]=';
/** Bigram cache values: (id(left) + 1)·2²² + id(right) + 1, 0 when the model has neither attribute. */
const ATTR_SHIFT = 2 ** 22;

/** Neighbour offsets as seen from the token that gets the attribute: `w[o]=` of token t is word t + o. */
const OFFSETS = [-2, -1, 1, 2] as const;

export class PosScorer {
  private readonly L: number;
  private readonly words = new Map<string, WordEntry>();
  /** Word-pair key → the pair's two bigram attributes (see ATTR_SHIFT); cleared with `words`. */
  private readonly bigrams = new Map<number, number>();
  private readonly bos: Float64Array;
  private readonly eos: Float64Array;
  private readonly maxEntries: number;

  private constructor(
    private readonly attributes: Dictionary,
    private readonly index: FeatureIndex,
    private readonly weights: Float64Array,
    private readonly affix: number,
    private readonly bias: boolean,
    maxEntries: number,
  ) {
    this.L = index.numLabels;
    this.maxEntries = maxEntries;
    this.bos = this.vector(['__BOS__']);
    this.eos = this.vector(['__EOS__']);
  }

  /**
   * A scorer for a model whose features are the built-in `pos` set on column 0, or null for any other features
   * (then use `Crf.potentials`).
   */
  static forModel(
    model: { features: FeatureSpec; attributes: Dictionary; index: FeatureIndex; weights: Float64Array },
    options: { maxEntries?: number } = {},
  ): PosScorer | null {
    const f = model.features;
    if (f.kind !== 'builtin' || f.name !== 'pos' || (f.options?.wordColumn ?? 0) !== 0) return null;
    if (model.attributes.size >= ATTR_SHIFT - 1) return null; // the bigram cache's packing needs fewer attributes
    const maxEntries = options.maxEntries ?? 1 << 15;
    if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 1 << 15) {
      throw new RangeError(`PosScorer: maxEntries must be an integer in [1, 32768], got ${maxEntries}`);
    }
    const affix = f.options?.affixLength ?? 4;
    return new PosScorer(model.attributes, model.index, model.weights, affix, f.options?.bias ?? true, maxEntries);
  }

  /** Number of cached word types and word pairs (for tests of the bound: at most 5 · maxEntries). */
  get cacheSize(): number {
    return this.words.size + this.bigrams.size;
  }

  /** Adds the state weights of attribute `name` to out[offset + y]. */
  private addAttribute(name: string, out: Float64Array, offset: number): void {
    const a = this.attributes.get(name);
    if (a >= 0) this.addAttributeId(a, out, offset);
  }

  private addAttributeId(a: number, out: Float64Array, offset: number): void {
    const { attrStart, featLabel } = this.index;
    const w = this.weights;
    for (let k = attrStart[a]!; k < attrStart[a + 1]!; k++) out[offset + featLabel[k]!]! += w[k]!;
  }

  /** The bigram attributes of the pair of entries a, b (cached). */
  private bigram(a: WordEntry, b: WordEntry): number {
    const key = a.id * this.maxEntries + b.id;
    let v = this.bigrams.get(key);
    if (v === undefined) {
      const pair = a.lower + '|' + b.lower;
      v = (this.attributes.get(LEFT + pair) + 1) * ATTR_SHIFT + this.attributes.get(RIGHT + pair) + 1;
      if (this.bigrams.size >= 4 * this.maxEntries) this.bigrams.clear();
      this.bigrams.set(key, v);
    }
    return v;
  }

  private vector(names: readonly string[]): Float64Array {
    const v = new Float64Array(this.L);
    for (const n of names) this.addAttribute(n, v, 0);
    return v;
  }

  private entry(word: string): WordEntry {
    let e = this.words.get(word);
    if (e !== undefined) return e;
    const L = this.L;
    const own = new Float64Array(L);
    if (this.bias) this.addAttribute('bias', own, 0);
    wordTypeAttributes(word, this.affix, (name) => void this.addAttribute(name, own, 0));
    const lower = word.toLowerCase();
    const context = new Float64Array(4 * L);
    for (let s = 0; s < 4; s++) {
      const o = OFFSETS[s]!;
      this.addAttribute(`w[${o}]=` + lower, context, s * L);
      if (o === -1 || o === 1) this.addAttribute(`s3[${o}]=` + suffix(lower, 3), context, s * L);
    }
    if (this.words.size >= this.maxEntries) {
      this.words.clear();
      this.bigrams.clear();
    }
    e = { own, context, lower, id: this.words.size };
    this.words.set(word, e);
    return e;
  }

  /** Unary log-potentials of `words` into out[t·L + y] (out must hold words.length·L numbers). */
  unary(words: readonly string[], out: Float64Array): void {
    const T = words.length;
    const L = this.L;
    out.fill(0, 0, T * L);
    const entries: WordEntry[] = new Array<WordEntry>(T);
    for (let t = 0; t < T; t++) entries[t] = this.entry(words[t]!);
    for (let t = 0; t < T; t++) {
      const o = t * L;
      const own = entries[t]!.own;
      for (let y = 0; y < L; y++) out[o + y] = own[y]!;
      for (let s = 0; s < 4; s++) {
        const q = t + OFFSETS[s]!;
        if (q < 0 || q >= T) continue;
        const c = entries[q]!.context;
        const cs = s * L;
        for (let y = 0; y < L; y++) out[o + y]! += c[cs + y]!;
      }
      if (t > 0) {
        const v = this.bigram(entries[t - 1]!, entries[t]!);
        if (v !== 0) {
          const left = Math.floor(v / ATTR_SHIFT) - 1;
          const right = (v % ATTR_SHIFT) - 1;
          if (left >= 0) this.addAttributeId(left, out, o);
          if (right >= 0) this.addAttributeId(right, out, o - L);
        }
      }
    }
    if (T > 0) {
      for (let y = 0; y < L; y++) out[y]! += this.bos[y]!;
      const e = (T - 1) * L;
      for (let y = 0; y < L; y++) out[e + y]! += this.eos[y]!;
    }
  }
}
