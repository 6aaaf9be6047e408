import { readConll, readConllu } from '@ebmkit/core';
import type { LabeledSequence } from './corpus.js';
import type { FeatureExtractor, TokenColumns } from './features/item-sequence.js';

/** A sentence read from a file: its token columns (input columns only), gold labels and first line. */
export interface TaggedSentence {
  tokens: string[][];
  labels: string[];
  line: number;
}

/** Formats of labelled files. */
export type LabeledFormat = 'conll' | 'conllu';

/** Options for `readTaggedSentences`. */
export interface ReadTaggedOptions {
  /** 'conll' (label in the last column) or 'conllu' (label from `column`). Default: from the file name (.conllu → conllu). */
  format?: LabeledFormat;
  /** CoNLL-U column used as the label (default 'upos'). */
  column?: 'upos' | 'xpos' | 'deprel';
  /** CoNLL: number of columns every token line must have (default: fixed by the first token line). */
  columns?: number;
}

/** The format implied by a file name: `.conllu` (optionally `.gz`) is CoNLL-U, anything else CoNLL columns. */
export function formatFromName(path: string): LabeledFormat {
  return /\.conllu(\.gz)?$/i.test(path) ? 'conllu' : 'conll';
}

/**
 * Streams labelled sentences from a CoNLL column file (label = last column, the other columns are the
 * input) or a CoNLL-U file (input = [form], label = UPOS by default; multiword tokens and empty nodes are
 * skipped). Errors name file and line.
 */
export async function* readTaggedSentences(path: string, options: ReadTaggedOptions = {}): AsyncGenerator<TaggedSentence> {
  const format = options.format ?? formatFromName(path);
  if (format === 'conllu') {
    const column = options.column ?? 'upos';
    for await (const s of readConllu(path)) {
      yield { tokens: s.words.map((w) => [w.form]), labels: s.words.map((w) => w[column]), line: s.line };
    }
    return;
  }
  for await (const s of readConll(path, options.columns !== undefined ? { columns: options.columns } : {})) {
    const n = s.tokens[0]!.length;
    if (n < 2) throw new RangeError(`${path}:${s.line}: a labelled CoNLL file needs at least 2 columns (input … label), found ${n}`);
    yield { tokens: s.tokens.map((t) => t.slice(0, n - 1)), labels: s.tokens.map((t) => t[n - 1]!), line: s.line };
  }
}

/** Reads a whole labelled file and extracts attributes with `extractor`. */
export async function readLabeledSequences(
  path: string,
  extractor: FeatureExtractor,
  options: ReadTaggedOptions = {},
): Promise<{ sequences: LabeledSequence[]; sentences: TaggedSentence[] }> {
  const sequences: LabeledSequence[] = [];
  const sentences: TaggedSentence[] = [];
  for await (const s of readTaggedSentences(path, options)) {
    let items;
    try {
      items = extractor(s.tokens as TokenColumns);
    } catch (e) {
      throw new RangeError(`${path}:${s.line}: ${(e as Error).message}`);
    }
    sequences.push({ items, labels: s.labels });
    sentences.push(s);
  }
  return { sequences, sentences };
}
