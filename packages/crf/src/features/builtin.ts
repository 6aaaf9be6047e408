/**
 * Built-in feature sets: functions from a token sequence (CoNLL columns) to per-token attributes.
 *
 * - `chunking`: exactly the attributes of CRFsuite's CoNLL-2000 tutorial (example/chunking.py with
 *   example/template.py in chokkan/crfsuite): 19 templates over the word and POS columns, named
 *   `name[offset]|name[offset]=value|value` (e.g. `w[0]=Confidence`, `pos[-1]|pos[0]=NN|IN`), a template is
 *   skipped when any offset falls outside the sentence, and `__BOS__` / `__EOS__` are appended to the first / last
 *   token. Like the tutorial's writer (crfutils.escape) ':' is written as `__COLON__`, so the strings equal the
 *   ones CRFsuite reads from the tutorial's files (option `escapeColons`).
 * - `pos` and `ner`: lexical features for tagging words — see `posFeatures` / `nerFeatures`.
 */
import { ItemSequenceBuilder, type FeatureExtractor, type TokenColumns } from './item-sequence.js';

/** Names of the built-in sets. */
export type BuiltinFeatureSetName = 'chunking' | 'pos' | 'ner';

/** The built-in set names, for option parsing and help text. */
export const BUILTIN_FEATURE_SETS: readonly BuiltinFeatureSetName[] = ['chunking', 'pos', 'ner'];

/** Options of the `chunking` set. */
export interface ChunkingFeatureOptions {
  /** Column of the word (default 0). */
  wordColumn?: number;
  /** Column of the POS tag (default 1). */
  posColumn?: number;
  /** Write ':' as `__COLON__` as the CRFsuite tutorial does (default true). */
  escapeColons?: boolean;
}

/** Options of the `pos` and `ner` sets. */
export interface LexicalFeatureOptions {
  /** Column of the word (default 0). */
  wordColumn?: number;
  /** Longest prefix / suffix (default 4). */
  affixLength?: number;
  /** Add a `bias` attribute to every token (default true). */
  bias?: boolean;
}

type Field = 'w' | 'pos';
/** The 19 templates of CRFsuite's example/chunking.py, in its order. */
const CHUNKING_TEMPLATES: readonly (readonly (readonly [Field, number])[])[] = [
  [['w', -2]],
  [['w', -1]],
  [['w', 0]],
  [['w', 1]],
  [['w', 2]],
  [['w', -1], ['w', 0]],
  [['w', 0], ['w', 1]],
  [['pos', -2]],
  [['pos', -1]],
  [['pos', 0]],
  [['pos', 1]],
  [['pos', 2]],
  [['pos', -2], ['pos', -1]],
  [['pos', -1], ['pos', 0]],
  [['pos', 0], ['pos', 1]],
  [['pos', 1], ['pos', 2]],
  [['pos', -2], ['pos', -1], ['pos', 0]],
  [['pos', -1], ['pos', 0], ['pos', 1]],
  [['pos', 0], ['pos', 1], ['pos', 2]],
];

function checkColumns(tokens: TokenColumns, need: number, set: string): void {
  for (let t = 0; t < tokens.length; t++) {
    if (tokens[t]!.length < need) {
      throw new RangeError(`feature set ${set}: token ${t} has ${tokens[t]!.length} columns, needs at least ${need}`);
    }
  }
}

/**
 * The CRFsuite CoNLL-2000 tutorial's attribute set (19 templates + `__BOS__`/`__EOS__`).
 * For the 3-token sentence "He/PRP reckons/VBZ the/DT" token 0 gets `w[0]=He`, `w[1]=reckons`, `w[2]=the`,
 * `w[0]|w[1]=He|reckons`, `pos[0]=PRP`, …, `pos[0]|pos[1]|pos[2]=PRP|VBZ|DT`, `__BOS__`.
 */
export function chunkingFeatures(options: ChunkingFeatureOptions = {}): FeatureExtractor {
  const wc = options.wordColumn ?? 0;
  const pc = options.posColumn ?? 1;
  const escape = options.escapeColons ?? true;
  const need = Math.max(wc, pc) + 1;
  const names = CHUNKING_TEMPLATES.map((tpl) => tpl.map(([f, o]) => `${f}[${o}]`).join('|') + '=');
  return (tokens) => {
    checkColumns(tokens, need, 'chunking');
    const T = tokens.length;
    const w: string[] = new Array<string>(T);
    const p: string[] = new Array<string>(T);
    for (let t = 0; t < T; t++) {
      const tok = tokens[t]!;
      w[t] = escape ? tok[wc]!.replaceAll(':', '__COLON__') : tok[wc]!;
      p[t] = escape ? tok[pc]!.replaceAll(':', '__COLON__') : tok[pc]!;
    }
    const b = new ItemSequenceBuilder();
    for (let t = 0; t < T; t++) {
      b.item();
      for (let k = 0; k < CHUNKING_TEMPLATES.length; k++) {
        const tpl = CHUNKING_TEMPLATES[k]!;
        let value = '';
        let ok = true;
        for (let j = 0; j < tpl.length; j++) {
          const [f, o] = tpl[j]!;
          const q = t + o;
          if (q < 0 || q >= T) {
            ok = false;
            break;
          }
          value += (j === 0 ? '' : '|') + (f === 'w' ? w[q]! : p[q]!);
        }
        if (ok) b.add(names[k]! + value);
      }
      if (t === 0) b.add('__BOS__');
      if (t === T - 1) b.add('__EOS__');
    }
    return b.build();
  };
}

/**
 * Word shape: upper-case letters → `X`, lower-case → `x`, digits → `d`, anything else kept
 * (`Xxxxx`, `dd.d`, `X.X.`). `collapsed` merges runs of the same symbol (`Xx`, `d.d`, `X.X.`).
 */
export function wordShape(word: string, collapsed = false): string {
  let s = '';
  let last = '';
  for (const ch of word) {
    let c: string;
    const code = ch.charCodeAt(0);
    if (code < 128) {
      // ASCII: the same classes as the Unicode tests below, without a regular expression per character
      c = code >= 65 && code <= 90 ? 'X' : code >= 97 && code <= 122 ? 'x' : code >= 48 && code <= 57 ? 'd' : ch;
    } else if (/\p{Lu}|\p{Lt}/u.test(ch)) c = 'X';
    else if (/\p{L}/u.test(ch)) c = 'x';
    else if (/\p{Nd}/u.test(ch)) c = 'd';
    else c = ch;
    if (collapsed && c === last) continue;
    s += c;
    last = c;
  }
  return s;
}

const HAS_DIGIT = /\p{Nd}/u;
const SURROGATE = /[\uD800-\uDFFF]/;
const AFFIX_P = ['', 'p1=', 'p2=', 'p3=', 'p4='];
const AFFIX_S = ['', 's1=', 's2=', 's3=', 's4='];
const HAS_LETTER = /\p{L}/u;
const HAS_LOWER = /\p{Ll}/u;
const INIT_CAP = /^(\p{Lu}|\p{Lt})/u;
const ALL_PUNCT = /^[\p{P}\p{S}]+$/u;

/**
 * The attributes of a word that depend only on the word itself (not its neighbours), in the order `pos`/`ner`
 * add them: `w=`, `wl=`, prefixes and suffixes, shapes and flags. Exported for the per-word-type cache of
 * `PosScorer`, which must see exactly these strings.
 */
export function wordTypeAttributes(word: string, affix: number, add: (name: string) => void): void {
  wordTypeParts(word, affix, (prefix, value) => add(prefix + value));
}

/**
 * `wordTypeAttributes` as (prefix, value) pairs, the attribute being prefix + value: the prefix is the attribute's
 * name up to and including its first `=` (`p2=`), or the whole name of a flag (`hasdigit`, value ''). Prefixes are
 * constant strings.
 */
export function wordTypeParts(word: string, affix: number, add: (prefix: string, value: string) => void): void {
  const lower = word.toLowerCase();
  add('w=', word);
  add('wl=', lower);
  if (!SURROGATE.test(word)) {
    // no astral characters: code points are UTF-16 units, and slices are the affixes
    const n = word.length;
    for (let k = 1; k <= affix && k <= n; k++) {
      add(AFFIX_P[k] ?? `p${k}=`, word.slice(0, k));
      add(AFFIX_S[k] ?? `s${k}=`, word.slice(n - k));
    }
  } else {
    const chars = Array.from(word);
    const n = chars.length;
    for (let k = 1; k <= affix && k <= n; k++) {
      add(AFFIX_P[k] ?? `p${k}=`, chars.slice(0, k).join(''));
      add(AFFIX_S[k] ?? `s${k}=`, chars.slice(n - k).join(''));
    }
  }
  add('shape=', wordShape(word));
  add('shapec=', wordShape(word, true));
  if (HAS_DIGIT.test(word)) add('hasdigit', '');
  if (word.includes('-')) add('hashyphen', '');
  if (HAS_LETTER.test(word) && !HAS_LOWER.test(word)) add('allcaps', '');
  if (INIT_CAP.test(word)) add('initcap', '');
  if (ALL_PUNCT.test(word)) add('punct', '');
}

/** The last `k` code points of `word` (the neighbour suffix attributes `s3[±1]=`). */
export function suffix(word: string, k: number): string {
  if (!SURROGATE.test(word)) return word.slice(Math.max(0, word.length - k));
  const chars = Array.from(word);
  return chars.slice(Math.max(0, chars.length - k)).join('');
}

function lexicalSet(set: 'pos' | 'ner', options: LexicalFeatureOptions): FeatureExtractor {
  const wc = options.wordColumn ?? 0;
  const affix = options.affixLength ?? 4;
  const bias = options.bias ?? true;
  if (!Number.isInteger(affix) || affix < 0) throw new RangeError(`affixLength ${affix} is not a non-negative integer`);
  return (tokens) => {
    checkColumns(tokens, wc + 1, set);
    const T = tokens.length;
    const lower = tokens.map((tok) => tok[wc]!.toLowerCase());
    const shapes = set === 'ner' ? tokens.map((tok) => wordShape(tok[wc]!, true)) : [];
    const b = new ItemSequenceBuilder();
    const add = (name: string): void => void b.add(name);
    for (let t = 0; t < T; t++) {
      b.item();
      if (bias) b.add('bias');
      wordTypeAttributes(tokens[t]![wc]!, affix, add);
      for (const o of [-2, -1, 1, 2]) {
        const q = t + o;
        if (q >= 0 && q < T) {
          b.add(`w[${o}]=` + lower[q]!);
          if (set === 'ner') b.add(`shapec[${o}]=` + shapes[q]!);
          if (o === -1 || o === 1) b.add(`s3[${o}]=` + suffix(lower[q]!, 3));
        }
      }
      if (t > 0) b.add('w[-1]|w[0]=' + lower[t - 1]! + '|' + lower[t]!);
      if (t < T - 1) b.add('w[0]|w[1]=' + lower[t]! + '|' + lower[t + 1]!);
      if (t === 0) b.add('__BOS__');
      if (t === T - 1) b.add('__EOS__');
    }
    return b.build();
  };
}

/**
 * Part-of-speech attributes per token: `bias`; the word `w=` and lower-cased `wl=`; prefixes `p1=`…`p4=` and
 * suffixes `s1=`…`s4=` (up to the word's length); the shape `shape=` (full) and `shapec=` (collapsed); flags
 * `hasdigit`, `hashyphen`, `allcaps`, `initcap`, `punct`; the lower-cased neighbours `w[-2]=`, `w[-1]=`,
 * `w[1]=`, `w[2]=` (absent outside the sentence), their 3-letter suffixes `s3[-1]=`, `s3[1]=`, the lower-cased
 * word bigrams `w[-1]|w[0]=` and `w[0]|w[1]=`; `__BOS__` / `__EOS__` on the first / last token.
 */
export function posFeatures(options: LexicalFeatureOptions = {}): FeatureExtractor {
  return lexicalSet('pos', options);
}

/** Named-entity attributes: everything in `posFeatures` plus the neighbours' collapsed shapes `shapec[±1,±2]=`. */
export function nerFeatures(options: LexicalFeatureOptions = {}): FeatureExtractor {
  return lexicalSet('ner', options);
}

/** A built-in set by name (for the CLI's `--features`). */
export function builtinFeatures(name: BuiltinFeatureSetName, options: ChunkingFeatureOptions & LexicalFeatureOptions = {}): FeatureExtractor {
  switch (name) {
    case 'chunking':
      return chunkingFeatures(options);
    case 'pos':
      return posFeatures(options);
    case 'ner':
      return nerFeatures(options);
    default:
      throw new RangeError(`unknown feature set ${JSON.stringify(name)}; expected one of ${BUILTIN_FEATURE_SETS.join(', ')}`);
  }
}
