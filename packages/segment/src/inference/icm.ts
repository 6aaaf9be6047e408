/**
 * Iterated conditional modes (Besag 1986): sweep the pixels in scan order, giving each the label of lowest energy
 * with its neighbours fixed, until a sweep changes nothing. Fast and greedy: a local minimum of the energy.
 */
import { unaryArgmin } from './alpha-expansion.js';
import { checkGridEnergy, checkLabels, gridEnergy, type GridEnergy } from '../grid/grid-energy.js';
import { conditionalEnergies, localFieldContext } from './local-field.js';

/** Options of `icm`. */
export interface IcmOptions {
  /** Starting labelling (default: the per-pixel minimum of the unaries). */
  init?: ArrayLike<number>;
  /** Most sweeps (default 20). */
  maxSweeps?: number;
}

/** Minimises a grid energy greedily; returns the labels, their energy and the sweeps done. */
export function icm(e: GridEnergy, options: IcmOptions = {}): { labels: Uint8Array; energy: number; sweeps: number } {
  checkGridEnergy(e);
  const { width, height, numLabels: K } = e;
  const labels = new Uint8Array(width * height);
  if (options.init) {
    checkLabels(e, options.init);
    labels.set(Array.from(options.init));
  } else unaryArgmin(e, labels);
  const ctx = localFieldContext(e);
  const field = new Float64Array(K);
  const maxSweeps = options.maxSweeps ?? 20;
  let sweeps = 0;
  while (sweeps < maxSweeps) {
    sweeps++;
    let changed = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        conditionalEnergies(ctx, labels, x, y, field);
        const p = y * width + x;
        let best = labels[p]!;
        let bv = field[best]!;
        for (let k = 0; k < K; k++) {
          if (field[k]! < bv) {
            bv = field[k]!;
            best = k;
          }
        }
        if (best !== labels[p]) {
          labels[p] = best;
          changed++;
        }
      }
    }
    if (changed === 0) break;
  }
  return { labels, energy: gridEnergy(e, labels), sweeps };
}
