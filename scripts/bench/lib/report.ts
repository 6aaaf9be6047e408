/**
 * Shared benchmark helpers: write a benchmark's section into docs/benchmarks.md (between
 * `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` markers, replacing only that section), describe the
 * machine, and take medians.
 */
import { cpus, totalmem } from 'node:os';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const DOC = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));

/** Replaces (or appends) the section NAME of docs/benchmarks.md with `markdown`. */
export async function writeBenchmarkSection(name: string, markdown: string, doc = DOC): Promise<void> {
  let text = '';
  try {
    text = await readFile(doc, 'utf8');
  } catch {
    text = '# Benchmarks\n\nEvery table below was written by the benchmark script named in its section, on the machine it names.\n';
  }
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const block = `${open}\n${markdown.trim()}\n${close}`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  const next = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + close.length) : `${text.trimEnd()}\n\n${block}\n`;
  const tmp = `${doc}.tmp-${process.pid}`;
  await writeFile(tmp, next);
  await rename(tmp, doc);
}

/** One line naming the machine: CPU model, cores, memory, Node version, date. */
export function machineDescription(): string {
  const c = cpus();
  return `${c[0]?.model.trim() ?? 'unknown CPU'}, ${c.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/** Median of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** A markdown table from a header row and rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
