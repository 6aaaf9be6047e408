import type { ParseResult, ParseSentence } from './sentence.js';

/** Scores of one relation (universal part of DEPREL), counting a word right when head and relation are. */
export interface RelationScore {
  relation: string;
  gold: number;
  predicted: number;
  correct: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Attachment scores in percent, as the CoNLL 2018 shared task computes them on gold tokenisation. */
export interface ParseScores {
  words: number;
  /** Unlabelled attachment score: head right. */
  uas: number;
  /** Labelled attachment score: head and universal relation right. */
  las: number;
  /** Universal relation right (whatever the head). */
  labelAccuracy: number;
  /** Tag accuracy when predicted tags were given. */
  tagAccuracy?: number;
  relations: RelationScore[];
}

/** The universal part of a UD relation ("obl:tmod" → "obl"), as the CoNLL 2018 evaluation compares them. */
export function universalRelation(r: string): string {
  const i = r.indexOf(':');
  return i < 0 ? r : r.slice(0, i);
}

/**
 * UAS, LAS, label accuracy and per-relation precision/recall/F1 of parses against gold trees (every syntactic word
 * counts, punctuation included, as in the CoNLL 2018 evaluation). `predictedTags` adds the tag accuracy.
 */
export function evaluateParses(
  gold: readonly ParseSentence[],
  predicted: readonly ParseResult[],
  predictedTags?: readonly (readonly string[])[],
): ParseScores {
  if (gold.length !== predicted.length) throw new RangeError(`gold has ${gold.length} sentences, predictions ${predicted.length}`);
  let words = 0;
  let uas = 0;
  let las = 0;
  let la = 0;
  let tags = 0;
  const rel = new Map<string, { gold: number; predicted: number; correct: number }>();
  const get = (r: string) => {
    let e = rel.get(r);
    if (!e) rel.set(r, (e = { gold: 0, predicted: 0, correct: 0 }));
    return e;
  };
  gold.forEach((g, i) => {
    const p = predicted[i]!;
    const n = g.forms.length;
    if (!g.heads || !g.deprels) throw new RangeError(`gold sentence ${i + 1} has no tree`);
    if (p.heads.length !== n + 1) throw new RangeError(`sentence ${i + 1}: predicted heads length ${p.heads.length} !== ${n + 1}`);
    for (let d = 1; d <= n; d++) {
      words++;
      const gr = universalRelation(g.deprels[d - 1]!);
      const pr = universalRelation(p.deprels[d - 1]!);
      const headOk = g.heads[d] === p.heads[d];
      if (headOk) uas++;
      if (gr === pr) la++;
      get(gr).gold++;
      get(pr).predicted++;
      if (headOk && gr === pr) {
        las++;
        get(gr).correct++;
      }
      if (predictedTags && predictedTags[i]![d - 1] === g.tags[d - 1]) tags++;
    }
  });
  const pct = (x: number) => (words === 0 ? 0 : (100 * x) / words);
  const relations = [...rel.entries()]
    .map(([relation, e]) => {
      const precision = e.predicted ? (100 * e.correct) / e.predicted : 0;
      const recall = e.gold ? (100 * e.correct) / e.gold : 0;
      return { relation, ...e, precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 };
    })
    .sort((a, b) => b.gold - a.gold || a.relation.localeCompare(b.relation));
  return {
    words,
    uas: pct(uas),
    las: pct(las),
    labelAccuracy: pct(la),
    ...(predictedTags ? { tagAccuracy: pct(tags) } : {}),
    relations,
  };
}

/** A plain-text report: summary lines and a per-relation table. */
export function formatParseScores(s: ParseScores): string {
  const lines = [
    `words: ${s.words}`,
    ...(s.tagAccuracy !== undefined ? [`UPOS: ${s.tagAccuracy.toFixed(2)}`] : []),
    `UAS: ${s.uas.toFixed(2)}`,
    `LAS: ${s.las.toFixed(2)}`,
    `label accuracy: ${s.labelAccuracy.toFixed(2)}`,
    '',
    'relation      gold  pred  correct  precision  recall     F1',
  ];
  for (const r of s.relations) {
    lines.push(
      `${r.relation.padEnd(12)} ${String(r.gold).padStart(5)} ${String(r.predicted).padStart(5)} ${String(r.correct).padStart(8)} ${r.precision.toFixed(2).padStart(10)} ${r.recall.toFixed(2).padStart(7)} ${r.f1.toFixed(2).padStart(6)}`,
    );
  }
  return lines.join('\n') + '\n';
}
