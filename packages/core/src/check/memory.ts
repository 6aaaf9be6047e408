/**
 * Bounds on the memory an option asks for. Flags such as AIS runs, batch sizes and buffer capacities size arrays
 * directly; a typo (`--ais-runs 10000000`) must be an error that says how much memory it would take, not an
 * out-of-memory crash (or a wasm `memory access out of bounds`) minutes later.
 */
import { totalmem } from 'node:os';

/** The most bytes one typed array or tensor allocation can hold here (tfjs wasm and V8 typed arrays: 2 GiB). */
export const MAX_ARRAY_BYTES = 2 ** 31;

/** `1.5 GB`, `312 MB`, `4 kB` (decimal units, three significant digits). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${Math.round(v)} bytes` : `${v.toPrecision(3)} ${units[u]}`;
}

/** The default budget of `memoryProblem`: half of the machine's memory. */
export function defaultMemoryBudget(): number {
  return totalmem() / 2;
}

/**
 * Undefined when `bytes` fits the budget (default: half the machine's memory) and, when `largestArrayBytes` is given,
 * that array fits one allocation; else a sentence saying how much memory `what` would need.
 */
export function memoryProblem(what: string, bytes: number, options: { budget?: number; largestArrayBytes?: number } = {}): string | undefined {
  const budget = options.budget ?? defaultMemoryBudget();
  if (!Number.isFinite(bytes) || bytes > budget) {
    return `${what} would need about ${formatBytes(bytes)} of memory; this machine allows ${formatBytes(budget)} (half its memory)`;
  }
  const largest = options.largestArrayBytes;
  if (largest !== undefined && largest > MAX_ARRAY_BYTES) {
    return `${what} would need one array of ${formatBytes(largest)}; the limit of one array is ${formatBytes(MAX_ARRAY_BYTES)}`;
  }
  return undefined;
}
