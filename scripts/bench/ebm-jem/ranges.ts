/**
 * Test-set image ranges for the JEM benchmarks: `--eval-ranges A-B,C-D` (inclusive) parsed once, and the rows of an
 * IDX file in those ranges gathered from one read of the file (clipped to its length).
 */
import { readIdx } from '@ebmkit/core';

export type ImageRange = readonly [from: number, to: number];

/** Parses "A-B,C-D" (inclusive, A ≤ B). */
export function parseRanges(text: string): ImageRange[] {
  return text.split(',').map((r) => {
    const m = /^(\d+)-(\d+)$/.exec(r.trim());
    if (!m || Number(m[2]) < Number(m[1])) throw new Error(`--eval-ranges wants FROM-TO[,FROM-TO…] with FROM ≤ TO, got "${r}"`);
    return [Number(m[1]), Number(m[2])] as const;
  });
}

/** "A–B, C–D" for tables. */
export function rangeText(ranges: readonly ImageRange[]): string {
  return ranges.map(([a, b]) => `${a}–${b}`).join(', ');
}

/** The row numbers of an IDX file in `ranges` (clipped to its length), with the file. */
async function rowsOf(file: string, ranges: readonly ImageRange[]) {
  const f = await readIdx(file);
  const n = f.shape[0]!;
  const per = f.shape.slice(1).reduce((a, b) => a * b, 1);
  const rows = ranges.flatMap(([a, b]) => Array.from({ length: Math.max(0, Math.min(b, n - 1) - a + 1) }, (_, k) => a + k));
  return { data: f.data as ArrayLike<number>, per, rows };
}

/** The images of `file` in `ranges`, flat, each byte mapped to scale · byte + shift. */
export async function readImages(file: string, ranges: readonly ImageRange[], map: { scale: number; shift: number }): Promise<Float32Array> {
  const { data, per, rows } = await rowsOf(file, ranges);
  const out = new Float32Array(rows.length * per);
  rows.forEach((r, k) => {
    for (let j = 0; j < per; j++) out[k * per + j] = map.scale * data[r * per + j]! + map.shift;
  });
  return out;
}

/** The labels of `file` in `ranges`. */
export async function readLabels(file: string, ranges: readonly ImageRange[]): Promise<Int32Array> {
  const { data, rows } = await rowsOf(file, ranges);
  return Int32Array.from(rows, (r) => data[r]!);
}
