/** Input and output shared by `ebm tag` and `ebm crf tag`: streaming lines, CoNLL sentences, output formats. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { readConll } from '@ebmkit/core';
import { createEnglishTokenizer, type Crf, type DecodeConstraints } from '@ebmkit/crf';
import type { CliIo, TextOut } from '../command.js';

/** Output formats: `word/TAG` per sentence line, CoNLL columns, or JSON lines. */
export const TAG_OUTPUT_FORMATS = ['slash', 'conll', 'jsonl'] as const;
export type TagOutputFormat = (typeof TAG_OUTPUT_FORMATS)[number];

export interface TagWriteOptions {
  format: TagOutputFormat;
  marginals?: boolean | undefined;
  constraints?: DecodeConstraints | undefined;
}

/**
 * Lines to tag: each argument that names an existing file is read line by line; any other argument is
 * itself a line of text; with no arguments, stdin. Streams (constant memory).
 */
export async function* openTextInputs(args: readonly string[], io: CliIo): AsyncGenerator<string> {
  void io;
  if (args.length === 0) {
    yield* readLinesFrom(process.stdin);
    return;
  }
  for (const a of args) {
    if (existsSync(a) && statSync(a).isFile()) yield* readLinesFrom(createReadStream(a, { encoding: 'utf8' }));
    else yield a;
  }
}

async function* readLinesFrom(stream: NodeJS.ReadableStream): AsyncGenerator<string> {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

/** CoNLL sentences ([token][column]) from files, or from stdin when there are none. */
export async function* conllSentences(files: readonly string[]): AsyncGenerator<string[][]> {
  const paths = files.length ? files : ['/dev/stdin'];
  for (const p of paths) for await (const s of readConll(p)) yield s.tokens;
}

/** Tags raw text line by line: every input line becomes its sentences' output (an empty line stays empty). */
export async function tagTextLines(model: Crf, lines: AsyncIterable<string>, out: TextOut, options: TagWriteOptions): Promise<void> {
  const tokenizer = await createEnglishTokenizer();
  for await (const line of lines) {
    if (line.trim() === '') {
      if (options.format === 'slash') await write(out, '\n');
      continue;
    }
    for (const words of tokenizer.tokenize(line)) await writeTaggedAsync(out, model, words, words.map((w) => [w]), options);
  }
}

/** Writes one tagged sentence; `columns` are the input columns echoed in CoNLL output. */
export function writeTagged(out: TextOut, model: Crf, words: readonly string[], columns: readonly (readonly string[])[], options: TagWriteOptions): void {
  out.write(formatTagged(model, words, columns, options));
}

async function writeTaggedAsync(out: TextOut, model: Crf, words: readonly string[], columns: readonly (readonly string[])[], options: TagWriteOptions): Promise<void> {
  await write(out, formatTagged(model, words, columns, options));
}

/** Respects back-pressure of a real stream so that tagging a large file keeps memory flat. */
function write(out: TextOut, text: string): Promise<void> | void {
  const ok = out.write(text);
  const s = out as unknown as NodeJS.WritableStream;
  if (ok === false && typeof s.once === 'function') return new Promise((r) => s.once('drain', () => r()));
}

function formatTagged(model: Crf, words: readonly string[], columns: readonly (readonly string[])[], options: TagWriteOptions): string {
  if (words.length === 0) return '';
  if (options.format === 'jsonl') {
    if (options.marginals) {
      const m = model.marginals(columns, options.constraints);
      const L = m.labelSet.length;
      const probs = words.map((_, t) => Object.fromEntries(m.labelSet.map((l, y) => [l, round(m.probabilities[t * L + y]!)])));
      return JSON.stringify({ tokens: words, tags: m.best, marginals: probs }) + '\n';
    }
    return JSON.stringify({ tokens: words, tags: model.tag(columns, options.constraints) }) + '\n';
  }
  const tags = model.tag(columns, options.constraints);
  if (options.format === 'conll') return columns.map((c, t) => `${c.join('\t')}\t${tags[t]}\n`).join('') + '\n';
  return words.map((w, t) => `${w}/${tags[t]}`).join(' ') + '\n';
}

function round(p: number): number {
  return Math.round(p * 1e6) / 1e6;
}
