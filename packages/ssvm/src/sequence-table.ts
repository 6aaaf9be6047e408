/**
 * Sequences of items with dense features as TSV/CSV rows (the `ebm ssvm` data format, docs/ssvm.md):
 *
 *   sequence_id <sep> position <sep> label <sep> feature_1 <sep> … <sep> feature_D
 *
 * one item per row; the rows of a sequence are contiguous, positions consecutive integers (starting anywhere,
 * usually 1); the separator is a tab for `.tsv`/`.tsv.gz` files or when the first data line has a tab, else a
 * comma; no quoting. An optional header row (its position field is not an integer) names the features; blank lines
 * and lines starting with `#` are skipped; gzip is detected by magic bytes. Every malformed row is a `DataError`
 * naming file and line.
 */
import { DataError, readLineBatches } from '@ebmkit/core';
import type { DenseSequence } from './dense-chain-model.js';

/** Sequences read from a table file. */
export interface SequenceTable {
  /** The file, as given. */
  readonly file: string;
  /** Sequence ids in file order. */
  readonly ids: string[];
  readonly sequences: DenseSequence[];
  /** Label strings per sequence (empty strings where the file left the label empty). */
  readonly labels: string[][];
  /** 1-based file line of every item, per sequence. */
  readonly lines: Int32Array[];
  /** Feature names from the header, or null. */
  readonly featureNames: string[] | null;
  /** Features per item. */
  readonly features: number;
  /** The separator used. */
  readonly separator: '\t' | ',';
}

/** Options of `readSequenceTable`. */
export interface SequenceTableOptions {
  /** Force the separator (default: by file name / first data line). */
  separator?: '\t' | ',';
  /** Require a non-empty label on every row (default true; prediction input may leave it empty). */
  requireLabels?: boolean;
  /** Expected features per item (e.g. the model's); a different count is an error naming the first row. */
  features?: number;
}

const FINITE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** Reads a sequence table (see the module comment for the format). */
export async function readSequenceTable(path: string, options: SequenceTableOptions = {}): Promise<SequenceTable> {
  const requireLabels = options.requireLabels ?? true;
  let sep: '\t' | ',' | null = options.separator ?? (/\.tsv(\.gz)?$/i.test(path) ? '\t' : null);
  let header: string[] | null = null;
  let D = -1;
  const ids: string[] = [];
  const sequences: DenseSequence[] = [];
  const labels: string[][] = [];
  const lines: Int32Array[] = [];
  const seen = new Set<string>();
  let curId: string | null = null;
  let curPos = 0;
  let curFeat: number[] = [];
  let curLab: string[] = [];
  let curLines: number[] = [];
  let line = 0;
  let first = true;

  const flush = () => {
    if (curId === null) return;
    ids.push(curId);
    sequences.push({ T: curLab.length, D, features: Float64Array.from(curFeat) });
    labels.push(curLab);
    lines.push(Int32Array.from(curLines));
    curFeat = [];
    curLab = [];
    curLines = [];
  };

  for await (const batch of readLineBatches(path)) {
    for (const text of batch) {
      line++;
      if (text.length === 0 || text.trim() === '' || text.startsWith('#')) continue;
      if (sep === null) sep = text.includes('\t') ? '\t' : ',';
      const f = text.split(sep);
      if (first) {
        first = false;
        if (f.length < 2 || !INTEGER.test(f[1]!.trim())) {
          header = f.map((c) => c.trim());
          if (header.length < 4) throw new DataError(path, line, `header has ${header.length} fields; expected sequence id, position, label and at least one feature`);
          D = header.length - 3;
          if (options.features !== undefined && D !== options.features) {
            throw new DataError(path, line, `header names ${D} features, the model expects ${options.features}`);
          }
          continue;
        }
      }
      if (D < 0) {
        D = f.length - 3;
        if (D < 1) throw new DataError(path, line, `expected sequence id, position, label and at least one feature, found ${f.length} fields`);
        if (options.features !== undefined && D !== options.features) {
          throw new DataError(path, line, `rows have ${D} features, the model expects ${options.features}`);
        }
      }
      if (f.length !== D + 3) {
        throw new DataError(path, line, `expected ${D} feature values (${D + 3} fields), found ${f.length - 3} (${f.length} fields)`);
      }
      const id = f[0]!.trim();
      if (id === '') throw new DataError(path, line, 'empty sequence id', 1);
      const ps = f[1]!.trim();
      if (!INTEGER.test(ps)) throw new DataError(path, line, `position: expected an integer, found ${JSON.stringify(ps)}`, 2);
      const pos = Number(ps);
      if (id !== curId) {
        if (seen.has(id)) {
          throw new DataError(path, line, `sequence ${JSON.stringify(id)} continues after other sequences (the rows of a sequence must be contiguous)`, 1);
        }
        flush();
        seen.add(id);
        curId = id;
      } else if (pos !== curPos + 1) {
        throw new DataError(path, line, `position ${pos} follows ${curPos} in sequence ${JSON.stringify(id)} (positions must be consecutive)`, 2);
      }
      curPos = pos;
      const label = f[2]!.trim();
      if (requireLabels && label === '') throw new DataError(path, line, 'empty label', 3);
      curLab.push(label);
      curLines.push(line);
      for (let c = 3; c < f.length; c++) {
        const s = f[c]!.trim();
        if (!FINITE.test(s)) {
          const name = header ? `column ${JSON.stringify(header[c])}` : `feature ${c - 2}`;
          const found = s === '' ? 'an empty field' : JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
          throw new DataError(path, line, `${name}: expected a finite number, found ${found}`, c + 1);
        }
        curFeat.push(Number(s));
      }
    }
  }
  flush();
  if (sequences.length === 0) throw new DataError(path, undefined, 'no data rows');
  return { file: path, ids, sequences, labels, lines, featureNames: header ? header.slice(3) : null, features: D, separator: sep ?? ',' };
}

/** Label strings → ids: training grows `known` (first-appearance order); otherwise an unseen label is a DataError naming the row. */
export function encodeTableLabels(table: SequenceTable, known: string[], grow: boolean): Int32Array[] {
  const index = new Map(known.map((l, i) => [l, i]));
  return table.labels.map((labs, s) =>
    Int32Array.from(labs, (l, t) => {
      let id = index.get(l);
      if (id === undefined) {
        if (!grow) {
          const shown = known.length > 30 ? `${known.slice(0, 30).join(' ')} …` : known.join(' ');
          throw new DataError(table.file, table.lines[s]![t], `label ${JSON.stringify(l)} was not seen in training (known: ${shown})`, 3);
        }
        id = known.length;
        known.push(l);
        index.set(l, id);
      }
      return id;
    }),
  );
}
