/**
 * Fast unary potentials for models with the built-in `pos` feature set, equal to `Crf.potentials` (up to the order of
 * floating-point additions) without building or interning any attribute string per token.
 *
 * A `pos` token's attributes split into parts that depend on one word type only — its own attributes (`w=`, affixes,
 * shapes, flags, `bias`) and what it gives its neighbours (`w[±1,±2]=`, `s3[±1]=`) — plus the word bigrams and
 * `__BOS__`/`__EOS__`. Each part's score vector (one number per label) is computed once per word type, bigram or
 * constant and cached; tagging a token is then a few Map lookups and vector additions. The caches are bounded
 * (cleared when they reach `maxEntries`), so memory stays flat on an endless stream.
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
}

/** Neighbour offsets as seen from the token that gets the attribute: `w[o]=` of token t is word t + o. */
const OFFSETS = [-2, -1, 1, 2] as const;

export class PosScorer {
  private readonly L: number;
  private readonly words = new Map<string, WordEntry>();
  private readonly bigrams = new Map<string, Float64Array | null>();
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
    const affix = f.options?.affixLength ?? 4;
    return new PosScorer(model.attributes, model.index, model.weights, affix, f.options?.bias ?? true, options.maxEntries ?? 1 << 17);
  }

  /** Number of cached word types and bigrams (for tests of the bound). */
  get cacheSize(): number {
    return this.words.size + this.bigrams.size;
  }

  /** Adds the state weights of attribute `name` to out[offset + y]; returns whether the model knows it. */
  private addAttribute(name: string, out: Float64Array, offset: number): boolean {
    const a = this.attributes.get(name);
    if (a < 0) return false;
    const { attrStart, featLabel } = this.index;
    const w = this.weights;
    for (let k = attrStart[a]!; k < attrStart[a + 1]!; k++) out[offset + featLabel[k]!]! += w[k]!;
    return true;
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
    e = { own, context, lower };
    if (this.words.size >= this.maxEntries) this.words.clear();
    this.words.set(word, e);
    return e;
  }

  /** Scores of the bigram (a, b): [0, L) for the token of b (`w[-1]|w[0]=`), [L, 2L) for the token of a (`w[0]|w[1]=`). */
  private bigram(a: string, b: string): Float64Array | null {
    const key = a + '|' + b;
    let v = this.bigrams.get(key);
    if (v !== undefined) return v;
    const buf = new Float64Array(2 * this.L);
    const known = this.addAttribute('w[-1]|w[0]=' + key, buf, 0);
    const known2 = this.addAttribute('w[0]|w[1]=' + key, buf, this.L);
    v = known || known2 ? buf : null;
    if (this.bigrams.size >= this.maxEntries) this.bigrams.clear();
    this.bigrams.set(key, v);
    return v;
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
        const v = this.bigram(entries[t - 1]!.lower, entries[t]!.lower);
        if (v !== null) {
          for (let y = 0; y < L; y++) out[o + y]! += v[y]!;
          const p = o - L;
          for (let y = 0; y < L; y++) out[p + y]! += v[L + y]!;
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
