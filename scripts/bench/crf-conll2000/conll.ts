/**
 * Minimal reader for the benchmark's corpus files: CoNLL columns ("word POS chunk"), blank line between sentences,
 * optionally gzip-compressed. Benchmark-only; the library's streaming loaders live in @ebmkit/core.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Sentences of tokens of columns, [sentence][token][column]. */
export type ConllSentences = string[][][];

/** Reads a CoNLL column file (`.gz` is decompressed); errors name the file and line. */
export function readConll(path: string, options: { columns?: number } = {}): ConllSentences {
  const buf = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
  const sentences: ConllSentences = [];
  let cur: string[][] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    if (line.trim() === '') {
      if (cur.length > 0) sentences.push(cur);
      cur = [];
      continue;
    }
    const cols = line.split(' ');
    if (options.columns !== undefined && cols.length !== options.columns) {
      throw new Error(`${path}:${n + 1}: expected ${options.columns} columns, got ${cols.length}`);
    }
    cur.push(cols);
  }
  if (cur.length > 0) sentences.push(cur);
  return sentences;
}

/** The CoNLL-2000 train/test files under EBM_CORPORA_DIR (throws a one-line error when it is not set). */
export function conll2000Paths(): { train: string; test: string } {
  const dir = process.env.EBM_CORPORA_DIR;
  if (!dir) throw new Error('EBM_CORPORA_DIR is not set (it should hold conll2000/train.txt.gz and conll2000/test.txt.gz)');
  return { train: join(dir, 'conll2000', 'train.txt.gz'), test: join(dir, 'conll2000', 'test.txt.gz') };
}
