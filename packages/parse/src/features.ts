import { fin, hashString, mix } from './hash.js';
import { checkSentence, type ParseSentence } from './sentence.js';

/** Optional lexical feature families (used when the input carries them). */
export interface ParseFeatureOptions {
  /** Lemma features (head/dependent lemma and their pairs with tags). Default false: predicted input has none. */
  lemma?: boolean;
  /** Morphological feature-column features. Default false. */
  feats?: boolean;
}

/**
 * Version of the feature functions below: a model's weights are only meaningful with the features it was trained
 * with, so models record it and `DependencyParser.load` refuses another. Bump on any change to the features.
 */
export const FEATURE_VERSION = 3;

const ROOT = 0x5eed;
const BOS = 0x0b05;
const EOS = 0x0e05;
const NONE = 0x7777;

/**
 * The per-word codes of one sentence (node 0 is the root), computed once and shared by every arc: lower-cased form,
 * tag, suffix, lemma, feats as 32-bit codes, and the tag as a small id for in-between tag sets.
 */
export interface SentenceCodes {
  n: number;
  word: Int32Array;
  tag: Int32Array;
  suffix: Int32Array;
  lemma: Int32Array | null;
  feats: Int32Array | null;
  /** Tag ids 0..tagCount−1 (node 0 gets its own id) for the in-between sets. */
  tagId: Int32Array;
  /** Prefix counts over nodes 0..i of punctuation words (by form) and of verbs (UPOS VERB or AUX). */
  punctBefore: Int32Array;
  verbBefore: Int32Array;
  /** Word shape codes (case pattern, digits, hyphen). */
  shape: Int32Array;
}

const PUNCT = /^\p{P}+$/u;

function shapeOf(form: string): number {
  let cls = 0;
  const first = form.codePointAt(0) ?? 0;
  const ch = String.fromCodePoint(first);
  if (ch !== ch.toLowerCase()) cls |= 1;
  if (form !== form.toLowerCase() && form === form.toUpperCase() && form.length > 1) cls |= 2;
  if (/\p{Nd}/u.test(form)) cls |= 4;
  if (form.includes('-')) cls |= 8;
  if (PUNCT.test(form)) cls |= 16;
  return cls;
}

function suffixOf(s: string): string {
  const cps = Array.from(s);
  return cps.length > 3 ? cps.slice(-3).join('') : s;
}

/**
 * Codes of a sentence. `tagIndex` maps tags to small ids (an unknown tag gets `tagIndex.size`, the root
 * `tagIndex.size + 1`).
 */
export function sentenceCodes(s: ParseSentence, tagIndex: ReadonlyMap<string, number>, options: ParseFeatureOptions): SentenceCodes {
  const n = checkSentence(s);
  const N = n + 1;
  const word = new Int32Array(N);
  const tag = new Int32Array(N);
  const suffix = new Int32Array(N);
  const tagId = new Int32Array(N);
  const lemma = options.lemma && s.lemmas ? new Int32Array(N) : null;
  const feats = options.feats && s.feats ? new Int32Array(N) : null;
  word[0] = tag[0] = suffix[0] = ROOT;
  tagId[0] = tagIndex.size + 1;
  if (lemma) lemma[0] = ROOT;
  if (feats) feats[0] = ROOT;
  for (let i = 1; i < N; i++) {
    const lower = s.forms[i - 1]!.toLowerCase();
    word[i] = hashString(lower);
    tag[i] = hashString(s.tags[i - 1]!);
    suffix[i] = hashString(suffixOf(lower));
    tagId[i] = tagIndex.get(s.tags[i - 1]!) ?? tagIndex.size;
    if (lemma) lemma[i] = hashString(s.lemmas![i - 1]!.toLowerCase());
    if (feats) feats[i] = hashString(s.feats![i - 1]!);
  }
  const punctBefore = new Int32Array(N);
  const verbBefore = new Int32Array(N);
  const shape = new Int32Array(N);
  shape[0] = 99;
  for (let i = 1; i < N; i++) {
    const f = s.forms[i - 1]!;
    const t = s.tags[i - 1]!;
    shape[i] = shapeOf(f);
    punctBefore[i] = punctBefore[i - 1]! + (PUNCT.test(f) ? 1 : 0);
    verbBefore[i] = verbBefore[i - 1]! + (t === 'VERB' || t === 'AUX' ? 1 : 0);
  }
  return { n, word, tag, suffix, lemma, feats, tagId, punctBefore, verbBefore, shape };
}

/** Number of distinct values of `tagId` (tags, unknown, root). */
export function tagIdCount(tagIndex: ReadonlyMap<string, number>): number {
  return tagIndex.size + 2;
}

/** Distance bucket 1..5, 6–10, 11+ with the direction: 0..13. */
function dirDist(h: number, d: number): number {
  const dist = h < d ? d - h : h - d;
  const b = dist <= 5 ? dist - 1 : dist <= 10 ? 5 : 6;
  return (h < d ? 7 : 0) + b;
}

/** The three unigram keys of word i as a head (`role` 0: word·tag, word, tag) or as a dependent (role 1). */
function unigramKeys(c: SentenceCodes, i: number, role: number, out: Int32Array): void {
  const base = role === 0 ? 1 : 4;
  out[0] = mix(mix(base, c.word[i]!), c.tag[i]!);
  out[1] = mix(base + 1, c.word[i]!);
  out[2] = mix(base + 2, c.tag[i]!);
}

/** Writes the plain and the direction–distance-conjoined index of feature key x at out[k], out[k + 1]. */
function put(out: Int32Array, k: number, x: number, dd: number, mask: number): void {
  out[k] = fin(x) & mask;
  out[k + 1] = fin(mix(x, dd)) & mask;
}

/**
 * First-order arc features of h → d (MSTParser's families): head/dependent word, tag (and lemma, feats when enabled)
 * alone and in pairs, suffixes; surrounding tags; one head–between–dependent tag feature per distinct tag in `between`
 * (`betweenCount` ids of `tagId`, given by the caller). Every feature is emitted twice, plain and conjoined with
 * direction and distance, as indices into a table of `mask + 1` weights. Writes `out` and returns the count (at most
 * `maxArcFeatures(tagCount)`). `scoreArcs` computes the same sum with the unigram parts precomputed per word.
 */
export function arcFeatures(
  c: SentenceCodes,
  h: number,
  d: number,
  between: Int32Array,
  betweenCount: number,
  mask: number,
  out: Int32Array,
): number {
  const dd = 1000 + dirDist(h, d);
  const keys = new Int32Array(3);
  let k = 0;
  for (let role = 0; role < 2; role++) {
    unigramKeys(c, role === 0 ? h : d, role, keys);
    for (let i = 0; i < 3; i++, k += 2) put(out, k, keys[i]!, dd, mask);
  }
  const H = new Int32Array(HEAD_PARTS);
  headParts(c, h, H);
  return pairFeatures(c, H, h, d, between, betweenCount, mask, out, k);
}

/** Number of head partial keys (`headParts`), indexed by template number. */
const HEAD_PARTS = 38;

/**
 * The head-side prefixes of the pair templates' keys for head h (template t at index t): every pair key mixes the
 * head's codes first, so these are computed once per head and extended with the dependent's codes per arc.
 */
function headParts(c: SentenceCodes, h: number, H: Int32Array): void {
  const N = c.n + 1;
  const P = c.tag;
  const hw = c.word[h]!;
  const hp = P[h]!;
  const hs = c.suffix[h]!;
  const hpL = h > 0 ? P[h - 1]! : BOS;
  const hpR = h + 1 < N ? P[h + 1]! : EOS;
  H[7] = mix(mix(7, hw), hp);
  H[8] = mix(8, hp);
  H[9] = mix(9, hw);
  H[10] = mix(mix(10, hw), hp);
  H[11] = mix(mix(11, hw), hp);
  H[12] = mix(12, hw);
  H[13] = mix(13, hp);
  H[14] = mix(14, hs);
  H[15] = mix(15, hp);
  H[16] = mix(16, hs);
  H[17] = mix(mix(17, hp), hpR);
  H[18] = mix(mix(18, hpL), hp);
  H[19] = mix(mix(19, hp), hpR);
  H[20] = mix(mix(20, hpL), hp);
  H[21] = mix(mix(21, hp), hpR);
  H[22] = mix(22, hp);
  H[23] = mix(23, hp);
  H[24] = mix(mix(24, hpL), hp);
  H[25] = mix(25, hp);
  if (c.lemma) {
    H[26] = mix(26, c.lemma[h]!);
    H[27] = mix(27, c.lemma[h]!);
    H[28] = mix(28, hp);
  }
  if (c.feats) {
    H[29] = mix(29, c.feats[h]!);
    H[30] = mix(30, hp);
    H[31] = mix(31, c.feats[h]!);
  }
  H[32] = mix(32, hp);
  H[33] = mix(33, hw);
  H[34] = mix(34, hw);
  H[35] = mix(mix(35, hp), hpR);
  H[36] = mix(mix(36, hpL), hp);
  H[37] = mix(mix(37, hp), c.shape[h]!);
}

/**
 * The arc features that depend on both ends (everything but the unigrams), from the head's prefixes `H`
 * (`headParts`), written from out[k]; returns the new count.
 */
function pairFeatures(
  c: SentenceCodes,
  H: Int32Array,
  h: number,
  d: number,
  between: Int32Array,
  betweenCount: number,
  mask: number,
  out: Int32Array,
  k: number,
): number {
  const P = c.tag;
  const N = c.n + 1;
  const dw = c.word[d]!;
  const dp = P[d]!;
  const ds = c.suffix[d]!;
  const dpL = P[d - 1]!; // d ≥ 1: node 0 (the root code) is the left boundary
  const dpR = d + 1 < N ? P[d + 1]! : EOS;
  const dd = 1000 + dirDist(h, d);
  put(out, k, mix(mix(H[7]!, dw), dp), dd, mask);
  put(out, k + 2, mix(mix(H[8]!, dw), dp), dd, mask);
  put(out, k + 4, mix(mix(H[9]!, dw), dp), dd, mask);
  put(out, k + 6, mix(H[10]!, dp), dd, mask);
  put(out, k + 8, mix(H[11]!, dw), dd, mask);
  put(out, k + 10, mix(H[12]!, dw), dd, mask);
  put(out, k + 12, mix(H[13]!, dp), dd, mask);
  put(out, k + 14, mix(H[14]!, dp), dd, mask);
  put(out, k + 16, mix(H[15]!, ds), dd, mask);
  put(out, k + 18, mix(H[16]!, ds), dd, mask);
  put(out, k + 20, mix(mix(H[17]!, dpL), dp), dd, mask);
  put(out, k + 22, mix(mix(H[18]!, dpL), dp), dd, mask);
  put(out, k + 24, mix(mix(H[19]!, dp), dpR), dd, mask);
  put(out, k + 26, mix(mix(H[20]!, dp), dpR), dd, mask);
  put(out, k + 28, mix(H[21]!, dp), dd, mask);
  put(out, k + 30, mix(mix(H[22]!, dpL), dp), dd, mask);
  put(out, k + 32, mix(mix(H[23]!, dp), dpR), dd, mask);
  put(out, k + 34, mix(H[24]!, dp), dd, mask);
  // Context words with tags, shapes, and how many punctuation marks / verbs lie between the ends.
  const lo = h < d ? h : d;
  const hi = h < d ? d : h;
  const pb = Math.min(c.punctBefore[hi - 1]! - c.punctBefore[lo]!, 3);
  const vb = Math.min(c.verbBefore[hi - 1]! - c.verbBefore[lo]!, 3);
  put(out, k + 36, mix(mix(mix(H[32]!, dp), pb), vb), dd, mask);
  put(out, k + 38, mix(mix(H[33]!, dp), dpL), dd, mask);
  put(out, k + 40, mix(mix(H[34]!, dp), dpR), dd, mask);
  put(out, k + 42, mix(H[35]!, dw), dd, mask);
  put(out, k + 44, mix(H[36]!, dw), dd, mask);
  put(out, k + 46, mix(mix(H[37]!, dp), c.shape[d]!), dd, mask);
  k += 48;
  const hpdp = mix(H[25]!, dp);
  for (let i = 0; i < betweenCount; i++, k += 2) put(out, k, mix(hpdp, between[i]!), dd, mask);
  if (c.lemma) {
    const dl = c.lemma[d]!;
    put(out, k, mix(H[26]!, dl), dd, mask);
    put(out, k + 2, mix(H[27]!, dp), dd, mask);
    put(out, k + 4, mix(H[28]!, dl), dd, mask);
    k += 6;
  }
  if (c.feats) {
    const df = c.feats[d]!;
    put(out, k, mix(mix(H[29]!, dp), df), dd, mask);
    put(out, k + 2, mix(H[30]!, df), dd, mask);
    put(out, k + 4, mix(H[31]!, dp), dd, mask);
    k += 6;
  }
  return k;
}

/** An upper bound on `arcFeatures`' count. */
export function maxArcFeatures(tagCount: number): number {
  return 2 * (6 + 24 + tagCount + 6);
}

/** The distinct tag ids strictly between h and d, into `out`; returns the count (O(|h − d|), for single arcs). */
export function betweenTags(c: SentenceCodes, h: number, d: number, seen: Uint8Array, out: Int32Array): number {
  const lo = Math.min(h, d);
  const hi = Math.max(h, d);
  let k = 0;
  for (let i = lo + 1; i < hi; i++) {
    const t = c.tagId[i]!;
    if (!seen[t]) (seen[t] = 1), (out[k++] = t);
  }
  for (let i = 0; i < k; i++) seen[out[i]!] = 0;
  return k;
}

/**
 * Scores every arc h → d of a sentence into `arcs[h·(n+1) + d]` (−∞ on the diagonal and into the root) from the
 * weight table `w`. For each head the in-between tag set grows outwards, so the sentence costs O(n² · features).
 */
export function scoreArcs(c: SentenceCodes, w: Float64Array | Float32Array, mask: number, tagCount: number, arcs: Float64Array): Float64Array {
  const N = c.n + 1;
  const feats = new Int32Array(maxArcFeatures(tagCount));
  const between = new Int32Array(tagCount);
  const seen = new Uint8Array(tagCount);
  // Unigram parts per word: plain sums and one sum per direction–distance value (0..13), as head and as dependent.
  const keys = new Int32Array(3);
  const plain = new Float64Array(2 * N);
  const byDist = new Float64Array(2 * N * 14);
  for (let role = 0; role < 2; role++) {
    for (let i = role; i < N; i++) {
      unigramKeys(c, i, role, keys);
      let s = 0;
      for (let j = 0; j < 3; j++) s += w[fin(keys[j]!) & mask]!;
      plain[role * N + i] = s;
      for (let v = 0; v < 14; v++) {
        let t = 0;
        for (let j = 0; j < 3; j++) t += w[fin(mix(keys[j]!, 1000 + v)) & mask]!;
        byDist[(role * N + i) * 14 + v] = t;
      }
    }
  }
  const H = new Int32Array(HEAD_PARTS);
  for (let h = 0; h < N; h++) {
    arcs[h * N] = -Infinity;
    arcs[h * N + h] = -Infinity;
    headParts(c, h, H);
    for (let dir = 0; dir < 2; dir++) {
      let count = 0;
      seen.fill(0);
      const step = dir === 0 ? 1 : -1;
      for (let d = h + step; d >= 1 && d < N; d += step) {
        const m = pairFeatures(c, H, h, d, between, count, mask, feats, 0);
        const v = dirDist(h, d);
        let s = plain[h]! + plain[N + d]! + byDist[h * 14 + v]! + byDist[(N + d) * 14 + v]!;
        for (let i = 0; i < m; i++) s += w[feats[i]!]!;
        arcs[h * N + d] = s;
        const t = c.tagId[d]!;
        if (!seen[t]) (seen[t] = 1), (between[count++] = t);
      }
    }
  }
  return arcs;
}

/**
 * Label features of the arc heads[d] → d in a tree (label-independent keys; the label is added by the caller):
 * head/dependent word, tag, suffix and pairs, direction and distance, neighbouring tags, the head's own head tag,
 * and the dependent's outermost children's tags. Returns the count written to `out` (unmasked 32-bit keys).
 */
export function labelFeatures(c: SentenceCodes, heads: Int32Array, d: number, out: Int32Array, children: ChildSpans): number {
  const h = heads[d]!;
  const W = c.word;
  const P = c.tag;
  const S = c.suffix;
  const N = c.n + 1;
  const hw = W[h]!;
  const hp = P[h]!;
  const dw = W[d]!;
  const dp = P[d]!;
  const ds = S[d]!;
  const dd = dirDist(h, d);
  const gp = h > 0 ? P[heads[h]!]! : NONE;
  const dpL = P[d - 1]!;
  const dpR = d + 1 < N ? P[d + 1]! : EOS;
  const lc = children.leftmost[d]! > 0 ? P[children.leftmost[d]!]! : NONE;
  const rc = children.rightmost[d]! > 0 ? P[children.rightmost[d]!]! : NONE;
  const nkids = Math.min(children.count[d]!, 4);
  let k = 0;
  out[k++] = mix(101, hw);
  out[k++] = mix(102, hp);
  out[k++] = mix(103, dw);
  out[k++] = mix(104, dp);
  out[k++] = mix(105, ds);
  out[k++] = mix(mix(106, hp), dp);
  out[k++] = mix(mix(107, hw), dp);
  out[k++] = mix(mix(108, hp), dw);
  out[k++] = mix(mix(109, hw), dw);
  out[k++] = mix(110, dd);
  out[k++] = mix(mix(111, dp), dd);
  out[k++] = mix(mix(mix(112, hp), dp), dd);
  out[k++] = mix(mix(mix(113, dpL), dp), dd);
  out[k++] = mix(mix(mix(114, dp), dpR), dd);
  out[k++] = mix(mix(mix(115, gp), hp), dp);
  out[k++] = mix(mix(116, dp), lc);
  out[k++] = mix(mix(117, dp), rc);
  out[k++] = mix(mix(mix(118, dp), lc), rc);
  out[k++] = mix(mix(mix(119, dp), nkids), h === 0 ? 1 : 0);
  out[k++] = mix(mix(mix(120, dw), hp), dd);
  out[k++] = mix(mix(mix(125, hw), dw), dd);
  out[k++] = mix(mix(mix(126, dp), c.shape[d]!), dd);
  out[k++] = mix(mix(mix(127, hp), dp), d + 1 < N ? W[d + 1]! : EOS);
  out[k++] = mix(mix(128, dw), dd);
  // Words of the dependent's outermost children (function words such as "to", "that", a copula tell the relation),
  // the word before the dependent, the head's word with the dependent's tag and direction.
  out[k++] = mix(mix(129, dp), children.leftmost[d]! > 0 ? W[children.leftmost[d]!]! : NONE);
  out[k++] = mix(mix(130, dp), children.rightmost[d]! > 0 ? W[children.rightmost[d]!]! : NONE);
  out[k++] = mix(mix(131, dp), W[d - 1]!);
  out[k++] = mix(mix(mix(132, hw), dp), dd);
  out[k++] = mix(mix(mix(133, ds), hp), dd);
  if (c.lemma) {
    out[k++] = mix(121, c.lemma[d]!);
    out[k++] = mix(mix(122, c.lemma[h]!), c.lemma[d]!);
  }
  if (c.feats) {
    out[k++] = mix(123, c.feats[d]!);
    out[k++] = mix(mix(124, c.feats[d]!), hp);
  }
  return k;
}

/** An upper bound on `labelFeatures`' count. */
export const MAX_LABEL_FEATURES = 33;

/** Leftmost and rightmost child and child count of every node of a tree. */
export interface ChildSpans {
  leftmost: Int32Array;
  rightmost: Int32Array;
  count: Int32Array;
}

/** The children summary of a tree (heads[0] = −1). */
export function childSpans(heads: Int32Array): ChildSpans {
  const N = heads.length;
  const leftmost = new Int32Array(N);
  const rightmost = new Int32Array(N);
  const count = new Int32Array(N);
  for (let d = 1; d < N; d++) {
    const h = heads[d]!;
    count[h]!++;
    if (leftmost[h] === 0 || d < leftmost[h]!) leftmost[h] = d;
    if (d > rightmost[h]!) rightmost[h] = d;
  }
  return { leftmost, rightmost, count };
}
