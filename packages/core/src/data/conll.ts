/**
 * CoNLL column files (CoNLL-2000 chunking, CoNLL-2003 NER, …): one token per line with N whitespace-separated
 * columns, sentences separated by blank lines, `-DOCSTART-` lines skipped. Streams sentences.
 */
import { DataError } from './data-error.js';
import { readLineBatches } from './lines.js';

/** One sentence of a CoNLL column file. */
export interface ConllSentence {
  /** `tokens[i][c]`: column c of token i. */
  tokens: string[][];
  /** 1-based line of the sentence's first token. */
  line: number;
}

/** Options of `readConll`. */
export interface ConllOptions {
  /** Number of columns every token line must have; by default the count on the first token line. */
  columns?: number;
}

const WS = /[ \t]+/;

/**
 * Streams the sentences of a CoNLL column file (gzip or plain). Throws `DataError` naming file and line for a token
 * line with the wrong number of columns (`train.txt:17: expected 3 columns, got 2`) and for a file with no sentences.
 */
export async function* readConll(path: string, options: ConllOptions = {}): AsyncGenerator<ConllSentence, void, undefined> {
  let ncol = options.columns ?? 0;
  if (options.columns !== undefined && (!Number.isSafeInteger(options.columns) || options.columns < 1)) {
    throw new RangeError(`readConll: columns must be a positive integer, got ${options.columns}`);
  }
  let line = 0;
  let tokens: string[][] = [];
  let start = 0;
  let count = 0;
  for await (const batch of readLineBatches(path)) {
    for (let b = 0; b < batch.length; b++) {
      line++;
      const text = batch[b]!;
      let s = 0;
      while (s < text.length && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
      if (s === text.length) {
        if (tokens.length > 0) {
          count++;
          yield { tokens, line: start };
          tokens = [];
        }
        continue;
      }
      const fields = (s === 0 ? text : text.slice(s)).split(WS);
      if (fields[fields.length - 1] === '') fields.pop(); // trailing whitespace
      if (fields[0] === '-DOCSTART-') continue;
      if (ncol === 0) ncol = fields.length;
      else if (fields.length !== ncol) {
        throw new DataError(path, line, `expected ${ncol} column${ncol === 1 ? '' : 's'}, got ${fields.length}`);
      }
      if (tokens.length === 0) start = line;
      tokens.push(fields);
    }
  }
  if (tokens.length > 0) {
    count++;
    yield { tokens, line: start };
  }
  if (count === 0) throw new DataError(path, undefined, 'no sentences (the file is empty or holds only blank and -DOCSTART- lines)');
}
