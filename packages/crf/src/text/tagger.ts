/**
 * Tagging text with a CRF: raw text (tokenised by `createTokenizer`) or given tokens, giving tokens with offsets,
 * tags and optionally every label's probability. `loadEnglishTagger()` loads the bundled UD English-EWT UPOS model
 * shipped in this package (models/en-upos.safetensors).
 *
 * Models with the built-in `pos` features are scored by `PosScorer` (per-word-type caches, no attribute strings
 * per token); any other model through `Crf.potentials`. Decoding is the chain DP of @ebmkit/core.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChainDistribution, ChainWorkspace, type ChainPotentials } from '@ebmkit/core';
import type { DecodeConstraints } from '../constraints.js';
import type { TokenColumns } from '../features/item-sequence.js';
import { PosScorer } from '../features/pos-scorer.js';
import { Crf } from '../model.js';
import { createTokenizer, type TextSentence, type Tokenizer } from './tokenize.js';

/** A tagged token of raw text: offsets are UTF-16 indices into the tagged string (`text.slice(start, end)`). */
export interface TaggedToken {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly tag: string;
  /** With `marginals: true`: p(tag | sentence) of every label, in the tagger's `labels` order. */
  readonly marginals?: Float64Array;
}

/** A tagged sentence of raw text: its span in the string and its tokens. */
export interface TaggedTextSentence {
  readonly start: number;
  readonly end: number;
  readonly tokens: TaggedToken[];
}

/** A tagged given token. */
export interface TaggedWord {
  readonly text: string;
  readonly tag: string;
  readonly marginals?: Float64Array;
}

export interface TagOptions {
  /** Also compute each token's label distribution (forward–backward; slower than Viterbi alone). */
  marginals?: boolean;
  /** Decoding constraints (see `Crf.tag`); tagging with them takes the general path of `Crf`. */
  constraints?: DecodeConstraints;
}

/** Tags raw text or tokens with a CRF whose features read the word column only (e.g. the bundled tagger). */
export class TextTagger {
  /** The label set (the order of `marginals`). */
  readonly labels: readonly string[];
  private readonly scorer: PosScorer | null;
  private readonly ws = new ChainWorkspace();
  private readonly transition: Float64Array;
  private unaryBuf = new Float64Array(0);
  private idsBuf = new Int32Array(0);

  constructor(
    readonly model: Crf,
    private readonly tokenizer: Tokenizer = createTokenizer(),
  ) {
    this.labels = model.labels;
    this.scorer = PosScorer.forModel(model);
    const L = model.labels.length;
    this.transition = model.weights.subarray(model.index.numState, model.index.numState + L * L);
  }

  /** Loads a CRF model file as a TextTagger. */
  static async load(path: string): Promise<TextTagger> {
    return new TextTagger(await Crf.load(path));
  }

  /** Tokenises `text` into sentences and tags them. */
  tag(text: string, options: TagOptions = {}): TaggedTextSentence[] {
    return this.tokenizer.tokenize(text).map((s) => this.tagSentence(s, options));
  }

  /** Tags one tokenised sentence (from `createTokenizer().tokenize` or a `SentenceStream`). */
  tagSentence(sentence: TextSentence, options: TagOptions = {}): TaggedTextSentence {
    const words = sentence.tokens.map((t) => t.text);
    if (!options.marginals && !options.constraints) {
      const ids = this.tagIds(words);
      const labels = this.labels;
      return {
        start: sentence.start,
        end: sentence.end,
        tokens: sentence.tokens.map((t, i) => ({ text: t.text, start: t.start, end: t.end, tag: labels[ids[i]!]! })),
      };
    }
    const tagged = this.tagTokens(words, options);
    return {
      start: sentence.start,
      end: sentence.end,
      tokens: sentence.tokens.map((t, i) => {
        const w = tagged[i]!;
        return w.marginals === undefined
          ? { text: t.text, start: t.start, end: t.end, tag: w.tag }
          : { text: t.text, start: t.start, end: t.end, tag: w.tag, marginals: w.marginals };
      }),
    };
  }

  /** Tags given tokens (one sentence). */
  tagTokens(tokens: readonly string[], options: TagOptions = {}): TaggedWord[] {
    if (tokens.length === 0) return [];
    if (options.constraints) return this.tagConstrained(tokens, tokens, options);
    const L = this.labels.length;
    if (options.marginals) {
      const d = new ChainDistribution(this.potentials(tokens, true));
      const best = d.argmax().labels;
      const node = d.marginals().node;
      return tokens.map((text, t) => ({ text, tag: this.labels[best[t]!]!, marginals: node.slice(t * L, t * L + L) }));
    }
    const ids = this.tagIds(tokens);
    return tokens.map((text, t) => ({ text, tag: this.labels[ids[t]!]! }));
  }

  /** Per-token label probabilities [t·L + y] (labels in `labels` order) and the Viterbi labels of given tokens. */
  marginals(tokens: readonly string[]): { probabilities: Float64Array; ids: Int32Array } {
    if (tokens.length === 0) return { probabilities: new Float64Array(0), ids: new Int32Array(0) };
    const d = new ChainDistribution(this.potentials(tokens, true));
    return { probabilities: d.marginals().node, ids: d.argmax().labels };
  }

  /**
   * Tags tokens given as columns ([token][column], e.g. from a CoNLL file): models whose features read only the
   * word read column 0, others (e.g. the `chunking` set) all the columns they need.
   */
  tagColumns(columns: TokenColumns, options: TagOptions = {}): TaggedWord[] {
    const words = columns.map((c) => c[0] ?? '');
    if (this.scorer !== null && !options.constraints) return this.tagTokens(words, options);
    return this.tagConstrained(words, columns, options);
  }

  private tagConstrained(words: readonly string[], input: TokenColumns | readonly string[], options: TagOptions): TaggedWord[] {
    if (words.length === 0) return [];
    const L = this.labels.length;
    if (options.marginals) {
      const m = this.model.marginals(input, options.constraints);
      return words.map((text, t) => ({ text, tag: m.best[t]!, marginals: m.probabilities.slice(t * L, t * L + L) }));
    }
    const tags = this.model.tag(input, options.constraints);
    return words.map((text, t) => ({ text, tag: tags[t]! }));
  }

  /** Viterbi label ids of given tokens (a view into a reused buffer: copy it to keep it). */
  tagIds(tokens: readonly string[]): Int32Array {
    const T = tokens.length;
    if (this.idsBuf.length < T) this.idsBuf = new Int32Array(Math.max(T, 2 * this.idsBuf.length));
    const out = this.idsBuf.subarray(0, T);
    if (T === 0) return out;
    this.ws.viterbi(this.potentials(tokens, false), out);
    return out;
  }

  /** Chain potentials of tokens; `own` gives them a buffer of their own (else a reused one). */
  private potentials(tokens: readonly string[], own: boolean): ChainPotentials {
    const T = tokens.length;
    const L = this.labels.length;
    if (this.scorer === null) return this.model.potentials(tokens);
    let unary: Float64Array;
    if (own) unary = new Float64Array(T * L);
    else {
      if (this.unaryBuf.length < T * L) this.unaryBuf = new Float64Array(Math.max(T * L, 2 * this.unaryBuf.length));
      unary = this.unaryBuf.subarray(0, T * L);
    }
    this.scorer.unary(tokens, unary);
    return { T, L, unary, transition: this.transition };
  }
}

/** The file name of the bundled English tagger. */
const ENGLISH_MODEL = 'en-upos.safetensors';

/**
 * Absolute path of the bundled UD English-EWT UPOS model shipped in @ebmkit/crf (`models/en-upos.safetensors`),
 * found from this module's file (src/text/ or dist/text/) or, when this code is bundled into another file (the
 * `ebm` CLI), from where Node resolves @ebmkit/crf.
 */
export function englishTaggerPath(): string {
  const local = fileURLToPath(new URL(`../../models/${ENGLISH_MODEL}`, import.meta.url));
  if (existsSync(local)) return local;
  try {
    const entry = import.meta.resolve('@ebmkit/crf');
    const viaPackage = fileURLToPath(new URL(`../models/${ENGLISH_MODEL}`, entry));
    if (existsSync(viaPackage)) return viaPackage;
  } catch {
    // @ebmkit/crf is not resolvable from here: report the module-relative path below
  }
  return local;
}

/**
 * The bundled English part-of-speech tagger (17 Universal POS tags, trained on UD English-EWT; see
 * docs/bundled-model.md): `const tagger = await loadEnglishTagger(); tagger.tag('She sleeps.')`.
 */
export async function loadEnglishTagger(options: { path?: string } = {}): Promise<TextTagger> {
  const path = options.path ?? englishTaggerPath();
  if (!existsSync(path)) {
    throw new Error(`the bundled English model is missing at ${path} (reinstall @ebmkit/crf, or pass { path })`);
  }
  return TextTagger.load(path);
}
