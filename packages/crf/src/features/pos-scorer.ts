/**
 * Fast unary potentials for models with the built-in `pos` feature set, equal to `Crf.potentials` (up to the order of
 * floating-point additions) without building or interning any attribute string per token.
 *
 * A `pos` token's attributes split into parts that depend on one word type only — its own attributes (`w=`, affixes,
 * shapes, flags, `bias`) and what it gives its neighbours (`w[±1,±2]=`, `s3[±1]=`) — plus the word bigrams and
 * `__BOS__`/`__EOS__`. Each part's score vector (one number per label) is computed once per word type, bigram or
 * constant and cached; bigram attributes are found through an index of the model's bigrams by word-id pairs (built
 * once a text passes 2000 tokens; before, by direct lookups). Tagging a token is then a few Map lookups and vector
 * additions. A new word type's attributes are found in the packed attribute dictionary by prefix and value
 * (`Dictionary.getConcat`: hashed and compared part by part, no attribute string built).
 * The per-type scores live in one growing slab of numbers (no object or typed array per word type). The cache is
 * bounded (cleared between sentences when it would pass `maxEntries` word types, default 32 768, about 22 MB), so
 * memory stays flat on an endless stream.
 */
import { Dictionary } from '@ebmkit/core';
import type { FeatureIndex } from '../feature-index.js';
import type { FeatureSpec } from '../feature-spec.js';
import { suffix, wordTypeParts } from './builtin.js';

const LEFT = 'w[-1]|w[0]=';
const RIGHT = 'w[0]|w[1]=';
/** Tokens scored before the bigram index is built (a short text looks pairs up directly instead). */
const INDEX_AFTER_TOKENS = 2000;

/** The model's word-bigram attributes keyed by a pair of small word ids (no string building while tagging). */
interface BigramIndex {
  /** Lower-cased words that occur in some bigram attribute → id. */
  words: Map<string, number>;
  /** id(a)·stride + id(b) → k; `w[-1]|w[0]=a|b` is attrs[2k] and `w[0]|w[1]=a|b` attrs[2k+1] (−1: none). */
  pairs: Map<number, number>;
  attrs: Int32Array;
  stride: number;
}

/** The id of `key` in `ids`, the next free one (ids.size) if it is new. */
function idOf(ids: Map<string, number>, key: string): number {
  let id = ids.get(key);
  if (id === undefined) ids.set(key, (id = ids.size));
  return id;
}

/** Indexes the bigram attributes (an attribute value with several '|' is registered under every split). */
function bigramIndex(attributes: Dictionary): BigramIndex {
  const words = new Map<string, number>();
  const wid = (w: string): number => idOf(words, w);
  const splits: number[] = []; // attribute, slot, id(a), id(b)
  for (let a = 0; a < attributes.size; a++) {
    const name = attributes.string(a);
    const slot = name.startsWith(LEFT) ? 0 : name.startsWith(RIGHT) ? 1 : -1;
    if (slot < 0) continue;
    const value = name.slice(slot === 0 ? LEFT.length : RIGHT.length);
    for (let p = value.indexOf('|'); p >= 0; p = value.indexOf('|', p + 1)) {
      splits.push(a, slot, wid(value.slice(0, p)), wid(value.slice(p + 1)));
    }
  }
  const stride = Math.max(1, words.size); // keys id(a)·stride + id(b) stay small integers
  const pairs = new Map<number, number>();
  const attrs: number[] = [];
  for (let i = 0; i < splits.length; i += 4) {
    const key = splits[i + 2]! * stride + splits[i + 3]!;
    let k = pairs.get(key);
    if (k === undefined) {
      k = attrs.length / 2;
      pairs.set(key, k);
      attrs.push(-1, -1);
    }
    attrs[2 * k + splits[i + 1]!] = splits[i]!;
  }
  return { words, pairs, attrs: Int32Array.from(attrs), stride };
}

/** `w[o]=` and `s3[o]=` for o = OFFSETS[s] (constant strings). */
const CONTEXT_WORD = ['w[-2]=', 'w[-1]=', 'w[1]=', 'w[2]='] as const;
const CONTEXT_SUFFIX = [null, 's3[-1]=', 's3[1]=', null] as const;

/** Neighbour offsets as seen from the token that gets the attribute: `w[o]=` of token t is word t + o. */
const OFFSETS = [-2, -1, 1, 2] as const;

/**
 * Per word type, in one slab of numbers (no object or typed array per type): [slot·stride ..] holds the word's own
 * attributes' scores ([L]) then what it gives a neighbour ([s·L + y], s over OFFSETS: the scores of `w[o]=<lower>`
 * and `s3[o]=`; the word at position q contributes slot s to the token at q − o).
 */
const OWN_AND_CONTEXT = 5;

export class PosScorer {
  private readonly L: number;
  private readonly stride: number;
  /** Word type → slot. */
  private readonly slots = new Map<string, number>();
  private slab: Float64Array;
  /** Per slot: bit s set when context part s is not all zero (most words give their neighbours nothing). */
  private contextMask: Int32Array;
  /** Per slot: the word's id in the bigram index (−1: in no bigram attribute, or no index yet). */
  private bigramId: Int32Array;
  /** Per slot: the lower-cased word (direct bigram lookups before the index exists). */
  private lowers: string[] = [];
  private used = 0;
  private slotBuf = new Int32Array(256);
  private bigrams: BigramIndex | null = null;
  /** The attribute names, packed (found without building prefix + value) once a text is long enough. */
  private names: Dictionary;
  private scored = 0;
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
    this.names = attributes;
    this.stride = OWN_AND_CONTEXT * this.L;
    this.maxEntries = maxEntries;
    const initial = Math.min(maxEntries, 1024);
    this.slab = new Float64Array(initial * this.stride);
    this.contextMask = new Int32Array(initial);
    this.bigramId = new Int32Array(initial);
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
    const maxEntries = options.maxEntries ?? 1 << 15;
    if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 1 << 15) {
      throw new RangeError(`PosScorer: maxEntries must be an integer in [1, 32768], got ${maxEntries}`);
    }
    const affix = f.options?.affixLength ?? 4;
    return new PosScorer(model.attributes, model.index, model.weights, affix, f.options?.bias ?? true, maxEntries);
  }

  /** Number of cached word types (at most maxEntries after each call). */
  get cacheSize(): number {
    return this.slots.size;
  }

  /** Adds the state weights of attribute `name` to out[offset + y]. */
  private addAttribute(name: string, out: Float64Array, offset: number): void {
    const a = this.attributes.get(name);
    if (a >= 0) this.addAttributeId(a, out, offset);
  }

  /** Adds the state weights of attribute prefix + value to out[offset + y] (no string is built for a packed dictionary). */
  private addPart(prefix: string, value: string, out: Float64Array, offset: number): void {
    const a = this.names.getConcat(prefix, value);
    if (a >= 0) this.addAttributeId(a, out, offset);
  }

  private addAttributeId(a: number, out: Float64Array, offset: number): void {
    const { attrStart, featLabel } = this.index;
    const w = this.weights;
    for (let k = attrStart[a]!; k < attrStart[a + 1]!; k++) out[offset + featLabel[k]!]! += w[k]!;
  }

  /** Adds the bigram attributes of words t − 1, t (slots a, b) to tokens t (at o) and t − 1 (at o − L). */
  private addBigram(a: number, b: number, out: Float64Array, o: number): void {
    const index = this.bigrams;
    if (index === null) {
      const pair = this.lowers[a]! + '|' + this.lowers[b]!;
      this.addAttribute(LEFT + pair, out, o);
      this.addAttribute(RIGHT + pair, out, o - this.L);
      return;
    }
    const ia = this.bigramId[a]!;
    const ib = this.bigramId[b]!;
    if (ia < 0 || ib < 0) return;
    const k = index.pairs.get(ia * index.stride + ib);
    if (k === undefined) return;
    const left = index.attrs[2 * k]!;
    const right = index.attrs[2 * k + 1]!;
    if (left >= 0) this.addAttributeId(left, out, o);
    if (right >= 0) this.addAttributeId(right, out, o - this.L);
  }

  private vector(names: readonly string[]): Float64Array {
    const v = new Float64Array(this.L);
    for (const n of names) this.addAttribute(n, v, 0);
    return v;
  }

  /** Room for `n` slots in the slab and its side arrays. */
  private reserve(n: number): void {
    if (n <= this.contextMask.length) return;
    let cap = this.contextMask.length;
    while (cap < n) cap *= 2;
    const slab = new Float64Array(cap * this.stride);
    slab.set(this.slab.subarray(0, this.used * this.stride));
    this.slab = slab;
    const mask = new Int32Array(cap);
    mask.set(this.contextMask.subarray(0, this.used));
    this.contextMask = mask;
    const ids = new Int32Array(cap);
    ids.set(this.bigramId.subarray(0, this.used));
    this.bigramId = ids;
  }

  /** The slot of `word`, scoring it on first sight (the caller has reserved room). */
  private entry(word: string): number {
    const known = this.slots.get(word);
    if (known !== undefined) return known;
    const L = this.L;
    const slot = this.used++;
    const slab = this.slab;
    const base = slot * this.stride;
    slab.fill(0, base, base + this.stride);
    if (this.bias) this.addAttribute('bias', slab, base);
    wordTypeParts(word, this.affix, (prefix, value) => this.addPart(prefix, value, slab, base));
    const lower = word.toLowerCase();
    let mask = 0;
    for (let s = 0; s < 4; s++) {
      const o = base + (s + 1) * L;
      this.addPart(CONTEXT_WORD[s]!, lower, slab, o);
      const sp = CONTEXT_SUFFIX[s];
      if (sp != null) this.addPart(sp, suffix(lower, 3), slab, o);
      for (let y = 0; y < L; y++) {
        if (slab[o + y] !== 0) {
          mask |= 1 << s;
          break;
        }
      }
    }
    this.contextMask[slot] = mask;
    this.bigramId[slot] = this.bigrams === null ? -1 : (this.bigrams.words.get(lower) ?? -1);
    this.lowers[slot] = lower;
    this.slots.set(word, slot);
    return slot;
  }

  private clear(): void {
    this.slots.clear();
    this.lowers = [];
    this.used = 0;
  }

  /** Unary log-potentials of `words` into out[t·L + y] (out must hold words.length·L numbers). */
  unary(words: readonly string[], out: Float64Array): void {
    const T = words.length;
    const L = this.L;
    this.scored += T;
    if (this.bigrams === null && this.scored > INDEX_AFTER_TOKENS) {
      // a long text: index the bigram attributes once; cached entries are rebuilt with their index ids
      this.bigrams = bigramIndex(this.attributes);
      // a model trained in this process (or read from a format-1 file) keeps its names in a Map: pack them once
      if (!this.attributes.isPacked && this.attributes.utf8Encodable) {
        const { bytes, offsets, table } = this.attributes.toUtf8();
        this.names = Dictionary.fromUtf8(bytes, offsets, table);
      }
      this.clear();
    }
    // every slot this sentence uses stays valid until it is scored: clear before, never during
    if (this.used + T > this.maxEntries) this.clear();
    this.reserve(this.used + T);
    if (this.slotBuf.length < T) this.slotBuf = new Int32Array(Math.max(T, 2 * this.slotBuf.length));
    const slots = this.slotBuf;
    for (let t = 0; t < T; t++) slots[t] = this.entry(words[t]!);
    const slab = this.slab;
    const stride = this.stride;
    const masks = this.contextMask;
    for (let t = 0; t < T; t++) {
      const o = t * L;
      const own = slots[t]! * stride;
      for (let y = 0; y < L; y++) out[o + y] = slab[own + y]!;
      for (let s = 0; s < 4; s++) {
        const q = t + OFFSETS[s]!;
        if (q < 0 || q >= T || (masks[slots[q]!]! & (1 << s)) === 0) continue;
        const c = slots[q]! * stride + (s + 1) * L;
        for (let y = 0; y < L; y++) out[o + y]! += slab[c + y]!;
      }
      if (t > 0) this.addBigram(slots[t - 1]!, slots[t]!, out, o);
    }
    if (T > 0) {
      for (let y = 0; y < L; y++) out[y]! += this.bos[y]!;
      const e = (T - 1) * L;
      for (let y = 0; y < L; y++) out[e + y]! += this.eos[y]!;
    }
    if (this.used > this.maxEntries) this.clear(); // one sentence longer than the cache
  }
}
