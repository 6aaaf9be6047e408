/**
 * Loads Taskar's OCR letters (the tsv.gz derived from BCFW's ocr.mat, see /work/shared/corpora/SOURCES.md):
 * tab-separated, no header: id, letter (a–z), next_id (−1 at word end), word_id, position (1-based), fold,
 * p_0_0 … p_15_7 (128 binary pixels). Returns one DenseSequence per word with its fold.
 */
import { join } from 'node:path';
import { DataError, readLineBatches } from '@ebmkit/core';
import type { DenseSequence } from '@ebmkit/ssvm';

export const OCR_FILE = 'ocr_letters_taskar/letters_from_ocr_mat.tsv.gz';
export const OCR_PIXELS = 128;
export const OCR_LABELS = 26;

export interface OcrWord {
  x: DenseSequence;
  y: Int32Array;
  fold: number;
}

/** The OCR file under $EBM_CORPORA_DIR (throws a clear error when the variable is not set). */
export function ocrPath(env = process.env): string {
  const dir = env.EBM_CORPORA_DIR;
  if (!dir) throw new Error('set EBM_CORPORA_DIR to the corpora mirror (e.g. ../shared/corpora)');
  return join(dir, OCR_FILE);
}

export async function loadOcr(path: string): Promise<OcrWord[]> {
  const words: OcrWord[] = [];
  let pixels: number[] = [];
  let labels: number[] = [];
  let word = -1;
  let fold = -1;
  let line = 0;
  const flush = () => {
    if (labels.length === 0) return;
    words.push({ x: { T: labels.length, D: OCR_PIXELS, features: Float64Array.from(pixels) }, y: Int32Array.from(labels), fold });
    pixels = [];
    labels = [];
  };
  for await (const batch of readLineBatches(path)) {
    for (const text of batch) {
      line++;
      if (text.length === 0) continue;
      const f = text.split('\t');
      if (f.length !== 6 + OCR_PIXELS) throw new DataError(path, line, `expected ${6 + OCR_PIXELS} fields, found ${f.length}`);
      const w = Number(f[3]);
      if (w !== word) {
        flush();
        word = w;
        fold = Number(f[5]);
      }
      const letter = f[1]!.charCodeAt(0) - 97;
      if (!(letter >= 0 && letter < OCR_LABELS)) throw new DataError(path, line, `letter ${JSON.stringify(f[1])} is not a–z`);
      labels.push(letter);
      for (let p = 6; p < f.length; p++) pixels.push(Number(f[p]));
    }
  }
  flush();
  return words;
}
