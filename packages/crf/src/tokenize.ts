/**
 * Raw English text → sentences → tokens, close to Penn Treebank / UD English tokenisation:
 * `don't` → `do n't`, `"Hello," she said.` → `" Hello , " she said .`.
 *
 * Built on the `natural` package (loaded lazily, so importing @ebmkit/crf does not load it): its
 * SentenceTokenizer splits sentences and its TreebankWordTokenizer splits words. Small rules fix what they get
 * wrong, each tested:
 *
 * - sentences: natural splits after every period; pieces ending in a known abbreviation (`Dr.`, `Jan.`, `etc.`,
 *   `No.`/`p.` before a number), an initial (`J.`) or a dotted acronym (`U.S.`, `e.g.`) are joined to the next piece;
 * - URLs and e-mail addresses stay one token;
 * - curly apostrophes and quotes behave like straight ones (`don’t` → `do n’t`), the original characters are kept;
 * - single quotes around words are split off (`'no'` → `' no '`), as are possessive plural quotes (`dogs'` → `dogs '`);
 * - a sentence-final period inside closing quotes or brackets is split off (`"Stop."` → `" Stop . "`) unless the
 *   word is an abbreviation;
 * - an ellipsis is one token (`Wait...` → `Wait ...`);
 * - stacked clitics split (`'d've` → `'d 've`).
 *
 * Streaming: create the tokenizer once (`await createEnglishTokenizer()`), then call its synchronous methods on
 * one line or paragraph at a time; nothing is kept between calls.
 */

/** A loaded tokenizer; all methods are synchronous and stateless. */
export interface EnglishTokenizer {
  /** Splits a line or paragraph into sentences (trimmed, non-empty). */
  sentences(text: string): string[];
  /** Splits one sentence into tokens. */
  words(sentence: string): string[];
  /** `sentences` then `words`: a line or paragraph as sentences of tokens (empty sentences dropped). */
  tokenize(text: string): string[][];
}

interface NaturalTokenizer {
  tokenize(text: string): string[];
}
interface NaturalModule {
  TreebankWordTokenizer: new () => NaturalTokenizer;
  SentenceTokenizer: new (abbreviations?: string[], trim?: boolean) => NaturalTokenizer;
}

/** Abbreviations (lower case, without the final period) that do not end a sentence. */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'ft', 'vs', 'etc', 'inc', 'ltd', 'co', 'corp', 'bros',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
  'gen', 'gov', 'sen', 'rep', 'rev', 'col', 'lt', 'sgt', 'capt', 'cmdr', 'adm', 'hon', 'pres',
  'approx', 'dept', 'est', 'govt', 'univ', 'ave', 'blvd', 'rd', 'cf', 'al', 'viz',
]);
/** Abbreviations that do not end a sentence only when a number follows (`No. 5`, `p. 12`). */
const NUMBER_ABBREVIATIONS = new Set(['no', 'nos', 'p', 'pp', 'fig', 'figs', 'vol', 'ch', 'sec', 'art']);

const URL_OR_EMAIL = /(?:https?:\/\/|ftp:\/\/|www\.)\S+|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const CLITICS = new Set(["'s", "'m", "'d", "'ll", "'re", "'ve", "n't", "'em", "'t", "'n", "'cause", "'tis", "'twas"]);
const CLOSERS = new Set(['"', "'", ')', ']', '}', '”', '’', "''"]);

function lastWord(piece: string): string {
  const m = /(\S+)\.$/.exec(piece);
  return m ? m[1]! : '';
}

/** Whether natural's sentence piece `a` should be joined with the next piece `b`. */
function joinsNext(a: string, b: string): boolean {
  if (/(\.\.\.|…)$/.test(a) && /^\p{Ll}/u.test(b)) return true; // "Wait... what?"
  if (!a.endsWith('.')) return false;
  const w = lastWord(a).replace(/^[("'“‘[]+/, '');
  if (w === '') return false;
  const lw = w.toLowerCase();
  if (ABBREVIATIONS.has(lw)) return true;
  if (NUMBER_ABBREVIATIONS.has(lw) && /^\d/.test(b)) return true;
  if (/^\p{Lu}$/u.test(w)) return true; // an initial: "J." or the pieces of "U.S."
  if (/^(\p{L}\.)+\p{L}$/u.test(w)) return true; // "e.g", "U.S" (the final period was stripped)
  return false;
}

function isAbbreviationToken(tok: string): boolean {
  if (!tok.endsWith('.') || tok.length < 2) return false;
  const w = tok.slice(0, -1);
  return ABBREVIATIONS.has(w.toLowerCase()) || /^\p{Lu}$/u.test(w) || /^(\p{L}\.)+\p{L}$/u.test(w);
}

/** Post-processing rules on natural's treebank tokens (see the file comment). Exported for tests. */
export function fixTreebankTokens(tokens: readonly string[]): string[] {
  // join "left.." "." → "left..." first, then split off ellipses
  const joined: string[] = [];
  for (const t of tokens) {
    const prev = joined[joined.length - 1];
    if (prev !== undefined && /\.\.$/.test(prev) && /^\.+$/.test(t)) joined[joined.length - 1] = prev + t;
    else joined.push(t);
  }
  const out: string[] = [];
  for (const t of joined) {
    let m: RegExpExecArray | null;
    if ((m = /^(.*[^.])(\.{3,}|…)$/u.exec(t)) !== null) {
      out.push(...fixQuotes(m[1]!), m[2]!);
    } else if ((m = /^('\p{L}+)('(?:ve|ll|re|s|d|m))$/iu.exec(t)) !== null) {
      out.push(m[1]!, m[2]!);
    } else {
      out.push(...fixQuotes(t));
    }
  }
  // a final period before closing quotes / brackets at the end of the sentence
  let k = out.length - 1;
  while (k >= 0 && CLOSERS.has(out[k]!)) k--;
  if (k >= 0 && k < out.length - 1) {
    const w = out[k]!;
    if (w.length > 1 && /[^.]\.$/.test(w) && !isAbbreviationToken(w)) out.splice(k, 1, w.slice(0, -1), '.');
  }
  return out;
}

/** Splits quotes that natural leaves on words: `'no` → `' no`, `dogs'` → `dogs '`. */
function fixQuotes(t: string): string[] {
  if (t.length < 2 || CLITICS.has(t.toLowerCase())) return [t];
  const res: string[] = [];
  let w = t;
  if (w[0] === "'" && /^'\p{L}/u.test(w) && !CLITICS.has(w.toLowerCase())) {
    res.push("'");
    w = w.slice(1);
  }
  if (w.length > 1 && /[^']'$/.test(w)) {
    res.push(w.slice(0, -1), "'");
    return res;
  }
  res.push(w);
  return res;
}

/** Normalises curly apostrophes/quotes one-for-one so natural treats them like straight ones. */
function normaliseQuotes(s: string): string {
  return s.replace(/[’‘]/g, "'");
}

/** Gives tokens of `norm` (a one-for-one normalisation of `orig`) the original characters back. */
function restoreOriginal(tokens: string[], orig: string): string[] {
  const chars = orig.replace(/\s+/g, '');
  const total = tokens.reduce((n, t) => n + t.length, 0);
  if (total !== chars.length) return tokens; // natural changed characters: keep its tokens
  const out: string[] = [];
  let i = 0;
  for (const t of tokens) {
    out.push(chars.slice(i, i + t.length));
    i += t.length;
  }
  return out;
}

function makeTokenizer(natural: NaturalModule): EnglishTokenizer {
  const treebank = new natural.TreebankWordTokenizer();
  const sentenceSplitter = new natural.SentenceTokenizer([], true);

  const sentences = (text: string): string[] => {
    if (text.trim() === '') return [];
    const pieces = sentenceSplitter.tokenize(text).map((s) => s.trim()).filter((s) => s !== '');
    // locate the pieces in the text so that joined pieces keep their original separator ("D." + "C." → "D.C.")
    const spans: [number, number][] = [];
    let cursor = 0;
    for (const p of pieces) {
      const at = text.indexOf(p, cursor);
      if (at < 0) return pieces; // natural changed the text: use its pieces as they are
      spans.push([at, at + p.length]);
      cursor = at + p.length;
    }
    const out: [number, number][] = [];
    for (const sp of spans) {
      const prev = out[out.length - 1];
      if (prev !== undefined) {
        const a = text.slice(prev[0], prev[1]);
        const b = text.slice(sp[0], sp[1]);
        const glued = prev[1] === sp[0]; // split inside a token
        if (glued || joinsNext(a, b)) {
          prev[1] = sp[1];
          continue;
        }
      }
      out.push([sp[0], sp[1]]);
    }
    return out.map(([a, b]) => text.slice(a, b));
  };

  const words = (sentence: string): string[] => {
    const urls: string[] = [];
    let norm = normaliseQuotes(sentence).replace(URL_OR_EMAIL, (m) => {
      const core = m.replace(/[.,;:!?)\]}"']+$/, '');
      urls.push(core);
      return `ebmurlplaceholder${urls.length - 1}x` + m.slice(core.length);
    });
    norm = norm.trim();
    if (norm === '') return [];
    let tokens = fixTreebankTokens(treebank.tokenize(norm));
    if (urls.length > 0) tokens = tokens.map((t) => t.replace(/ebmurlplaceholder(\d+)x/g, (_, k: string) => urls[Number(k)]!));
    return restoreOriginal(tokens, sentence);
  };

  return {
    sentences,
    words,
    tokenize: (text) => sentences(text).map(words).filter((s) => s.length > 0),
  };
}

let loaded: Promise<EnglishTokenizer> | null = null;

/** Loads `natural` (once) and returns the English tokenizer. */
export function createEnglishTokenizer(): Promise<EnglishTokenizer> {
  if (loaded === null) {
    // A non-literal specifier: natural's own type files do not compile under this project's settings (it ships
    // .ts sources), so the module is typed by NaturalModule above instead.
    const specifier: string = 'natural';
    // natural loads dotenv, which otherwise prints a banner on stdout — where the tagged text goes.
    process.env.DOTENV_CONFIG_QUIET ??= 'true';
    loaded = (import(specifier) as Promise<unknown>).then((m) => {
      const mod = ((m as { default?: unknown }).default ?? m) as NaturalModule;
      return makeTokenizer(mod);
    });
  }
  return loaded;
}
