/**
 * Token-level evaluation: accuracy, a per-label precision/recall/F1/support report, and the most frequent
 * confusions. Inputs are sentences of gold and guessed labels with the same shapes.
 */

function checkShapes(gold: readonly (readonly string[])[], guessed: readonly (readonly string[])[]): void {
  if (gold.length !== guessed.length) throw new RangeError(`gold has ${gold.length} sentences, guessed has ${guessed.length}`);
  for (let s = 0; s < gold.length; s++) {
    if (gold[s]!.length !== guessed[s]!.length) {
      throw new RangeError(`sentence ${s}: gold has ${gold[s]!.length} labels, guessed has ${guessed[s]!.length}`);
    }
  }
}

/** Token accuracy: `correct` of `total` tokens (accuracy 0 when there are none). */
export interface TokenAccuracy {
  correct: number;
  total: number;
  accuracy: number;
}

/** Fraction of tokens whose guessed label equals the gold label. */
export function tokenAccuracy(gold: readonly (readonly string[])[], guessed: readonly (readonly string[])[]): TokenAccuracy {
  checkShapes(gold, guessed);
  let correct = 0;
  let total = 0;
  for (let s = 0; s < gold.length; s++) {
    const g = gold[s]!;
    const h = guessed[s]!;
    for (let t = 0; t < g.length; t++) if (g[t] === h[t]) correct++;
    total += g.length;
  }
  return { correct, total, accuracy: total > 0 ? correct / total : 0 };
}

/** Scores of one label. Fractions in [0, 1]; 0 where undefined (no predictions / no gold). */
export interface LabelScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Gold tokens with this label. */
  support: number;
  /** Tokens predicted with this label. */
  predicted: number;
  /** Tokens with this label in both. */
  correct: number;
}

/** A per-label report with micro (= accuracy), macro and support-weighted averages. */
export interface LabelReport {
  /** Labels sorted by name (code-point order). */
  labels: LabelScore[];
  accuracy: TokenAccuracy;
  macro: { precision: number; recall: number; f1: number };
  weighted: { precision: number; recall: number; f1: number };
}

/** Per-label precision, recall, F1 and support over all tokens. Labels appearing in either side are listed. */
export function labelReport(gold: readonly (readonly string[])[], guessed: readonly (readonly string[])[]): LabelReport {
  checkShapes(gold, guessed);
  const support = new Map<string, number>();
  const predicted = new Map<string, number>();
  const correct = new Map<string, number>();
  for (let s = 0; s < gold.length; s++) {
    const g = gold[s]!;
    const h = guessed[s]!;
    for (let t = 0; t < g.length; t++) {
      support.set(g[t]!, (support.get(g[t]!) ?? 0) + 1);
      predicted.set(h[t]!, (predicted.get(h[t]!) ?? 0) + 1);
      if (g[t] === h[t]) correct.set(g[t]!, (correct.get(g[t]!) ?? 0) + 1);
    }
  }
  const names = [...new Set([...support.keys(), ...predicted.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const labels = names.map((label): LabelScore => {
    const sup = support.get(label) ?? 0;
    const pred = predicted.get(label) ?? 0;
    const c = correct.get(label) ?? 0;
    const precision = pred > 0 ? c / pred : 0;
    const recall = sup > 0 ? c / sup : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support: sup, predicted: pred, correct: c };
  });
  const n = labels.length;
  let total = 0;
  const macro = { precision: 0, recall: 0, f1: 0 };
  const weighted = { precision: 0, recall: 0, f1: 0 };
  for (const l of labels) {
    macro.precision += l.precision / n;
    macro.recall += l.recall / n;
    macro.f1 += l.f1 / n;
    weighted.precision += l.precision * l.support;
    weighted.recall += l.recall * l.support;
    weighted.f1 += l.f1 * l.support;
    total += l.support;
  }
  if (total > 0) {
    weighted.precision /= total;
    weighted.recall /= total;
    weighted.f1 /= total;
  }
  return { labels, accuracy: tokenAccuracy(gold, guessed), macro, weighted };
}

function pct(x: number): string {
  return (100 * x).toFixed(2).padStart(7);
}

/** The report as a text table (percentages), one label per line, then the averages. */
export function formatLabelReport(report: LabelReport): string {
  const w = Math.max(9, ...report.labels.map((l) => l.label.length));
  const head = `${'label'.padEnd(w)}  precision  recall      F1  support\n`;
  let out = head;
  for (const l of report.labels) {
    out += `${l.label.padEnd(w)}    ${pct(l.precision)} ${pct(l.recall)} ${pct(l.f1)} ${String(l.support).padStart(8)}\n`;
  }
  const total = report.accuracy.total;
  out += `${'macro avg'.padEnd(w)}    ${pct(report.macro.precision)} ${pct(report.macro.recall)} ${pct(report.macro.f1)} ${String(total).padStart(8)}\n`;
  out += `${'weighted'.padEnd(w)}    ${pct(report.weighted.precision)} ${pct(report.weighted.recall)} ${pct(report.weighted.f1)} ${String(total).padStart(8)}\n`;
  out += `accuracy ${pct(report.accuracy.accuracy).trim()}% (${report.accuracy.correct}/${total})\n`;
  return out;
}

/** One kind of error: `count` tokens with gold label `gold` were tagged `guessed`. */
export interface Confusion {
  gold: string;
  guessed: string;
  count: number;
}

/**
 * The most frequent confusions (gold ≠ guessed), most frequent first (ties by gold, then guessed label);
 * at most `top` (default 10) entries.
 */
export function confusions(
  gold: readonly (readonly string[])[],
  guessed: readonly (readonly string[])[],
  options: { top?: number } = {},
): Confusion[] {
  checkShapes(gold, guessed);
  const top = options.top ?? 10;
  if (!(Number.isInteger(top) && top >= 0)) throw new RangeError(`top ${top} is not a non-negative integer`);
  const counts = new Map<string, Confusion>();
  for (let s = 0; s < gold.length; s++) {
    const g = gold[s]!;
    const h = guessed[s]!;
    for (let t = 0; t < g.length; t++) {
      if (g[t] === h[t]) continue;
      const key = `${g[t]}\u0000${h[t]}`;
      const c = counts.get(key);
      if (c) c.count++;
      else counts.set(key, { gold: g[t]!, guessed: h[t]!, count: 1 });
    }
  }
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...counts.values()].sort((a, b) => b.count - a.count || cmp(a.gold, b.gold) || cmp(a.guessed, b.guessed)).slice(0, top);
}

/** Confusions as text lines: `  123  NN → JJ`. */
export function formatConfusions(list: readonly Confusion[]): string {
  const w = Math.max(1, ...list.map((c) => String(c.count).length));
  return list.map((c) => `${String(c.count).padStart(w)}  ${c.gold} → ${c.guessed}\n`).join('');
}
