import { DataError, readConllu, treeError, type ConlluSentence } from '@ebmkit/core';

/**
 * One sentence for the parser: its syntactic words (multiword token ranges and empty nodes are not words, as in the
 * CoNLL 2018 evaluation) with their tags, and — when known — the gold tree.
 */
export interface ParseSentence {
  forms: string[];
  /** Part-of-speech tags (UPOS), one per word. */
  tags: string[];
  /** Lemmas (optional; used only by models trained with `lemma` features). */
  lemmas?: string[];
  /** Morphological features column (optional; used only by models trained with `feats` features). */
  feats?: string[];
  /** Gold heads, length n + 1 with heads[0] = −1 (0 = root). */
  heads?: Int32Array;
  /** Gold relations, one per word. */
  deprels?: string[];
}

/** A parsed sentence: heads (length n + 1, heads[0] = −1) and one relation per word. */
export interface ParseResult {
  heads: Int32Array;
  deprels: string[];
}

/** A CoNLL-U sentence with its parser view. */
export interface ConlluParseSentence {
  source: ConlluSentence;
  sentence: ParseSentence;
}

/**
 * Reads a CoNLL-U file into parser sentences. With `requireTrees`, every sentence must carry a well-formed gold tree
 * (heads present, exactly one root word, no cycle): a `DataError` names the file and line otherwise.
 */
export async function readParseCorpus(
  path: string,
  options: { requireTrees?: boolean } = {},
): Promise<ConlluParseSentence[]> {
  const out: ConlluParseSentence[] = [];
  for await (const s of readConllu(path)) out.push({ source: s, sentence: fromConllu(path, s, options.requireTrees ?? false) });
  return out;
}

/** The parser view of one CoNLL-U sentence (see `readParseCorpus`). */
export function fromConllu(path: string, s: ConlluSentence, requireTree: boolean): ParseSentence {
  const n = s.words.length;
  const sentence: ParseSentence = {
    forms: s.words.map((w) => w.form),
    tags: s.words.map((w) => w.upos),
    lemmas: s.words.map((w) => w.lemma),
    feats: s.words.map((w) => w.feats),
  };
  const hasHeads = s.words.every((w) => w.head !== null);
  if (hasHeads) {
    const heads = new Int32Array(n + 1);
    heads[0] = -1;
    for (const w of s.words) heads[w.id] = w.head!;
    if (requireTree) {
      const err = treeError(heads, n);
      if (err !== null) throw new DataError(path, s.line, `sentence is not a tree with one root word: ${err}`);
    }
    sentence.heads = heads;
    sentence.deprels = s.words.map((w) => w.deprel);
  } else if (requireTree) {
    const w = s.words.find((x) => x.head === null)!;
    throw new DataError(path, w.line, 'column HEAD: expected a word id, found _', 7);
  }
  return sentence;
}

/** Checks a sentence given to the parser's public API; throws a RangeError with the sizes. */
export function checkSentence(s: ParseSentence): number {
  const n = s.forms.length;
  if (n === 0) throw new RangeError('sentence has no words');
  if (s.tags.length !== n) throw new RangeError(`tags length ${s.tags.length} !== words ${n}`);
  if (s.lemmas && s.lemmas.length !== n) throw new RangeError(`lemmas length ${s.lemmas.length} !== words ${n}`);
  if (s.feats && s.feats.length !== n) throw new RangeError(`feats length ${s.feats.length} !== words ${n}`);
  return n;
}

/**
 * The CoNLL-U text of `source` with HEAD and DEPREL (and UPOS when `tags` is given) replaced by a parse; comments,
 * multiword token lines and empty nodes are kept as they were.
 */
export function formatConllu(source: ConlluSentence, parse: ParseResult, tags?: readonly string[]): string {
  const lines: string[] = source.comments.map((c) => `# ${c}`);
  const mw = new Map(source.multiwords.map((m) => [m.first, m]));
  const empties = new Map<number, string[]>();
  for (const e of source.emptyNodes) {
    const list = empties.get(e.after) ?? [];
    list.push(e.fields.join('\t'));
    empties.set(e.after, list);
  }
  for (const line of empties.get(0) ?? []) lines.push(line);
  for (const w of source.words) {
    const m = mw.get(w.id);
    if (m) lines.push(`${m.first}-${m.last}\t${m.form}\t_\t_\t_\t_\t_\t_\t_\t${m.misc}`);
    const upos = tags ? tags[w.id - 1]! : w.upos;
    lines.push([w.id, w.form, w.lemma, upos, w.xpos, w.feats, parse.heads[w.id], parse.deprels[w.id - 1], w.deps, w.misc].join('\t'));
    for (const line of empties.get(w.id) ?? []) lines.push(line);
  }
  return lines.join('\n') + '\n\n';
}
