/**
 * Tokenising a text that arrives in pieces (a long line read from a stream) in bounded memory and linear time.
 *
 * `push(piece)` buffers text; once the buffer holds `pieceLength` characters the tokenizer runs on it up to the last
 * whitespace (a token never spans whitespace, so a cut there changes no token) and every sentence but the last is
 * returned; the last, possibly unfinished, sentence is carried into the next round — unless it is already longer than
 * `maxSentenceLength`; a longer sentence is cut at token boundaries into pieces of at most that length (a line with no
 * sentence ends becomes sentences of that length; a single longer token stays whole).
 * `end()` tokenises what is left. Offsets are relative to the start of the streamed text (the line).
 *
 * Each character is tokenised at most twice (once more when carried), so time is linear whatever the line length,
 * and the buffer never holds more than `pieceLength + maxSentenceLength` characters plus one whitespace-free run.
 * A whitespace-free run longer than `maxRunLength` is cut at a word boundary found by Intl.Segmenter near the end of
 * the buffer (the only place a cut is not at whitespace; a single "word" of that length is cut between graphemes).
 */
import { splitSentences, tokenSpans, type TextSentence, type TextToken } from './tokenize.js';

/** Sizes that bound a SentenceStream's buffer (UTF-16 code units). */
export interface SentenceStreamOptions {
  /** Characters buffered before tokenising (default 65 536). */
  pieceLength?: number;
  /** A sentence longer than this is emitted without waiting for its end (default 16 384). */
  maxSentenceLength?: number;
  /** A whitespace-free run longer than this is cut at a word boundary (default 1 048 576). */
  maxRunLength?: number;
}

/** Counters for tests and benchmarks: how much text was tokenised, and the largest piece. */
export interface SentenceStreamStats {
  /** Characters passed to the tokenizer in all (≥ the text length; ≤ about twice it). */
  scanned: number;
  /** The longest piece passed to the tokenizer at once. */
  largestPiece: number;
}

const SPACE = /[\s\u200B]/;
const GRAPHEME_CONTINUATION = /[\p{M}\u200C\u200D\p{EMod}\u{E0020}-\u{E007F}]/u;

export class SentenceStream {
  private buf = '';
  private base = 0;
  /** The buffer's first `spaceFree` characters are known to hold no whitespace (skipped when searching for a cut). */
  private spaceFree = 0;
  private readonly pieceLength: number;
  private readonly maxSentenceLength: number;
  private readonly maxRunLength: number;
  readonly stats: SentenceStreamStats = { scanned: 0, largestPiece: 0 };

  constructor(options: SentenceStreamOptions = {}) {
    this.pieceLength = options.pieceLength ?? 65536;
    this.maxSentenceLength = options.maxSentenceLength ?? 16384;
    this.maxRunLength = options.maxRunLength ?? 1 << 20;
    for (const [k, v] of Object.entries({ pieceLength: this.pieceLength, maxSentenceLength: this.maxSentenceLength, maxRunLength: this.maxRunLength })) {
      if (!Number.isInteger(v) || v < 16) throw new RangeError(`SentenceStream: ${k} must be an integer ≥ 16, got ${v}`);
    }
  }

  /** Adds text; returns the sentences completed so far (possibly none). */
  push(piece: string): TextSentence[] {
    this.buf += piece;
    if (this.buf.length < this.pieceLength) return [];
    return this.run(false);
  }

  /** The text has ended: returns its remaining sentences and resets the stream for the next text. */
  end(): TextSentence[] {
    const out = this.run(true);
    this.buf = '';
    this.base = 0;
    this.spaceFree = 0;
    return out;
  }

  private run(final: boolean): TextSentence[] {
    const buf = this.buf;
    let cut = buf.length;
    if (!final) {
      cut = lastSpace(buf, this.spaceFree);
      if (cut <= 0) {
        this.spaceFree = buf.length;
        if (buf.length <= this.maxRunLength) return [];
        cut = wordCut(buf);
      }
    }
    const piece = cut === buf.length ? buf : buf.slice(0, cut);
    this.stats.scanned += piece.length;
    if (piece.length > this.stats.largestPiece) this.stats.largestPiece = piece.length;
    const tokens: TextToken[] = [];
    tokenSpans(piece, (s, e) => {
      if (e > s) tokens.push({ text: piece.slice(s, e), start: s, end: e });
    });
    const sentences: TextSentence[] = [];
    for (const sent of splitSentences(piece, tokens)) {
      if (sent.end - sent.start <= this.maxSentenceLength) sentences.push(sent);
      else splitLong(piece, sent, this.maxSentenceLength, sentences);
    }
    let keepFrom = cut;
    if (!final && sentences.length > 0) {
      const last = sentences[sentences.length - 1]!;
      if (cut - last.start <= this.maxSentenceLength) {
        keepFrom = last.start;
        sentences.pop();
      }
    }
    const base = this.base;
    const out = base === 0 ? sentences : sentences.map((s) => shift(s, base));
    this.buf = buf.slice(keepFrom);
    this.base += keepFrom;
    this.spaceFree = 0;
    return out;
  }
}

/** Cuts a sentence longer than `max` characters into consecutive sentences of at most `max` (at token boundaries). */
function splitLong(text: string, s: TextSentence, max: number, out: TextSentence[]): void {
  let first = 0;
  const toks = s.tokens;
  for (let k = 1; k <= toks.length; k++) {
    if (k < toks.length && toks[k]!.end - toks[first]!.start <= max) continue;
    const start = toks[first]!.start;
    const end = toks[k - 1]!.end;
    out.push({ start, end, text: text.slice(start, end), tokens: toks.slice(first, k) });
    first = k;
  }
}

function shift(s: TextSentence, d: number): TextSentence {
  return {
    start: s.start + d,
    end: s.end + d,
    text: s.text,
    tokens: s.tokens.map((t) => ({ text: t.text, start: t.start + d, end: t.end + d })),
  };
}

/**
 * Index just after the last whitespace character at or after `from` that does not follow a period (so `No. 5` is
 * not cut), or −1.
 */
function lastSpace(buf: string, from: number): number {
  let fallback = -1;
  for (let i = buf.length - 1; i > 0 && i >= from; i--) {
    if (!SPACE.test(buf[i]!)) continue;
    if (buf[i - 1] !== '.') return i + 1;
    if (fallback < 0) fallback = i + 1;
    if (buf.length - i > 4096) break; // bounded look-back
  }
  return fallback;
}

/** A cut in a whitespace-free buffer: the last word boundary in its final 256 characters, else a grapheme boundary. */
function wordCut(buf: string): number {
  const from = Math.max(0, buf.length - 256);
  const tail = buf.slice(from);
  let best = -1;
  for (const seg of new Intl.Segmenter('und', { granularity: 'word' }).segment(tail)) if (seg.index > 0) best = seg.index;
  if (best > 0) return from + best;
  let i = buf.length - 1;
  while (i > 1 && (GRAPHEME_CONTINUATION.test(String.fromCodePoint(buf.codePointAt(i)!)) || isLowSurrogate(buf.charCodeAt(i)))) i--;
  return i;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
