/**
 * Chunk precision / recall / F1 with the semantics of the CoNLL `conlleval` perl script (version 2004-01-26,
 * Erik Tjong Kim Sang), re-implemented from its documented behaviour:
 *
 * - A tag `P-TYPE` splits at the FIRST hyphen into prefix P and type TYPE (types may contain hyphens); a tag
 *   without a hyphen is a prefix with the empty type. (As in perl, the type "0" counts as empty.)
 * - Whether a chunk starts / ends between two tokens is decided by conlleval's startOfChunk / endOfChunk rules over
 *   (previous prefix, prefix, previous type, type): B, I, O (IOB1, IOB2), E (IOE1, IOE2), `[` and `]` (one-token
 *   chunks), `.`, and "the type changed inside a chunk". A chunk is correct when gold and guess start it at the
 *   same token with the same type and end it at the same token.
 * - Sentence boundaries reset to O; token accuracy counts tokens whose whole tag matches.
 * - Per-type precision/recall/F1 and the text report reproduce the script's output byte for byte
 *   (including `%6.2f` rounding — ties round to even as C's printf does — and its listing of types).
 *
 * The 2004 script knows no `S-` prefix and does not close a chunk at `E-X` followed by `B-X`, so on BIOES/IOBES
 * tags it merges chunks. `rules: 'iobes'` uses the widely used IOBES extension of the same rules (the Python port
 * conlleval.py, github.com/spyysalo/conlleval.py): E and S end a chunk, B and S start one. `rules: 'auto'` (the
 * default) uses 'iobes' when some tag has the prefix S or E and 'conlleval' otherwise; both rule sets agree on
 * IOB1, IOB2 and IOE data, so 'auto' gives the perl script's numbers there.
 */

/** Which start/end rules to use (see the file comment). */
export type ChunkRules = 'auto' | 'conlleval' | 'iobes';

/** Options of `conlleval`. */
export interface ConllevalOptions {
  /** Start/end rules (default 'auto'). */
  rules?: ChunkRules;
  /** conlleval's -r: tags have no prefixes; every tag except the outside tag is a one-token chunk (default false). */
  raw?: boolean;
  /** conlleval's -o: the outside tag in raw mode (default 'O'). */
  oTag?: string;
}

/** Counts and scores of one chunk type (or of all chunks). Scores are fractions in [0, 1]. */
export interface ChunkScore {
  /** Chunk type ('' for tags without a type). */
  type: string;
  /** Chunks in the gold data. */
  gold: number;
  /** Chunks in the guess. */
  guessed: number;
  /** Guessed chunks that are exactly right. */
  correct: number;
  precision: number;
  recall: number;
  f1: number;
}

/** The result of `conlleval`. */
export interface ConllevalResult {
  /** The rule set used (after resolving 'auto'). */
  rules: 'conlleval' | 'iobes';
  /** Tokens counted (sentence boundaries excluded). */
  tokens: number;
  /** Tokens whose guessed tag equals the gold tag (prefix and type). */
  correctTags: number;
  /** correctTags / tokens (0 when there are no tokens). */
  accuracy: number;
  /** All chunks together (`type` is ''). */
  overall: ChunkScore;
  /** Per chunk type, sorted by type name (code-point order, as perl's `sort`). */
  byType: ChunkScore[];
}

/** A tag split as conlleval splits it. */
interface Split {
  prefix: string;
  type: string;
}

function splitTag(tag: string, raw: boolean, oTag: string): Split {
  let t = tag;
  if (raw) {
    if (t === oTag) t = 'O';
    if (t !== 'O') t = 'B-' + t;
  }
  const h = t.indexOf('-');
  if (h < 0) return { prefix: t, type: '' };
  const type = t.slice(h + 1);
  return { prefix: t.slice(0, h), type: type === '0' ? '' : type };
}

type Rule = (prevTag: string, tag: string, prevType: string, type: string) => boolean;

/** conlleval 2004 endOfChunk. */
const endPerl: Rule = (p, t, pt, tt) =>
  (p === 'B' && (t === 'B' || t === 'O')) ||
  (p === 'I' && (t === 'B' || t === 'O')) ||
  (p === 'E' && (t === 'E' || t === 'I' || t === 'O')) ||
  (p !== 'O' && p !== '.' && pt !== tt) ||
  p === ']' ||
  p === '[';

/** conlleval 2004 startOfChunk. */
const startPerl: Rule = (p, t, pt, tt) =>
  (t === 'B' && (p === 'B' || p === 'I' || p === 'O')) ||
  (p === 'O' && (t === 'I' || t === 'E')) ||
  (p === 'E' && (t === 'E' || t === 'I')) ||
  (t !== 'O' && t !== '.' && pt !== tt) ||
  t === '[' ||
  t === ']';

/** IOBES extension (conlleval.py): E and S end, B and S start. */
const endIobes: Rule = (p, t, pt, tt) =>
  p === 'E' ||
  p === 'S' ||
  ((p === 'B' || p === 'I') && (t === 'B' || t === 'S' || t === 'O')) ||
  (p !== 'O' && p !== '.' && pt !== tt) ||
  p === ']' ||
  p === '[';

const startIobes: Rule = (p, t, pt, tt) =>
  t === 'B' ||
  t === 'S' ||
  ((p === 'E' || p === 'S' || p === 'O') && (t === 'E' || t === 'I')) ||
  (t !== 'O' && t !== '.' && pt !== tt) ||
  t === '[' ||
  t === ']';

function score(type: string, gold: number, guessed: number, correct: number): ChunkScore {
  const precision = guessed > 0 ? correct / guessed : 0;
  const recall = gold > 0 ? correct / gold : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { type, gold, guessed, correct, precision, recall, f1 };
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** Code-point string order (perl's default `sort` on byte strings of UTF-8 text). */
export function codePointCompare(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

/**
 * Streaming conlleval: feed tokens and sentence boundaries in file order, then read `result()`.
 * Needs a resolved rule set ('conlleval' or 'iobes'); `conlleval()` resolves 'auto' by looking at all tags first.
 */
export class ConllevalAccumulator {
  private readonly end: Rule;
  private readonly start: Rule;
  private readonly raw: boolean;
  private readonly oTag: string;
  private correctChunk = 0;
  private foundCorrect = 0;
  private foundGuessed = 0;
  private correctTags = 0;
  private tokens = 0;
  private readonly correctByType = new Map<string, number>();
  private readonly goldByType = new Map<string, number>();
  private readonly guessedByType = new Map<string, number>();
  private inCorrect = false;
  private lastCorrect = 'O';
  private lastCorrectType = '';
  private lastGuessed = 'O';
  private lastGuessedType = '';

  constructor(
    readonly rules: 'conlleval' | 'iobes',
    options: Pick<ConllevalOptions, 'raw' | 'oTag'> = {},
  ) {
    if (rules !== 'conlleval' && rules !== 'iobes') throw new RangeError(`rules ${JSON.stringify(rules)}: expected 'conlleval' or 'iobes'`);
    this.end = rules === 'iobes' ? endIobes : endPerl;
    this.start = rules === 'iobes' ? startIobes : startPerl;
    this.raw = options.raw ?? false;
    this.oTag = options.oTag ?? 'O';
  }

  /** One token with its gold and guessed tag. */
  token(gold: string, guessed: string): void {
    this.step(splitTag(gold, this.raw, this.oTag), splitTag(guessed, this.raw, this.oTag), false);
  }

  /** A sentence boundary (an empty line or a `-X-` line of conlleval's input). */
  boundary(): void {
    this.step(OUTSIDE, OUTSIDE, true);
  }

  private step(c: Split, g: Split, boundary: boolean): void {
    const endC = this.end(this.lastCorrect, c.prefix, this.lastCorrectType, c.type);
    const endG = this.end(this.lastGuessed, g.prefix, this.lastGuessedType, g.type);
    if (this.inCorrect) {
      if (endC && endG && this.lastGuessedType === this.lastCorrectType) {
        this.inCorrect = false;
        this.correctChunk++;
        bump(this.correctByType, this.lastCorrectType);
      } else if (endC !== endG || g.type !== c.type) {
        this.inCorrect = false;
      }
    }
    const startC = this.start(this.lastCorrect, c.prefix, this.lastCorrectType, c.type);
    const startG = this.start(this.lastGuessed, g.prefix, this.lastGuessedType, g.type);
    if (startC && startG && g.type === c.type) this.inCorrect = true;
    if (startC) {
      this.foundCorrect++;
      bump(this.goldByType, c.type);
    }
    if (startG) {
      this.foundGuessed++;
      bump(this.guessedByType, g.type);
    }
    if (!boundary) {
      if (c.prefix === g.prefix && c.type === g.type) this.correctTags++;
      this.tokens++;
    }
    this.lastGuessed = g.prefix;
    this.lastCorrect = c.prefix;
    this.lastGuessedType = g.type;
    this.lastCorrectType = c.type;
  }

  /** The scores so far (a chunk still open at the end counts as conlleval counts it at end of input). */
  result(): ConllevalResult {
    const correctByType = new Map(this.correctByType);
    let correctChunk = this.correctChunk;
    if (this.inCorrect) {
      correctChunk++;
      bump(correctByType, this.lastCorrectType);
    }
    const types = [...new Set([...this.goldByType.keys(), ...this.guessedByType.keys()])].sort(codePointCompare);
    return {
      rules: this.rules,
      tokens: this.tokens,
      correctTags: this.correctTags,
      accuracy: this.tokens > 0 ? this.correctTags / this.tokens : 0,
      overall: score('', this.foundCorrect, this.foundGuessed, correctChunk),
      byType: types.map((t) => score(t, this.goldByType.get(t) ?? 0, this.guessedByType.get(t) ?? 0, correctByType.get(t) ?? 0)),
    };
  }
}

const OUTSIDE: Split = { prefix: 'O', type: '' };

function resolveRules(wanted: ChunkRules, raw: boolean, tagLists: Iterable<readonly string[]>): 'conlleval' | 'iobes' {
  if (wanted === 'conlleval' || wanted === 'iobes') return wanted;
  if (wanted !== 'auto') throw new RangeError(`rules ${JSON.stringify(wanted)}: expected 'auto', 'conlleval' or 'iobes'`);
  if (raw) return 'conlleval';
  for (const tags of tagLists) {
    for (const tag of tags) {
      const h = tag.indexOf('-');
      const p = h < 0 ? tag : tag.slice(0, h);
      if (p === 'S' || p === 'E') return 'iobes';
    }
  }
  return 'conlleval';
}

/**
 * Chunk evaluation of `guessed` against `gold` (sentences of tags, same shapes) with conlleval's semantics,
 * as if run on a file with an empty line after every sentence.
 * Throws RangeError when the numbers of sentences or a sentence's lengths differ.
 */
export function conlleval(
  gold: readonly (readonly string[])[],
  guessed: readonly (readonly string[])[],
  options: ConllevalOptions = {},
): ConllevalResult {
  if (gold.length !== guessed.length) throw new RangeError(`gold has ${gold.length} sentences, guessed has ${guessed.length}`);
  for (let s = 0; s < gold.length; s++) {
    if (gold[s]!.length !== guessed[s]!.length) {
      throw new RangeError(`sentence ${s}: gold has ${gold[s]!.length} tags, guessed has ${guessed[s]!.length}`);
    }
  }
  const rules = resolveRules(options.rules ?? 'auto', options.raw ?? false, [...gold, ...guessed]);
  const acc = new ConllevalAccumulator(rules, options);
  for (let s = 0; s < gold.length; s++) {
    const gs = gold[s]!;
    const hs = guessed[s]!;
    for (let t = 0; t < gs.length; t++) acc.token(gs[t]!, hs[t]!);
    acc.boundary();
  }
  return acc.result();
}

/**
 * `x` with `digits` decimals, rounded like C's printf: from the exact binary value, exact ties to even.
 * (Number#toFixed rounds exact ties up, e.g. 0.125 → "0.13"; printf gives "0.12".)
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return String(x);
  const neg = x < 0 || Object.is(x, -0);
  const exact = Math.abs(x).toFixed(100); // exact decimal expansion for the magnitudes used here
  const dot = exact.indexOf('.');
  const intPart = exact.slice(0, dot);
  const frac = exact.slice(dot + 1);
  const keep = frac.slice(0, digits);
  const rest = frac.slice(digits);
  let roundUp: boolean;
  if (rest[0]! > '5') roundUp = true;
  else if (rest[0]! < '5') roundUp = false;
  else if (/[1-9]/.test(rest.slice(1))) roundUp = true;
  else {
    const lastDigit = digits > 0 ? keep[digits - 1]! : intPart[intPart.length - 1]!;
    roundUp = (lastDigit.charCodeAt(0) - 48) % 2 === 1;
  }
  let digitsStr = intPart + keep;
  if (roundUp) {
    const arr = digitsStr.split('');
    let i = arr.length - 1;
    for (; i >= 0; i--) {
      if (arr[i] === '9') arr[i] = '0';
      else {
        arr[i] = String.fromCharCode(arr[i]!.charCodeAt(0) + 1);
        break;
      }
    }
    digitsStr = (i < 0 ? '1' : '') + arr.join('');
  }
  const ip = digitsStr.slice(0, digitsStr.length - digits).replace(/^0+(?=\d)/, '');
  const fp = digitsStr.slice(digitsStr.length - digits);
  const body = digits > 0 ? `${ip}.${fp}` : ip;
  return neg ? '-' + body : body;
}

function pad(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

/** printf "%6.2f" */
function f62(x: number): string {
  return pad(formatFixed(x, 2), 6);
}

/**
 * The result as conlleval prints it (without -l), byte for byte:
 *
 *     processed 47377 tokens with 23852 phrases; found: 23804 phrases; correct: 22330.
 *     accuracy:  95.96%; precision:  93.81%; recall:  93.62%; FB1:  93.71
 *                  ADJP: precision:  80.00%; recall:  73.06%; FB1:  76.37  400
 *
 * Percentages are recomputed from the counts the way the script computes them (100*c/n, then 2PR/(P+R)).
 */
export function formatConlleval(result: ConllevalResult): string {
  const o = result.overall;
  let out = `processed ${result.tokens} tokens with ${o.gold} phrases; found: ${o.guessed} phrases; correct: ${o.correct}.\n`;
  if (result.tokens > 0) {
    const p = o.guessed > 0 ? (100 * o.correct) / o.guessed : 0;
    const r = o.gold > 0 ? (100 * o.correct) / o.gold : 0;
    const f = p + r > 0 ? (2 * p * r) / (p + r) : 0;
    out += `accuracy: ${f62((100 * result.correctTags) / result.tokens)}%; precision: ${f62(p)}%; recall: ${f62(r)}%; FB1: ${f62(f)}\n`;
  }
  for (const s of result.byType) {
    const p = s.guessed > 0 ? (100 * s.correct) / s.guessed : 0;
    const r = s.gold > 0 ? (100 * s.correct) / s.gold : 0;
    const f = p + r === 0 ? 0 : (2 * p * r) / (p + r);
    const line = `${pad(s.type, 17)}: precision: ${f62(p)}%; recall: ${f62(r)}%; FB1: ${f62(f)}  ${s.guessed}\n`;
    out += line;
    // perl's de-duplication of the sorted type list tests the previous type for truth, and '' is false:
    // the empty type is listed twice when both gold and guess have chunks of it.
    if (s.type === '' && s.gold > 0 && s.guessed > 0) out += line;
  }
  return out;
}

/** Options of `conllevalText`: conlleval's command-line options plus a file name for errors. */
export interface ConllevalFileOptions extends ConllevalOptions {
  /** Field delimiter (default ' ', as conlleval's -d). */
  delimiter?: string;
  /** First field that marks a sentence boundary (default '-X-'). */
  boundary?: string;
  /** File name for error messages (default '<input>'). */
  file?: string;
}

/**
 * conlleval on the text of its input format: one token per line, the last two fields the gold and the guessed
 * tag, sentences separated by empty lines or lines whose first field is `-X-` (each such line is a boundary, as in
 * the script). Errors name the file and line (a line whose number of fields differs from the first line's, or a
 * line with fewer than two fields).
 */
export function conllevalText(text: string, options: ConllevalFileOptions = {}): ConllevalResult {
  const delimiter = options.delimiter ?? ' ';
  const boundary = options.boundary ?? '-X-';
  const file = options.file ?? '<input>';
  const rows: ([string, string] | null)[] = [];
  let nFields = -1;
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let n = 0; n < lines.length; n++) {
    const fields = lines[n]!.split(delimiter);
    while (fields.length > 0 && fields[fields.length - 1] === '') fields.pop(); // perl's split drops trailing empty fields
    if (nFields < 0) nFields = fields.length === 0 ? -1 : fields.length;
    else if (fields.length !== nFields && fields.length !== 0) {
      throw new RangeError(`${file}:${n + 1}: expected ${nFields} fields, got ${fields.length}`);
    }
    if (fields.length === 0 || fields[0] === boundary) {
      rows.push(null);
      continue;
    }
    if (fields.length < 2) throw new RangeError(`${file}:${n + 1}: expected at least 2 fields (gold and guessed tag), got ${fields.length}`);
    rows.push([fields[fields.length - 2]!, fields[fields.length - 1]!]);
  }
  const tags = rows.filter((r): r is [string, string] => r !== null);
  const rules = resolveRules(options.rules ?? 'auto', options.raw ?? false, tags);
  const acc = new ConllevalAccumulator(rules, options);
  for (const r of rows) {
    if (r === null) acc.boundary();
    else acc.token(r[0], r[1]);
  }
  return acc.result();
}
