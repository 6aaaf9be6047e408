/**
 * Tagging pipelines shared by `ebm tag` and `ebm crf tag`: raw text (streamed line by line, long lines in bounded
 * pieces), pre-tokenised lines, and CoNLL / CoNLL-U files (their other columns kept). Each input is read by
 * text-input.ts, each sentence becomes a SentenceRecord, and tag-output.ts formats it.
 */
import { readConll } from '@ebmkit/core';
import { SentenceStream, TextTagger, type Crf, type DecodeConstraints, type TextSentence } from '@ebmkit/crf';
import type { CliIo, TextOut } from '../command.js';
import { CliError } from '../errors.js';
import {
  codePointLength,
  formatRecord,
  OutputSink,
  type FormatOptions,
  type RecordToken,
  type SentenceRecord,
  type TagOutputFormat,
} from './tag-output.js';
import { inputName, linePieces, resolveInputs, type InputSource } from './text-input.js';

export { TAG_OUTPUT_FORMATS } from './tag-output.js';
export type { TagOutputFormat } from './tag-output.js';

/** What the input is: raw text, one pre-tokenised sentence per line, CoNLL-U, or CoNLL columns. */
export const TAG_INPUT_FORMATS = ['text', 'tokenized', 'conllu', 'conll'] as const;
export type TagInputFormat = (typeof TAG_INPUT_FORMATS)[number];

export interface TagWriteOptions {
  format: TagOutputFormat;
  marginals?: boolean | undefined;
  constraints?: DecodeConstraints | undefined;
}

interface RunOptions extends TagWriteOptions {
  /** Name the file in every record (several inputs). */
  file?: string | undefined;
  /** Adds to each tagged sentence before it is written (e.g. a dependency parse). */
  annotate?: ((rec: SentenceRecord) => void) | undefined;
}

/** The input format of a file from its name (`.conllu[.gz]`, `.conll[.gz]`), else raw text. */
export function inputFormatFromName(src: InputSource): TagInputFormat {
  if (src.kind !== 'file') return 'text';
  const p = src.path.toLowerCase().replace(/\.gz$/, '');
  if (p.endsWith('.conllu')) return 'conllu';
  if (p.endsWith('.conll')) return 'conll';
  return 'text';
}

/** Tags one input in the given format into `sink`. */
export async function tagSource(tagger: TextTagger, src: InputSource, format: TagInputFormat, sink: OutputSink, o: RunOptions): Promise<void> {
  switch (format) {
    case 'text':
      return tagText(tagger, src, sink, o);
    case 'tokenized':
      return tagTokenized(tagger, src, sink, o);
    case 'conllu':
    case 'conll':
      return tagConll(tagger, src, format, sink, o);
  }
}

function formatOptions(tagger: TextTagger, o: RunOptions): FormatOptions {
  return { format: o.format, labels: tagger.labels, ...(o.annotate ? { annotate: o.annotate } : {}) };
}

async function tagText(tagger: TextTagger, src: InputSource, sink: OutputSink, o: RunOptions): Promise<void> {
  const fo = formatOptions(tagger, o);
  const stream = new SentenceStream();
  const tagOptions = { marginals: o.marginals === true, ...(o.constraints ? { constraints: o.constraints } : {}) };
  // per line: the sentence count and a cursor mapping UTF-16 offsets to code points (tokens come in order, and
  // only whitespace — never an astral character — lies between them)
  let count = 0;
  let u16 = 0;
  let cp = 0;
  const labels = tagger.labels;
  const L = labels.length;
  const emit = (line: number, s: TextSentence): void => {
    const st = s.tokens;
    const n = st.length;
    const words = new Array<string>(n);
    for (let i = 0; i < n; i++) words[i] = st[i]!.text;
    let ids: Int32Array | readonly number[];
    let probs: Float64Array | null = null;
    if (o.constraints) {
      const tw = tagger.tagTokens(words, tagOptions);
      ids = tw.map((w) => labels.indexOf(w.tag));
      if (o.marginals) {
        probs = new Float64Array(n * L);
        tw.forEach((w, i) => probs!.set(w.marginals!, i * L));
      }
    } else if (o.marginals) {
      const m = tagger.marginals(words);
      ids = m.ids;
      probs = m.probabilities;
    } else {
      ids = tagger.tagIds(words);
    }
    const tokens: RecordToken[] = new Array<RecordToken>(n);
    for (let i = 0; i < n; i++) {
      const t = st[i]!;
      const start = cp + (t.start - u16);
      const end = start + codePointLength(t.text);
      u16 = t.end;
      cp = end;
      const rt: RecordToken = { text: t.text, tag: labels[ids[i]!]!, start, end };
      if (i + 1 < n && st[i + 1]!.start === t.end) rt.spaceAfterNo = true;
      if (probs !== null) rt.marginals = probs.subarray(i * L, i * L + L);
      tokens[i] = rt;
    }
    count++;
    sink.add(formatRecord({ line, file: o.file, sentence: count, text: s.text, tokens }, fo));
  };
  for await (const p of linePieces(src)) {
    for (const s of stream.push(p.text)) emit(p.line, s);
    if (p.eol) {
      for (const s of stream.end()) emit(p.line, s);
      if (count === 0) sink.add(formatRecord({ line: p.line, file: o.file, tokens: [] }, fo));
      count = 0;
      u16 = 0;
      cp = 0;
    }
    if (p.last || sink.full) await sink.flush();
  }
}

/** Whole lines of an input (pieces joined). */
async function* wholeLines(src: InputSource): AsyncGenerator<{ line: number; text: string; last: boolean }> {
  let parts: string[] = [];
  for await (const p of linePieces(src)) {
    parts.push(p.text);
    if (p.eol) {
      yield { line: p.line, text: parts.length === 1 ? parts[0]! : parts.join(''), last: p.last };
      parts = [];
    }
  }
}

const TOKEN_RUN = /\S+/g;

async function tagTokenized(tagger: TextTagger, src: InputSource, sink: OutputSink, o: RunOptions): Promise<void> {
  const fo = formatOptions(tagger, o);
  const tagOptions = { marginals: o.marginals === true, ...(o.constraints ? { constraints: o.constraints } : {}) };
  for await (const { line, text, last } of wholeLines(src)) {
    const words: string[] = [];
    const spans: number[] = [];
    TOKEN_RUN.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = TOKEN_RUN.exec(text)) !== null) {
      words.push(m[0]);
      spans.push(m.index);
    }
    const tagged = tagger.tagTokens(words, tagOptions);
    let u16 = 0;
    let cp = 0;
    const tokens: RecordToken[] = tagged.map((t, i) => {
      const start = cp + codePointLength(text.slice(u16, spans[i]!));
      const end = start + codePointLength(t.text);
      u16 = spans[i]! + t.text.length;
      cp = end;
      const rt: RecordToken = { text: t.text, tag: t.tag, start, end };
      if (t.marginals) rt.marginals = t.marginals;
      return rt;
    });
    const rec: SentenceRecord = { line, file: o.file, tokens };
    if (words.length > 0) rec.text = text.trim();
    sink.add(formatRecord(rec, fo));
    if (last || sink.full) await sink.flush();
  }
}

async function tagConll(tagger: TextTagger, src: InputSource, format: 'conllu' | 'conll', sink: OutputSink, o: RunOptions): Promise<void> {
  const fo = formatOptions(tagger, o);
  const tagOptions = { marginals: o.marginals === true, ...(o.constraints ? { constraints: o.constraints } : {}) };
  const name = inputName(src);
  let lines: string[] = [];
  let wordLines: number[] = [];
  let columns: string[][] = [];
  let first = 0;
  let ncol = 0;
  const flushSentence = (): void => {
    if (lines.length === 0) return;
    const tagged = tagger.tagColumns(columns, tagOptions);
    const tokens: RecordToken[] = tagged.map((t, i) => {
      const rt: RecordToken = { text: t.text, tag: t.tag };
      if (format === 'conll') rt.columns = columns[i]!;
      if (t.marginals) rt.marginals = t.marginals;
      return rt;
    });
    const rec: SentenceRecord = { line: first, file: o.file, tokens };
    if (format === 'conllu') {
      rec.conllu = { lines, wordLines };
      const text = lines.find((l) => l.startsWith('# text ='));
      if (text !== undefined) rec.text = text.slice(8).trim();
    }
    if (tokens.length > 0 || format === 'conllu') sink.add(formatRecord(rec, fo));
    lines = [];
    wordLines = [];
    columns = [];
  };
  for await (const { line, text, last } of wholeLines(src)) {
    if (text.trim() === '') {
      flushSentence();
    } else {
      if (lines.length === 0) first = line;
      if (format === 'conllu') {
        if (!text.startsWith('#')) {
          const cols = text.split('\t');
          if (cols.length !== 10) throw new CliError(`${name}:${line}: expected 10 tab-separated CoNLL-U columns, got ${cols.length}`);
          if (/^\d+$/.test(cols[0]!)) {
            wordLines.push(lines.length);
            columns.push([cols[1]!]);
          } else if (!/^\d+(?:-\d+|\.\d+)$/.test(cols[0]!)) {
            throw new CliError(`${name}:${line}: expected a word ID (1, 2-3 or 4.1) in column 1, got ${JSON.stringify(cols[0])}`);
          }
        }
      } else {
        const cols = text.includes('\t') ? text.split('\t') : text.trim().split(/\s+/);
        if (ncol === 0) ncol = cols.length;
        else if (cols.length !== ncol) throw new CliError(`${name}:${line}: expected ${ncol} columns, got ${cols.length}`);
        columns.push(cols);
      }
      lines.push(text);
    }
    if (last || sink.full) await sink.flush();
  }
  flushSentence();
}

// ---- `ebm crf tag` (packages/cli/src/commands/crf.ts) ----

const taggers = new WeakMap<Crf, TextTagger>();
function taggerFor(model: Crf): TextTagger {
  let t = taggers.get(model);
  if (t === undefined) {
    t = new TextTagger(model);
    taggers.set(model, t);
  }
  return t;
}

/** The inputs of `ebm crf tag --input text`: files, text arguments, or stdin (see `resolveInputs`). */
export function openTextInputs(args: readonly string[], io: CliIo): InputSource[] {
  void io;
  return resolveInputs(args);
}

/** Tags raw text inputs with `model`, writing to `out`. */
export async function tagTextLines(model: Crf, inputs: readonly InputSource[], out: TextOut, options: TagWriteOptions): Promise<void> {
  const sink = OutputSink.stream(out);
  const tagger = taggerFor(model);
  for (const src of inputs) await tagSource(tagger, src, 'text', sink, { ...options, file: inputs.length > 1 ? inputName(src) : undefined });
  await sink.commit();
}

/** CoNLL sentences ([token][column]) from files, or from stdin when there are none. */
export async function* conllSentences(files: readonly string[]): AsyncGenerator<string[][]> {
  const paths = files.length ? files : ['/dev/stdin'];
  for (const p of paths) for await (const s of readConll(p)) yield s.tokens;
}

/** Writes one tagged sentence of CoNLL columns (`words` are the tokens, `columns` echoed in CoNLL output). */
export function writeTagged(out: TextOut, model: Crf, words: readonly string[], columns: readonly (readonly string[])[], options: TagWriteOptions): void {
  if (words.length === 0) return;
  const tagger = taggerFor(model);
  const tagged = tagger.tagColumns(columns, { marginals: options.marginals === true, ...(options.constraints ? { constraints: options.constraints } : {}) });
  const tokens: RecordToken[] = tagged.map((t, i) => {
    const rt: RecordToken = { text: words[i]!, tag: t.tag, columns: columns[i]! };
    if (t.marginals) rt.marginals = t.marginals;
    return rt;
  });
  out.write(formatRecord({ tokens }, { format: options.format, labels: tagger.labels }));
}
