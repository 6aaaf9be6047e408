/**
 * UPOS accuracy on raw text: each EWT sentence's `# text` line is tokenised and tagged as a user's text would be,
 * and a predicted token counts when its character span equals a gold word's span. Gold spans come from the FORM
 * columns located in `# text` (the words of a multiword token such as "don't" → do + n't get the sub-spans when
 * their forms concatenate to the surface form; otherwise they cannot be aligned and count as missed).
 *
 *   node --import tsx --conditions=ebmkit-source scripts/bench/tag-stream/ewt-raw.ts [--split dev] [--show 40]
 */
import type { ConlluSentence } from '@ebmkit/core';

/** A gold word with its span in the sentence text (null when it cannot be located). */
export interface GoldWord {
  form: string;
  upos: string;
  span: [number, number] | null;
}

/** Gold words of a sentence with their spans in `meta.text`. */
export function goldSpans(s: ConlluSentence): GoldWord[] {
  const text = s.meta.text ?? '';
  const out: GoldWord[] = s.words.map((w) => ({ form: w.form, upos: w.upos, span: null }));
  const mwt = new Map(s.multiwords.map((m) => [m.first, m]));
  let cursor = 0;
  const locate = (form: string): [number, number] | null => {
    while (cursor < text.length && /\s/.test(text[cursor]!)) cursor++;
    if (text.startsWith(form, cursor)) {
      const span: [number, number] = [cursor, cursor + form.length];
      cursor += form.length;
      return span;
    }
    return null;
  };
  for (let i = 0; i < s.words.length; ) {
    const id = s.words[i]!.id;
    const m = mwt.get(id);
    if (m) {
      const span = locate(m.form);
      const words = s.words.slice(i, i + (m.last - m.first + 1));
      if (span && words.map((w) => w.form).join('') === m.form) {
        let a = span[0];
        words.forEach((w, k) => {
          out[i + k]!.span = [a, a + w.form.length];
          a += w.form.length;
        });
      }
      i += words.length;
      continue;
    }
    out[i]!.span = locate(s.words[i]!.form);
    if (out[i]!.span === null) {
      // resynchronise: skip to the next occurrence of the form
      const at = text.indexOf(s.words[i]!.form, cursor);
      if (at >= 0) {
        cursor = at;
        out[i]!.span = locate(s.words[i]!.form);
      }
    }
    i++;
  }
  return out;
}

export interface RawScore {
  goldWords: number;
  aligned: number;
  correct: number;
}

/** Scores predicted (start, end, tag) tokens of one sentence against its gold words. */
export function scoreRaw(gold: readonly GoldWord[], predicted: readonly { start: number; end: number; tag: string }[], acc: RawScore): void {
  const bySpan = new Map<string, string>();
  for (const p of predicted) bySpan.set(`${p.start}:${p.end}`, p.tag);
  for (const g of gold) {
    acc.goldWords++;
    if (!g.span) continue;
    const tag = bySpan.get(`${g.span[0]}:${g.span[1]}`);
    if (tag === undefined) continue;
    acc.aligned++;
    if (tag === g.upos) acc.correct++;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import('node:util');
  const { join } = await import('node:path');
  const { readConllu } = await import('@ebmkit/core');
  const { loadEnglishTagger } = await import('@ebmkit/crf');
  const { values } = parseArgs({ options: { split: { type: 'string', default: 'dev' }, show: { type: 'string', default: '30' } } });
  const dir = process.env.EBM_CORPORA_DIR ?? '/work/shared/corpora';
  const tagger = await loadEnglishTagger();
  const acc: RawScore = { goldWords: 0, aligned: 0, correct: 0 };
  const misses = new Map<string, number>();
  for await (const s of readConllu(join(dir, 'ud_english_ewt', `en_ewt-ud-${values.split}.conllu.gz`))) {
    const text = s.meta.text ?? '';
    const gold = goldSpans(s);
    const pred = tagger.tag(text).flatMap((x) => x.tokens);
    const before = acc.aligned;
    scoreRaw(gold, pred, acc);
    if (acc.aligned - before < gold.length) {
      const predSpans = new Set(pred.map((p) => `${p.start}:${p.end}`));
      for (const g of gold) {
        if (g.span && predSpans.has(`${g.span[0]}:${g.span[1]}`)) continue;
        const covering = pred.filter((p) => g.span && p.start < g.span[1] && p.end > g.span[0]).map((p) => p.text);
        const key = `${g.form} ← ${covering.join(' ')}`;
        misses.set(key, (misses.get(key) ?? 0) + 1);
      }
    }
  }
  console.log(`${values.split}: gold words ${acc.goldWords}, aligned ${(100 * acc.aligned / acc.goldWords).toFixed(2)}%, UPOS of aligned ${(100 * acc.correct / acc.aligned).toFixed(2)}%`);
  for (const [k, n] of [...misses].sort((a, b) => b[1] - a[1]).slice(0, Number(values.show))) console.log(n, k);
}
