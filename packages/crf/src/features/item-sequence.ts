/**
 * The input side of a linear-chain CRF: a sequence of items, each carrying a bag of string attributes
 * (optionally weighted). State features are attribute × label; the model interns attribute strings.
 *
 * Representation (one object per sentence, no per-item objects): for T items,
 *
 *     offsets: Uint32Array(T + 1)      item t owns names[offsets[t] .. offsets[t + 1])
 *     names:   string[]                all attribute strings of the sentence, item after item
 *     values:  Float64Array | null     same length as names; null when every value is 1
 *
 * CoNLL-2000 with the `chunking` set is ~212k tokens × ~19 attributes ≈ 4M names: one flat array of string
 * references plus two typed arrays, instead of ~212k small arrays and objects. Strings that repeat (POS tags,
 * frequent words) are shared, not copied. After interning (`internItemSequence`) the strings are no longer needed
 * and a sentence becomes three typed arrays (`offsets`, `ids`, `values`), the form the gradient code reads.
 */
import type { Dictionary } from '@ebmkit/core';

/** One item's attributes as given through the API; every value is 1 when `values` is omitted. */
export interface Attributes {
  names: string[];
  values?: Float64Array | number[];
}

/** A sentence's attributes in flat form (see the file comment). Treat as immutable. */
export interface ItemSequence {
  /** Number of items T. */
  readonly length: number;
  /** T + 1 offsets into `names`/`values`; item t owns [offsets[t], offsets[t + 1]). */
  readonly offsets: Uint32Array;
  /** All attribute names, item after item. */
  readonly names: readonly string[];
  /** Attribute values parallel to `names`, or null when every value is 1. */
  readonly values: Float64Array | null;
}

/** An ItemSequence after interning: attribute ids instead of strings (unseen attributes dropped). */
export interface InternedItemSequence {
  readonly length: number;
  readonly offsets: Uint32Array;
  /** Attribute ids (≥ 0), item after item. */
  readonly ids: Int32Array;
  /** Values parallel to `ids`, or null when every value is 1. */
  readonly values: Float64Array | null;
}

/**
 * Builds an ItemSequence item by item without intermediate arrays:
 * `b.item(); b.add('w=the'); b.add('len', 3); …; const seq = b.build();`
 */
export class ItemSequenceBuilder {
  private readonly names: string[] = [];
  private vals: number[] | null = null;
  private readonly offs: number[] = [0];
  private open = false;

  /** Starts the next item (call before its `add`s; an item may have no attributes). */
  item(): this {
    if (this.open) this.offs.push(this.names.length);
    this.open = true;
    return this;
  }

  /** Adds an attribute with `value` (default 1) to the current item. */
  add(name: string, value = 1): this {
    if (!this.open) throw new RangeError('ItemSequenceBuilder.add: call item() before add()');
    if (value !== 1 && this.vals === null) this.vals = new Array<number>(this.names.length).fill(1);
    this.names.push(name);
    if (this.vals !== null) this.vals.push(value);
    return this;
  }

  /** Number of items started so far. */
  get length(): number {
    return this.offs.length - 1 + (this.open ? 1 : 0);
  }

  /** The finished sequence; the builder must not be used afterwards. */
  build(): ItemSequence {
    if (this.open) this.offs.push(this.names.length);
    this.open = false;
    return {
      length: this.offs.length - 1,
      offsets: Uint32Array.from(this.offs),
      names: this.names,
      values: this.vals === null ? null : Float64Array.from(this.vals),
    };
  }
}

/** An ItemSequence from per-item attribute lists (the API form `{names, values?}`). */
export function itemSequenceFromAttributes(items: readonly Attributes[]): ItemSequence {
  const b = new ItemSequenceBuilder();
  for (let t = 0; t < items.length; t++) {
    const it = items[t]!;
    const v = it.values;
    if (v !== undefined && v.length !== it.names.length) {
      throw new RangeError(`item ${t}: values length ${v.length} !== names length ${it.names.length}`);
    }
    b.item();
    for (let i = 0; i < it.names.length; i++) {
      const x = v === undefined ? 1 : v[i]!;
      if (!Number.isFinite(x)) throw new RangeError(`item ${t}: value of ${JSON.stringify(it.names[i])} is ${x}, not finite`);
      b.add(it.names[i]!, x);
    }
  }
  return b.build();
}

/** The attributes of item `t` as `{names, values?}` (a copy; for inspection and tests, not hot loops). */
export function itemAttributes(seq: ItemSequence, t: number): Attributes {
  if (!(t >= 0 && t < seq.length)) throw new RangeError(`item ${t} out of range [0, ${seq.length})`);
  const a = seq.offsets[t]!;
  const b = seq.offsets[t + 1]!;
  const names = seq.names.slice(a, b);
  return seq.values === null ? { names } : { names, values: seq.values.slice(a, b) };
}

/**
 * Interns the attribute names of `seq` with `dict`: while training (dictionary not frozen) every name gets an id;
 * with a frozen dictionary names it has never seen are dropped (they have no weights).
 */
export function internItemSequence(seq: ItemSequence, dict: Dictionary): InternedItemSequence {
  const n = seq.names.length;
  const ids = new Int32Array(n);
  const values = seq.values === null ? null : new Float64Array(n);
  const offsets = new Uint32Array(seq.length + 1);
  let k = 0;
  for (let t = 0; t < seq.length; t++) {
    offsets[t] = k;
    const end = seq.offsets[t + 1]!;
    for (let i = seq.offsets[t]!; i < end; i++) {
      const id = dict.intern(seq.names[i]!);
      if (id < 0) continue;
      ids[k] = id;
      if (values !== null) values[k] = seq.values![i]!;
      k++;
    }
  }
  offsets[seq.length] = k;
  return {
    length: seq.length,
    offsets,
    ids: k === n ? ids : ids.slice(0, k),
    values: values === null ? null : k === n ? values : values.slice(0, k),
  };
}

/** A token sequence as a CoNLL loader yields it: [token][column]. */
export type TokenColumns = readonly (readonly string[])[];

/** Turns a token sequence into attributes (one ItemSequence item per token). */
export type FeatureExtractor = (tokens: TokenColumns) => ItemSequence;
