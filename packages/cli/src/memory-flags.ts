/**
 * Bounds on flags that size memory (AIS runs, hidden units, sample counts, replay buffers, batch sizes): a value
 * that could not fit is a usage error saying how much memory it would need, before any of it is allocated.
 */
import { memoryProblem } from '@ebmkit/core';
import { UsageError } from './errors.js';

/**
 * Throws a UsageError `<flags> would need about N GB of memory; …` when `bytes` exceed half the machine's memory or
 * `largestArrayBytes` one allocation. `flags` names the flags and values, e.g. `--ais-runs 10000000 (× 784 visible units)`.
 */
export function checkMemoryFlags(flags: string, bytes: number, largestArrayBytes: number = bytes): void {
  const problem = memoryProblem(flags, bytes, { largestArrayBytes });
  if (problem !== undefined) throw new UsageError(problem);
}
