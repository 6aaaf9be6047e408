/**
 * Raw text → sentences → tokens, for any script, in one left-to-right pass (time and memory linear in the text).
 * Tokens follow UD English-EWT's conventions for English (the bundled tagger's training data):
 *
 * - clitics split: `don't` → `do n't`, `can't` → `ca n't`, `it's` → `it 's`, `we'd've` → `we 'd 've`, and the
 *   apostrophe-less forms EWT splits (`cannot` → `can not`, `gonna` → `gon na`, `dont` → `do nt`);
 * - hyphenated compounds split (`long-term` → `long - term`) except after prefixes EWT keeps (`e-mail`,
 *   `non-profit`, `re-elect`) and between digits (`713-853-3989`, `4-12`); a slash between words splits
 *   (`and/or` → `and / or`), between digits it does not (`10/11/2005`);
 * - numbers stay whole (`3.5`, `1,000,000`, `12:30`), currency and percent signs split off (`$ 4.50`, `50 %`);
 * - URLs and e-mail addresses are one token (trailing punctuation split off);
 * - abbreviations keep their period (`Dr.`, `e.g.`, `U.S.`, `J.`, `No.` before a number) and do not end sentences;
 * - punctuation runs are one token (`...`, `?!`, `--`, `!!!`), as are emoticons (`:)`, `:-(`);
 * - a sentence ends after `.`, `!`, `?`, `…` or any other Unicode Sentence_Terminal (`。`, `।`, `؟`), with the
 *   closing quotes or brackets that follow it, before whitespace (or at once for non-ASCII terminators); not after
 *   an abbreviation, nor after an ellipsis followed by a lower-case word.
 *
 * For every script: a token never ends inside a grapheme cluster (combining marks, ZWJ/ZWNJ, variation selectors
 * stay with their base), letters joined by apostrophes, periods, middle dots, ZWJ/ZWNJ or Hebrew gershayim stay one
 * word as in Unicode's word segmentation (UAX #29), emoji sequences (ZWJ, skin tones, flags, keycaps, tag
 * sequences) are one token, and runs of scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer,
 * Myanmar) are split by `Intl.Segmenter` (ICU's dictionary-based word segmentation). Token text is always
 * `text.slice(start, end)` — characters are never changed, and whitespace is the only thing left out.
 *
 * Why not `natural` (which this module replaced): its SentenceTokenizer is quadratic in the length of a line
 * (a 340 KB line took minutes), its word tokenizers split non-ASCII letters (`résumé` → `r é sum é`) and surrogate
 * pairs, and importing it loads `dotenv`, which reads a `.env` file into `process.env` — a library must never do
 * that. This module uses only the JavaScript built-ins (Unicode-property regular expressions, Intl.Segmenter).
 */

/** A token: its text and its UTF-16 offsets in the tokenised string (`text === input.slice(start, end)`). */
export interface TextToken {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** A sentence: the span from its first token's start to its last token's end, its text, and its tokens (never empty). */
export interface TextSentence {
  readonly start: number;
  readonly end: number;
  /** `input.slice(start, end)`. */
  readonly text: string;
  readonly tokens: TextToken[];
}

/** The tokenizer: stateless, synchronous, linear in the length of its input. */
export interface Tokenizer {
  /** Sentences of tokens with offsets into `text`. */
  tokenize(text: string): TextSentence[];
  /** The tokens of `text` without sentence splitting. */
  tokens(text: string): TextToken[];
  /** Token strings of `text` (no sentence splitting). */
  words(text: string): string[];
  /** Sentence strings of `text` (each `text.slice(s.start, s.end)`). */
  sentences(text: string): string[];
}

/** Abbreviations (lower case, without the final period) that keep their period and do not end a sentence. */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'ft', 'vs', 'etc', 'inc', 'ltd', 'co', 'corp', 'bros',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
  'gen', 'gov', 'sen', 'rep', 'rev', 'col', 'lt', 'sgt', 'capt', 'cmdr', 'adm', 'hon', 'pres',
  'approx', 'dept', 'est', 'govt', 'univ', 'ave', 'blvd', 'rd', 'cf', 'al', 'viz', 'ph.d', 'a.m', 'p.m',
]);
/** Abbreviations that keep their period only when capitalised (`Wed.`, but `the sun.`). */
const CASED_ABBREVIATIONS = new Set(['Mon', 'Tue', 'Tues', 'Wed', 'Thu', 'Thur', 'Thurs', 'Fri', 'Sat', 'Sun']);
/** Abbreviations that keep their period only before a number (`No. 5`, `p. 12`). */
const NUMBER_ABBREVIATIONS = new Set(['no', 'nos', 'p', 'pp', 'fig', 'figs', 'vol', 'ch', 'sec', 'art']);
/** Prefixes after which EWT keeps a hyphenated word whole (`e-mail`, `non-profit`, `re-elect`). */
const HYPHEN_PREFIXES = new Set([
  'e', 'non', 'pre', 'anti', 'mid', 're', 'post', 'co', 'pro', 'multi', 'ex', 'sub', 'semi', 'cross', 'neo',
  'psycho', 'socio', 'counter', 'intra', 'inter', 'micro', 'macro', 'un', 'vice', 'over', 'bi', 'tri', 'de',
]);
/** Words EWT writes as two syntactic words without an apostrophe: word → length of the first part. */
const SPLIT_WORDS = new Map<string, number>([
  ['cannot', 3], ['gonna', 3], ['wanna', 3], ['gotta', 3], ['outta', 3],
  ['dont', 2], ['doesnt', 4], ['didnt', 3], ['cant', 2], ['wont', 2], ['aint', 2], ['isnt', 2], ['arent', 3],
  ['wasnt', 3], ['werent', 4], ['havent', 4], ['hasnt', 3], ['hadnt', 3], ['couldnt', 5], ['wouldnt', 5],
  ['shouldnt', 6], ['im', 1], ['ive', 1], ['thats', 4], ['whats', 4], ['theres', 5], ['heres', 4], ['youre', 3],
  ['theyre', 4], ['hes', 2], ['alot', 1],
]);

/** Whitespace-delimited chunks (U+200B ZERO WIDTH SPACE separates too). */
const CHUNK = /[^\s\u200B]+/g;
/** A chunk that is one plain word of a spaced script (the fast path). */
const PLAIN_WORD = /^[\p{L}\p{M}]+$/u;
/** Scripts written without spaces between words: runs of them go to Intl.Segmenter. */
const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

const W = String.raw`[\p{L}\p{M}\p{N}]`;
/** A word: letters, marks and digits, joined by the connectors that do not end a word (see the file comment). */
const WORD = new RegExp(
  `${W}+(?:(?:['’\\u0060](?=\\p{L})|(?<=(?<![\\p{L}\\p{N}])\\p{L})\\/(?=\\p{L}(?![\\p{L}\\p{N}]))|\\.(?=[\\p{L}\\p{N}])|(?<=\\p{N})[,:/](?=\\p{N})|[-‐‑_\\u00B7\\u00AD\\u200C\\u200D](?=${W})` +
    `|(?<=\\p{Script=Hebrew}\\p{M}*)["״׳](?=\\p{Script=Hebrew})|(?<=\\p{Lu})&(?=\\p{Lu}))${W}+)*`,
  'uy',
);
/** Emoji: a flag (two regional indicators) or a pictograph with modifiers, marks, tags and ZWJ-joined pictographs. */
const EMOJI = /\p{RI}\p{RI}|\p{Extended_Pictographic}[\p{EMod}\p{M}\u{E0020}-\u{E007F}]*(?:\u200D\p{Extended_Pictographic}[\p{EMod}\p{M}\u{E0020}-\u{E007F}]*)*/uy;
const URL = /(?:(?:https?|ftp):\/\/|www\.)[^\s<>"]+/y;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*/uy;
/** A clitic at the start of a chunk (text that is already split: `John 's`), or `'em`, `'cause`. */
const CLITIC_START = /['’](?:s|m|d|ll|re|ve|em|cause|tis|twas)(?![\p{L}\p{N}])/iuy;
const EMOTICON = /(?:[:;=][-']?[()DPpO3\]\[/\\|*]|\([:;]|\^_*\^)(?![\p{L}\p{N}])/uy;
/** A hashtag or @-mention (`#audiobooks`, `@user`), at the start of a chunk. */
const TAG_OR_MENTION = /[#@][\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*/uy;
/** A file extension written on its own (`.doc`), at the start of a chunk. */
const EXTENSION = /\.[A-Za-z][A-Za-z0-9]{1,3}(?![\p{L}\p{N}])/uy;
/** A time with am/pm attached (`7:30PM`, `5pm`): split before the am/pm. */
const CLOCK = /^(\p{N}[\p{N}:.]*)([ap]\.?m\.?)$/iu;
/** Runs of sentence punctuation, or of one repeated character (`...`, `?!`, `--`, `***`), else one code point. */
const PUNCT = /\.{2,}|\.[!?]+|[!?]+|…+|[‘’]{2}|[“”]{2}|([^\p{L}\p{N}\p{M}])\1+|[\s\S][\p{M}\u200D]*/uy;
/** Clitics split off an English word (base must be Latin letters). */
const CLITIC_END = /^(.*?\p{Script=Latin}\p{M}*)(n['’`]t|['’`](?:s|m|d|ll|re|ve))$/iu;
/** Only whitespace and closing brackets or quotes up to the end of the text (sticky: matched from a position). */
const TEXT_END = /[\s)\]}"'”’»]*$/y;
const DOTTED = /^(?:\p{L}\.)+\p{L}$/u;
const INITIAL = /^\p{Lu}$/u;
const TRAILING_URL_PUNCT_CHAR = /[.,;:!?'"”’»)\]}]/;
const TERMINATOR = /^(?:[.!?…]+|[\p{Sentence_Terminal}]+)$/u;
const ASCII_TERMINATOR = /^[.!?…]+$/;
const CLOSER = /^(?:[)\]}"'”’»›]|\p{Pe}|\p{Pf})+$/u;
const LOWER_START = /^\p{Ll}/u;
const DIGIT_START = /^\p{N}/u;

/** A code point that continues a grapheme cluster (at the start of the tested string), or a low surrogate. */
const GRAPHEME_EXTEND = /^(?:[\p{M}\u200C\u200D\p{EMod}]|[\uDC00-\uDFFF])/u;

let segmenter: Intl.Segmenter | null = null;

/** Emits [start, end) as a token. */
type Emit = (start: number, end: number) => void;

/** Whether only whitespace and closing punctuation follow position `i`. */
function atTextEnd(text: string, i: number): boolean {
  TEXT_END.lastIndex = i;
  return TEXT_END.test(text);
}

function isAbbreviation(text: string, s: number, e: number): boolean {
  const w = text.slice(s, e);
  if (INITIAL.test(w) || DOTTED.test(w)) return true;
  if (CASED_ABBREVIATIONS.has(w)) return !atTextEnd(text, e + 1);
  const lw = w.toLowerCase();
  // at the very end of a text the period of `etc.` is the sentence's own (EWT: `etc .`)
  if (ABBREVIATIONS.has(lw)) return !atTextEnd(text, e + 1);
  if (NUMBER_ABBREVIATIONS.has(lw)) {
    CHUNK.lastIndex = e + 1;
    const next = CHUNK.exec(text);
    return next !== null && DIGIT_START.test(next[0]);
  }
  return false;
}

/** A word with English clitics, EWT's split words and hyphens split; runs of unspaced scripts segmented. */
function emitWord(text: string, s: number, e: number, emit: Emit): void {
  const w = text.slice(s, e);
  if (NO_SPACE_SCRIPT.test(w)) {
    emitSegmented(text, s, e, emit);
    return;
  }
  if (w.includes('-') || w.includes('‐') || w.includes('‑')) {
    emitHyphenated(text, s, e, emit);
    return;
  }
  emitClitics(text, s, e, emit);
}

/** Window of Intl.Segmenter calls: ICU's dictionary segmentation slows down more than linearly on long runs. */
const SEGMENT_WINDOW = 1024;

/**
 * A run of an unspaced script, split into words by Intl.Segmenter window by window: all segments of a window but its
 * last are final, the last one starts the next window (so every cut is a word boundary ICU found with context on
 * both sides; a single "word" longer than a window is cut between code points).
 */
function emitSegmented(text: string, s: number, e: number, emit: Emit): void {
  segmenter ??= new Intl.Segmenter('und', { granularity: 'word' });
  let pos = s;
  while (pos < e) {
    let we = Math.min(e, pos + SEGMENT_WINDOW);
    // never end a window inside a grapheme cluster (before a mark or joiner, or inside a surrogate pair)
    while (we < e && we > pos + 1 && GRAPHEME_EXTEND.test(text.slice(we, we + 2))) we--;
    const starts: number[] = [];
    for (const seg of segmenter.segment(text.slice(pos, we))) starts.push(pos + seg.index);
    if (we === e || starts.length === 1) {
      for (let k = 0; k < starts.length; k++) emit(starts[k]!, k + 1 < starts.length ? starts[k + 1]! : we);
      pos = we;
      continue;
    }
    for (let k = 0; k + 1 < starts.length; k++) emit(starts[k]!, starts[k + 1]!);
    pos = starts[starts.length - 1]!;
  }
}

function emitHyphenated(text: string, s: number, e: number, emit: Emit): void {
  let partStart = s;
  for (let i = s; i < e; i++) {
    const c = text[i]!;
    if (c !== '-' && c !== '‐' && c !== '‑') continue;
    const before = text.charCodeAt(i - 1);
    const after = text.charCodeAt(i + 1);
    const digits = before >= 48 && before <= 57 && after >= 48 && after <= 57;
    if (digits || (partStart === s && HYPHEN_PREFIXES.has(text.slice(s, i).toLowerCase()))) continue;
    emitClitics(text, partStart, i, emit);
    emit(i, i + 1);
    partStart = i + 1;
  }
  emitClitics(text, partStart, e, emit);
}

function emitClitics(text: string, s: number, e: number, emit: Emit): void {
  const n = e - s;
  if (n >= 2 && n <= 8) {
    const k = SPLIT_WORDS.get(text.slice(s, e).toLowerCase());
    if (k !== undefined) {
      emit(s, s + k);
      emit(s + k, e);
      return;
    }
  }
  const last = text.charCodeAt(e - 1);
  if (n >= 3 && ((last | 32) === 109 || last === 46) && text.charCodeAt(s) <= 57 && text.charCodeAt(s) >= 48) {
    const m = CLOCK.exec(text.slice(s, e));
    if (m !== null) {
      emit(s, s + m[1]!.length);
      emit(s + m[1]!.length, e);
      return;
    }
  }
  const apostrophe = n >= 3 && /['’`]/.test(text[e - 2]! + text[e - 3]!);
  if (apostrophe && ((last | 32) >= 97 && (last | 32) <= 122)) {
    const m = CLITIC_END.exec(text.slice(s, e));
    if (m !== null) {
      const baseEnd = s + m[1]!.length;
      emitClitics(text, s, baseEnd, emit); // stacked clitics: we'd've → we 'd 've
      emit(baseEnd, e);
      return;
    }
  }
  emit(s, e);
}

/** Length of the match of sticky `re` at `i` if it ends by `e`, else 0. */
function stickyLength(re: RegExp, text: string, i: number, e: number): number {
  re.lastIndex = i;
  const m = re.exec(text);
  return m !== null && i + m[0].length <= e ? m[0].length : 0;
}

/**
 * The length of a URL or e-mail match without its trailing punctuation; a closing bracket stays when it closes one
 * opened inside the link (`https://en.wikipedia.org/wiki/Foo_(bar)`).
 */
function linkLength(link: string): number {
  let n = link.length;
  let open = 0;
  for (let i = 0; i < n; i++) {
    const c = link[i]!;
    if (c === '(' || c === '[') open++;
    else if (c === ')' || c === ']') open--;
  }
  while (n > 1 && TRAILING_URL_PUNCT_CHAR.test(link[n - 1]!)) {
    const c = link[n - 1]!;
    if ((c === ')' || c === ']') && open >= 0) break; // balanced: part of the link
    if (c === ')' || c === ']') open++;
    n--;
  }
  return n;
}

/** Splits the chunk text[s, e) (no whitespace inside) into tokens. */
function scanChunk(text: string, s: number, e: number, emit: Emit): void {
  const chunk = text.slice(s, e);
  const maybeLink = chunk.includes('@') || chunk.includes('://') || chunk.includes('www.');
  let i = s;
  while (i < e) {
    if (maybeLink) {
      URL.lastIndex = i;
      let m = URL.exec(text);
      if (m === null) {
        EMAIL.lastIndex = i;
        m = EMAIL.exec(text);
      }
      if (m !== null) {
        emit(i, i + linkLength(m[0]));
        i += linkLength(m[0]);
        continue;
      }
    }
    // one-token patterns: `.doc` and `#tag`/`@user` at the start of a chunk, clitics written apart (`'s`, `'em`)
    const c = text.charCodeAt(i);
    const special = i === s && c === 46 ? EXTENSION : i === s && (c === 35 || c === 64) ? TAG_OR_MENTION : c === 39 || c === 0x2019 ? CLITIC_START : null;
    const n = special === null ? 0 : stickyLength(special, text, i, e);
    if (n > 0) {
      emit(i, i + n);
      i += n;
      continue;
    }
    WORD.lastIndex = i;
    let m = WORD.exec(text);
    if (m !== null) {
      let j = i + m[0].length;
      if (j > e) j = e; // cannot happen (words hold no whitespace); keeps the chunk bound explicit
      if (text.charCodeAt(j) === 46 && j < e && isAbbreviation(text, i, j)) {
        emitWord(text, i, j, (a, b) => emit(a, b === j ? j + 1 : b));
        i = j + 1;
      } else {
        emitWord(text, i, j, emit);
        i = j;
      }
      continue;
    }
    EMOJI.lastIndex = i;
    m = EMOJI.exec(text);
    if (m === null) {
      EMOTICON.lastIndex = i;
      m = EMOTICON.exec(text);
      if (m !== null && i + m[0].length > e) m = null;
    }
    if (m === null) {
      PUNCT.lastIndex = i;
      m = PUNCT.exec(text)!;
    }
    const j = Math.min(e, i + m[0].length);
    emit(i, j);
    i = j;
  }
}

/** Whether `w` is only ASCII letters (the common case, tested without a regular expression). */
function asciiLetters(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i) | 32;
    if (c < 97 || c > 122) return false;
  }
  return true;
}

/** All tokens of `text` (no sentence splitting), in order. */
export function tokenSpans(text: string, emit: Emit): void {
  CHUNK.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CHUNK.exec(text)) !== null) {
    const s = m.index;
    const w = m[0];
    const e = s + w.length;
    if ((asciiLetters(w) || (PLAIN_WORD.test(w) && !NO_SPACE_SCRIPT.test(w))) && !(w.length <= 8 && SPLIT_WORDS.has(w.toLowerCase()))) {
      emit(s, e);
    } else {
      scanChunk(text, s, e, emit);
    }
    CHUNK.lastIndex = e; // scanChunk's helpers use CHUNK for look-ahead
  }
}

/** Groups tokens into sentences (see the file comment for the rules). */
export function splitSentences(text: string, tokens: TextToken[]): TextSentence[] {
  const out: TextSentence[] = [];
  let first = 0;
  const n = tokens.length;
  for (let k = 0; k < n; k++) {
    const tok = tokens[k]!;
    if (!TERMINATOR.test(tok.text)) continue;
    // closing quotes and brackets right after the terminator belong to its sentence
    let last = k;
    while (last + 1 < n && tokens[last + 1]!.start === tokens[last]!.end && CLOSER.test(tokens[last + 1]!.text)) last++;
    if (last + 1 < n) {
      const next = tokens[last + 1]!;
      const ascii = ASCII_TERMINATOR.test(tok.text);
      if (ascii && next.start === tokens[last]!.end) continue; // "Hello!How" — no space, no break
      if ((tok.text.endsWith('..') || tok.text === '…') && LOWER_START.test(next.text)) continue;
    }
    const start = tokens[first]!.start;
    const end = tokens[last]!.end;
    out.push({ start, end, text: text.slice(start, end), tokens: tokens.slice(first, last + 1) });
    first = last + 1;
    k = last;
  }
  if (first < n) {
    const start = tokens[first]!.start;
    const end = tokens[n - 1]!.end;
    out.push({ start, end, text: text.slice(start, end), tokens: tokens.slice(first) });
  }
  return out;
}

function tokensOf(text: string): TextToken[] {
  const out: TextToken[] = [];
  tokenSpans(text, (s, e) => {
    if (e > s) out.push({ text: text.slice(s, e), start: s, end: e });
  });
  return out;
}

const TOKENIZER: Tokenizer = {
  tokenize: (text) => splitSentences(text, tokensOf(text)),
  tokens: tokensOf,
  words: (text) => tokensOf(text).map((t) => t.text),
  sentences: (text) => splitSentences(text, tokensOf(text)).map((s) => s.text),
};

/** The tokenizer (English conventions for English text, Unicode word segmentation for every script). */
export function createTokenizer(): Tokenizer {
  return TOKENIZER;
}
