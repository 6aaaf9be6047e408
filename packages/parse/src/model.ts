import { chuLiuEdmonds, eisnerBacktrace, eisnerInside, loadModel, MaxSemiring, saveModel, type Tensor } from '@ebmkit/core';
import { fin } from './hash.js';
import {
  childSpans,
  FEATURE_VERSION,
  labelFeatures,
  MAX_LABEL_FEATURES,
  scoreArcs,
  sentenceCodes,
  tagIdCount,
  type ParseFeatureOptions,
  type SentenceCodes,
} from './features.js';
import { checkSentence, type ParseResult, type ParseSentence } from './sentence.js';

export const PARSER_MODEL_KIND = 'dependency-parser';
export const PARSER_FORMAT_VERSION = 1;

/** Longest sentence parsed as one tree; longer ones are parsed in windows of this many words (see `parse`). */
export const MAX_PARSE_WORDS = 1000;
/**
 * The same limit for projective parsers: Eisner's algorithm is cubic (a 1,000-word window takes ≈ 6× Chu–Liu–Edmonds'
 * time), so run-on input is cut into windows of this many words. UD English-EWT's longest sentence has 159 words.
 */
export const MAX_PROJECTIVE_PARSE_WORDS = 250;

/** Everything a parser needs besides its weights. */
export interface ParserConfig {
  /** log2 of the arc weight table size. */
  arcBits: number;
  /** log2 of the label feature buckets (each holds one weight per label). */
  labelBits: number;
  tags: string[];
  labels: string[];
  features: ParseFeatureOptions;
  /** Decode projective trees only (Eisner) instead of Chu–Liu–Edmonds. */
  projective: boolean;
}

interface ParserMetadata extends ParserConfig {
  featureVersion: number;
  training?: Record<string, number | string>;
}

/**
 * A fitted arc-factored dependency parser: the energy of a tree is −Σ_arcs w · f(h → d) (hashed MSTParser features),
 * decoded as the best single-rooted tree (Chu–Liu–Edmonds, or Eisner when projective); relations come from a
 * multiclass linear model over the arcs of that tree.
 */
export class DependencyParser {
  readonly config: ParserConfig;
  /** Arc weights, length 2^arcBits. */
  readonly arcWeights: Float32Array;
  /** Label weights [bucket·L + label], length 2^labelBits · L. */
  readonly labelWeights: Float32Array;
  readonly training: Record<string, number | string>;
  private readonly tagIndex: Map<string, number>;

  constructor(config: ParserConfig, arcWeights: Float32Array, labelWeights: Float32Array, training: Record<string, number | string> = {}) {
    if (arcWeights.length !== 2 ** config.arcBits) throw new RangeError(`arc weights length ${arcWeights.length} !== 2^${config.arcBits}`);
    if (labelWeights.length !== 2 ** config.labelBits * config.labels.length) {
      throw new RangeError(`label weights length ${labelWeights.length} !== 2^${config.labelBits} × ${config.labels.length} labels`);
    }
    this.config = config;
    this.arcWeights = arcWeights;
    this.labelWeights = labelWeights;
    this.training = training;
    this.tagIndex = new Map(config.tags.map((t, i) => [t, i]));
  }

  /** Per-word codes of a sentence under this parser's tag set and features. */
  codes(s: ParseSentence): SentenceCodes {
    return sentenceCodes(s, this.tagIndex, this.config.features);
  }

  /** Arc scores θ(h → d) = w · f(h → d) at [h·(n+1) + d] (the negative arc energies). */
  arcScores(s: ParseSentence | SentenceCodes): Float64Array {
    const c = 'forms' in s ? this.codes(s) : s;
    const N = c.n + 1;
    return scoreArcs(c, this.arcWeights, this.arcWeights.length - 1, tagIdCount(this.tagIndex), new Float64Array(N * N));
  }

  /**
   * Parses one sentence (words with tags): heads (heads[0] = −1) and relations. Sentences longer than
   * `MAX_PARSE_WORDS` (projective parsers: `MAX_PROJECTIVE_PARSE_WORDS`) are parsed in consecutive windows of that
   * many words (each window's root word attached to the first window's root), which keeps time and memory linear in
   * the length of a run-on "sentence".
   */
  parse(s: ParseSentence): ParseResult {
    const n = checkSentence(s);
    if (n > this.windowWords) return this.parseInWindows(s, n);
    const c = this.codes(s);
    const heads = decodeTree(this.arcScores(c), c.n, this.config.projective);
    return { heads, deprels: this.label(c, heads) };
  }

  /** Longest sentence parsed as one tree (see `parse`). */
  get windowWords(): number {
    return this.config.projective ? MAX_PROJECTIVE_PARSE_WORDS : MAX_PARSE_WORDS;
  }

  private parseInWindows(s: ParseSentence, n: number): ParseResult {
    const heads = new Int32Array(n + 1);
    heads[0] = -1;
    const deprels: string[] = [];
    let firstRoot = 0;
    const W = this.windowWords;
    for (let start = 0; start < n; start += W) {
      const end = Math.min(n, start + W);
      const part: ParseSentence = { forms: s.forms.slice(start, end), tags: s.tags.slice(start, end) };
      if (s.lemmas) part.lemmas = s.lemmas.slice(start, end);
      if (s.feats) part.feats = s.feats.slice(start, end);
      const r = this.parse(part);
      for (let d = 1; d <= end - start; d++) {
        const h = r.heads[d]!;
        if (h === 0 && firstRoot !== 0) {
          heads[start + d] = firstRoot;
          deprels.push('parataxis');
        } else {
          if (h === 0) firstRoot = start + d;
          heads[start + d] = h === 0 ? 0 : start + h;
          deprels.push(r.deprels[d - 1]!);
        }
      }
    }
    return { heads, deprels };
  }

  /** Parses words with their UPOS tags (the call `ebm tag --parse` makes): heads (heads[0] = −1) and relations. */
  parseTokens(words: readonly string[], tags: readonly string[]): ParseResult {
    return this.parse({ forms: [...words], tags: [...tags] });
  }

  /** Relations for the arcs of a given tree. */
  label(c: SentenceCodes, heads: Int32Array): string[] {
    const ids = labelTree(c, heads, this.labelWeights, this.config.labelBits, this.config.labels.length);
    return Array.from(ids, (l) => this.config.labels[l]!);
  }

  /**
   * A copy keeping only the `arcWeights` / `labelWeights` largest weights by magnitude (the rest set to zero), to
   * make the saved file small (only non-zero weights are stored, 8 bytes each).
   */
  pruned(limits: { arcWeights?: number; labelWeights?: number }): DependencyParser {
    return new DependencyParser(
      this.config,
      keepLargest(this.arcWeights, limits.arcWeights ?? Infinity),
      keepLargest(this.labelWeights, limits.labelWeights ?? Infinity),
      this.training,
    );
  }

  /** Saves the model (single-precision weights; the file is validated on load). */
  async save(path: string): Promise<void> {
    const metadata: ParserMetadata = { ...this.config, featureVersion: FEATURE_VERSION, training: this.training };
    const tensors: Record<string, Tensor> = {
      ...sparseTensors('arc', this.arcWeights),
      ...sparseTensors('label', this.labelWeights),
    };
    await saveModel(path, { kind: PARSER_MODEL_KIND, formatVersion: PARSER_FORMAT_VERSION, metadata: metadata as never, tensors });
  }

  /** Loads a parser saved by `save`; throws a ModelFileError naming the file for anything else. */
  static async load(path: string): Promise<DependencyParser> {
    const file = await loadModel<ParserMetadata>(path, { kind: PARSER_MODEL_KIND, maxFormatVersion: PARSER_FORMAT_VERSION });
    const m = file.metadata;
    const bad = (msg: string): never => {
      throw new RangeError(`${path}: invalid parser model: ${msg}`);
    };
    if (!m || !Array.isArray(m.tags) || !Array.isArray(m.labels) || m.labels.length === 0) bad('missing tags or labels');
    if (m.featureVersion !== FEATURE_VERSION) bad(`feature version ${m.featureVersion}, this ebmkit computes version ${FEATURE_VERSION}`);
    if (!Number.isInteger(m.arcBits) || m.arcBits < 4 || m.arcBits > 28) bad(`arcBits ${m.arcBits}`);
    if (!Number.isInteger(m.labelBits) || m.labelBits < 4 || m.labelBits > 24) bad(`labelBits ${m.labelBits}`);
    const arc = denseFromSparse(file.tensors, 'arc', 2 ** m.arcBits, bad);
    const label = denseFromSparse(file.tensors, 'label', 2 ** m.labelBits * m.labels.length, bad);
    const config: ParserConfig = {
      arcBits: m.arcBits,
      labelBits: m.labelBits,
      tags: m.tags,
      labels: m.labels,
      features: m.features ?? {},
      projective: m.projective === true,
    };
    return new DependencyParser(config, arc, label, m.training ?? {});
  }
}

/** The best single-rooted tree for arc scores (Chu–Liu–Edmonds, or Eisner's algorithm when `projective`). */
export function decodeTree(arcs: Float64Array, n: number, projective: boolean): Int32Array {
  const N = n + 1;
  if (projective) {
    const chart = eisnerInside(MaxSemiring, { n, arcs }, true);
    return eisnerBacktrace(MaxSemiring, chart, undefined, new Int32Array(N));
  }
  return chuLiuEdmonds(arcs, N, true);
}

/** Label ids of a tree's arcs under label weights [bucket·L + label]. */
export function labelTree(c: SentenceCodes, heads: Int32Array, w: Float32Array | Float64Array, labelBits: number, L: number): Int32Array {
  const mask = 2 ** labelBits - 1;
  const kids = childSpans(heads);
  const keys = new Int32Array(MAX_LABEL_FEATURES);
  const scores = new Float64Array(L);
  const out = new Int32Array(c.n);
  for (let d = 1; d <= c.n; d++) {
    const m = labelFeatures(c, heads, d, keys, kids);
    scores.fill(0);
    for (let i = 0; i < m; i++) {
      const base = (fin(keys[i]!) & mask) * L;
      for (let l = 0; l < L; l++) scores[l]! += w[base + l]!;
    }
    let best = 0;
    for (let l = 1; l < L; l++) if (scores[l]! > scores[best]!) best = l;
    out[d - 1] = best;
  }
  return out;
}

/** A copy of `w` with all but its `k` largest-magnitude entries set to zero (ties at the threshold kept). */
function keepLargest(w: Float32Array, k: number): Float32Array {
  const out = Float32Array.from(w);
  let nz = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) nz++;
  if (nz <= k) return out;
  const mags = new Float32Array(nz);
  let j = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) mags[j++] = Math.abs(w[i]!);
  mags.sort();
  const threshold = mags[nz - Math.max(1, Math.floor(k))]!;
  for (let i = 0; i < out.length; i++) if (Math.abs(out[i]!) < threshold) out[i] = 0;
  return out;
}

/** Non-zero weights as (index U32, value F32) tensors: hashed tables are mostly empty. */
function sparseTensors(name: string, w: Float32Array): Record<string, Tensor> {
  let nz = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) nz++;
  const idx = new Uint32Array(nz);
  const val = new Float32Array(nz);
  let k = 0;
  for (let i = 0; i < w.length; i++) {
    if (w[i] !== 0) {
      idx[k] = i;
      val[k++] = w[i]!;
    }
  }
  return {
    [`${name}.index`]: { dtype: 'U32', shape: [nz], data: idx },
    [`${name}.value`]: { dtype: 'F32', shape: [nz], data: val },
  };
}

function denseFromSparse(tensors: Record<string, Tensor>, name: string, size: number, bad: (m: string) => never): Float32Array {
  const idx = tensors[`${name}.index`];
  const val = tensors[`${name}.value`];
  if (!idx || !val || idx.dtype !== 'U32' || val.dtype !== 'F32') return bad(`missing tensors ${name}.index (U32) / ${name}.value (F32)`);
  const I = idx.data as Uint32Array;
  const V = val.data as Float32Array;
  if (I.length !== V.length) bad(`${name}.index length ${I.length} !== ${name}.value length ${V.length}`);
  const w = new Float32Array(size);
  for (let k = 0; k < I.length; k++) {
    const i = I[k]!;
    if (i >= size) bad(`${name}.index[${k}] = ${i} is outside the table of ${size}`);
    w[i] = V[k]!;
  }
  return w;
}
