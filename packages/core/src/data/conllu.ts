/**
 * CoNLL-U (Universal Dependencies): sentences of 10 tab-separated columns ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL
 * DEPS MISC, preceded by `#` comment lines (`# sent_id = …`, `# text = …`) and separated by blank lines. Multiword
 * token ranges (`3-4`) and empty nodes (`8.1`) are kept as extra information but are not words.
 */
import { DataError } from './data-error.js';
import { readLineBatches } from './lines.js';

/** One syntactic word (integer ID). Underscore `_` fields are kept as "_". */
export interface ConlluWord {
  /** 1-based position in the sentence. */
  id: number;
  form: string;
  lemma: string;
  upos: string;
  xpos: string;
  feats: string;
  /** Head word id (0 = root); null when the column is `_`. */
  head: number | null;
  deprel: string;
  deps: string;
  misc: string;
  /** 1-based line in the file. */
  line: number;
}

/** A multiword token `first-last` (e.g. "don't" over words 3–4). */
export interface ConlluMultiword {
  first: number;
  last: number;
  form: string;
  misc: string;
  line: number;
}

/** An empty node `major.minor` (enhanced dependencies), kept verbatim. */
export interface ConlluEmptyNode {
  /** The ID as written, e.g. "8.1". */
  id: string;
  /** The word it follows (8 for "8.1"). */
  after: number;
  /** All 10 columns. */
  fields: string[];
  line: number;
}

/** One CoNLL-U sentence. */
export interface ConlluSentence {
  /** 1-based line where the sentence starts (its first comment or word line). */
  line: number;
  /** Comment lines without the leading "#" and one following space. */
  comments: string[];
  /** `# key = value` comments (sent_id, text, newdoc id, …). */
  meta: Record<string, string>;
  words: ConlluWord[];
  multiwords: ConlluMultiword[];
  emptyNodes: ConlluEmptyNode[];
}

const COLUMN_NAMES = ['ID', 'FORM', 'LEMMA', 'UPOS', 'XPOS', 'FEATS', 'HEAD', 'DEPREL', 'DEPS', 'MISC'] as const;
const INT = /^(0|[1-9][0-9]*)$/;
const RANGE = /^([1-9][0-9]*)-([1-9][0-9]*)$/;
const EMPTY = /^(0|[1-9][0-9]*)\.([1-9][0-9]*)$/;

/**
 * Streams the sentences of a CoNLL-U file (gzip or plain). Throws `DataError` (file:line) for a line without exactly
 * 10 tab-separated columns, a malformed or out-of-sequence ID, a non-integer or out-of-range HEAD, a comment inside a
 * sentence, and a file with no sentences.
 */
export async function* readConllu(path: string): AsyncGenerator<ConlluSentence, void, undefined> {
  let line = 0;
  let count = 0;
  let s: ConlluSentence | null = null;
  const fail = (msg: string, column?: number): never => {
    throw new DataError(path, line, msg, column);
  };
  const finish = (): ConlluSentence => {
    const sent = s!;
    const n = sent.words.length;
    if (n === 0) throw new DataError(path, sent.line, 'sentence has comments but no words');
    for (const w of sent.words) {
      if (w.head !== null && w.head > n) throw new DataError(path, w.line, `column HEAD: expected a word id in 0..${n}, found ${w.head}`, 7);
    }
    for (const m of sent.multiwords) {
      if (m.last > n) throw new DataError(path, m.line, `multiword token ${m.first}-${m.last} goes past the last word ${n}`, 1);
    }
    s = null;
    count++;
    return sent;
  };
  for await (const batch of readLineBatches(path)) {
    for (const text of batch) {
      line++;
      if (text.length === 0 || text.trim().length === 0) {
        if (s !== null) yield finish();
        continue;
      }
      if (text.charCodeAt(0) === 35 /* # */) {
        if (s === null) s = { line, comments: [], meta: {}, words: [], multiwords: [], emptyNodes: [] };
        else if (s.words.length > 0 || s.multiwords.length > 0 || s.emptyNodes.length > 0) {
          fail('expected a word line or a blank line, found a comment inside a sentence');
        }
        const body = text.charCodeAt(1) === 32 ? text.slice(2) : text.slice(1);
        s.comments.push(body);
        const eq = body.indexOf(' = ');
        if (eq > 0) s.meta[body.slice(0, eq).trim()] = body.slice(eq + 3);
        else if (body.endsWith(' =')) s.meta[body.slice(0, -2).trim()] = '';
        continue;
      }
      const f = text.split('\t');
      if (f.length !== 10) fail(`expected 10 tab-separated columns, found ${f.length}`);
      if (s === null) s = { line, comments: [], meta: {}, words: [], multiwords: [], emptyNodes: [] };
      const id = f[0]!;
      if (INT.test(id)) {
        const n = Number(id);
        const want = s.words.length + 1;
        if (n !== want) fail(`column ID: expected word id ${want}, found ${id}`, 1);
        const h = f[6]!;
        let head: number | null = null;
        if (h !== '_') {
          if (!INT.test(h)) fail(`column HEAD: expected an integer word id or "_", found ${JSON.stringify(h)}`, 7);
          head = Number(h);
          if (head === n) fail(`column HEAD: word ${n} cannot be its own head`, 7);
        }
        s.words.push({ id: n, form: f[1]!, lemma: f[2]!, upos: f[3]!, xpos: f[4]!, feats: f[5]!, head, deprel: f[7]!, deps: f[8]!, misc: f[9]!, line });
        continue;
      }
      const r = RANGE.exec(id);
      if (r !== null) {
        const first = Number(r[1]);
        const last = Number(r[2]);
        if (first >= last) fail(`column ID: expected a range first-last with first < last, found ${id}`, 1);
        if (first !== s.words.length + 1) fail(`column ID: multiword token ${id} should start at the next word ${s.words.length + 1}`, 1);
        s.multiwords.push({ first, last, form: f[1]!, misc: f[9]!, line });
        continue;
      }
      const e = EMPTY.exec(id);
      if (e !== null) {
        const after = Number(e[1]);
        if (after !== s.words.length) fail(`column ID: empty node ${id} should follow word ${s.words.length}`, 1);
        s.emptyNodes.push({ id, after, fields: f, line });
        continue;
      }
      fail(`column ID: expected an integer word id, a range like 3-4 or an empty node like 8.1, found ${JSON.stringify(id)}`, 1);
    }
  }
  if (s !== null) yield finish();
  if (count === 0) throw new DataError(path, undefined, 'no sentences (the file is empty or holds only blank lines)');
}

export { COLUMN_NAMES as CONLLU_COLUMNS };
