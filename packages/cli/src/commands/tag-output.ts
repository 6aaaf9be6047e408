/**
 * Output of `ebm tag` / `ebm crf tag`: every input produces one `SentenceRecord` per sentence (an empty record for a
 * blank text line), and a formatter turns records into text. A new output (e.g. dependency columns) is a new field
 * on the record and a case in the formatters, nothing else.
 *
 * Output goes to stdout, or with `--output FILE` to a temporary file renamed over FILE only when the whole input was
 * tagged (never a partial file left as if complete).
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { TextOut } from '../command.js';

/** Output formats: `word/TAG` per sentence, CoNLL columns, CoNLL-U, or JSON lines. */
export const TAG_OUTPUT_FORMATS = ['slash', 'conll', 'conllu', 'jsonl'] as const;
export type TagOutputFormat = (typeof TAG_OUTPUT_FORMATS)[number];

/** One output token. Offsets (when known) are Unicode code points (characters) into the input line. */
export interface RecordToken {
  text: string;
  tag: string;
  start?: number;
  end?: number;
  /** No whitespace between this token and the next (CoNLL-U `SpaceAfter=No`). */
  spaceAfterNo?: boolean;
  /** Label probabilities in `labels` order. */
  marginals?: Float64Array;
  /** The input's columns (CoNLL input): echoed in CoNLL output. */
  columns?: readonly string[];
  /** With `ebm tag --parse`: the head (1-based word index, 0 = root) and the relation of this word. */
  head?: number;
  deprel?: string;
}

/** One sentence of output (or an empty record for a blank input line). */
export interface SentenceRecord {
  /** 1-based input line of the sentence (its first line for CoNLL input). */
  line?: number;
  /** The input file, when there are several inputs. */
  file?: string;
  /** 1-based index of the sentence within its line (text input). */
  sentence?: number;
  /** The sentence's text (CoNLL-U `# text =`). */
  text?: string;
  tokens: RecordToken[];
  /** CoNLL-U input: its lines (comments, word, multiword and empty-node lines), echoed with the UPOS column replaced. */
  conllu?: { lines: string[]; wordLines: number[] };
}

export interface FormatOptions {
  format: TagOutputFormat;
  /** The label set, in `marginals` order. */
  labels: readonly string[];
  /** Adds to a tagged record before it is formatted (e.g. heads and relations from a parser). */
  annotate?: (rec: SentenceRecord) => void;
}

/** The text of one record in the chosen format. */
export function formatRecord(rec: SentenceRecord, o: FormatOptions): string {
  if (o.annotate && rec.tokens.length > 0) o.annotate(rec);
  switch (o.format) {
    case 'slash':
      return rec.tokens.map((t) => `${t.text}/${t.tag}`).join(' ') + '\n';
    case 'conll':
      if (rec.tokens.length === 0) return '';
      return rec.tokens.map((t) => `${(t.columns ?? [t.text]).join('\t')}\t${t.tag}${t.head !== undefined ? `\t${t.head}\t${t.deprel}` : ''}\n`).join('') + '\n';
    case 'conllu':
      return formatConllu(rec);
    case 'jsonl':
      return formatJson(rec, o.labels) + '\n';
  }
}

function formatConllu(rec: SentenceRecord): string {
  if (rec.conllu) {
    const lines = rec.conllu.lines.slice();
    rec.conllu.wordLines.forEach((li, k) => {
      const cols = lines[li]!.split('\t');
      const t = rec.tokens[k]!;
      cols[3] = t.tag;
      if (t.head !== undefined) {
        cols[6] = String(t.head);
        cols[7] = t.deprel ?? '_';
      }
      lines[li] = cols.join('\t');
    });
    return lines.join('\n') + '\n\n';
  }
  if (rec.tokens.length === 0) return '';
  let s = '';
  if (rec.line !== undefined) s += `# sent_id = ${rec.file ? `${rec.file}:` : ''}${rec.line}${rec.sentence !== undefined ? `-${rec.sentence}` : ''}\n`;
  if (rec.text !== undefined) s += `# text = ${rec.text}\n`;
  rec.tokens.forEach((t, i) => {
    const head = t.head !== undefined ? `${t.head}\t${t.deprel ?? '_'}` : '_\t_';
    s += `${i + 1}\t${t.text}\t_\t${t.tag}\t_\t_\t${head}\t_\t${t.spaceAfterNo ? 'SpaceAfter=No' : '_'}\n`;
  });
  return s + '\n';
}

function round(p: number): number {
  return Math.round(p * 1e6) / 1e6;
}

function formatJson(rec: SentenceRecord, labels: readonly string[]): string {
  const tokens = rec.tokens.map((t) => {
    const o: Record<string, unknown> = { text: t.text };
    if (t.start !== undefined) {
      o.start = t.start;
      o.end = t.end;
    }
    o.tag = t.tag;
    if (t.head !== undefined) {
      o.head = t.head;
      o.deprel = t.deprel;
    }
    if (t.marginals) {
      const m: Record<string, number> = {};
      for (let y = 0; y < labels.length; y++) m[labels[y]!] = round(t.marginals[y]!);
      o.marginals = m;
    }
    return o;
  });
  const head: Record<string, unknown> = {};
  if (rec.file !== undefined) head.file = rec.file;
  if (rec.line !== undefined) head.line = rec.line;
  return JSON.stringify({ ...head, tokens });
}

/** Number of code points of `s`. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Where the output goes: buffered writes to stdout (respecting back-pressure) or to a file committed at the end. */
export class OutputSink {
  private parts: string[] = [];
  private size = 0;
  private constructor(
    private readonly out: TextOut | null,
    private readonly file: { handle: FileHandle; tmp: string; path: string } | null,
  ) {}

  /** Output to `out` (stdout). */
  static stream(out: TextOut): OutputSink {
    return new OutputSink(out, null);
  }

  /** Output to a temporary file next to `path`, renamed to `path` by `commit()`. */
  static async file(path: string): Promise<OutputSink> {
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    const handle = await open(tmp, 'w');
    return new OutputSink(null, { handle, tmp, path });
  }

  add(s: string): void {
    this.parts.push(s);
    this.size += s.length;
  }

  /** Whether enough is buffered to be worth writing. */
  get full(): boolean {
    return this.size >= 1 << 16;
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.file) {
      await this.file.handle.write(text);
      return;
    }
    const ok = this.out!.write(text);
    const s = this.out as unknown as NodeJS.WritableStream;
    if (ok === false && typeof s.once === 'function') await new Promise<void>((r) => s.once('drain', () => r()));
  }

  /** Writes what is left; a file output is synced and renamed into place. */
  async commit(): Promise<void> {
    await this.flush();
    if (this.file) {
      await this.file.handle.sync();
      await this.file.handle.close();
      await rename(this.file.tmp, this.file.path);
    }
  }

  /** After a failure: a file output's temporary file is removed (the target is left as it was). */
  async abort(): Promise<void> {
    if (this.file) {
      await this.file.handle.close().catch(() => {});
      await unlink(this.file.tmp).catch(() => {});
    }
  }
}
