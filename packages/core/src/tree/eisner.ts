import type { Rng } from '../rng.js';
import type { Semiring } from '../chain/semiring.js';
import type { TreePotentials } from './potentials.js';

/**
 * Eisner's first-order projective dependency DP, written once over a `Semiring` (its scalar `zero`, `one`, `plus`,
 * `times`, `lift`, `lower`, `select`). Spans over nodes 0..n (0 = root) in four charts, each [s·N + t] for s ≤ t:
 *
 * - `Ir` incomplete right span, arc s → t;  `Il` incomplete left span, arc t → s;
 * - `Cr` complete right span headed by s;   `Cl` complete left span headed by t.
 *
 * LogSemiring gives log Z (and, with `outside`, arc marginals), MaxSemiring the best projective tree; `backtrace`
 * turns a chart into a tree by the semiring's `select` (argmax → MAP, a log-weight draw → an exact sample).
 * Values stay in the log domain, so only log-domain semirings (LogSemiring, MaxSemiring or your own) apply:
 * a span chart has no row to rescale as the chain DP does with `SumSemiring`.
 * With `singleRoot`, the root takes exactly one dependent: Ir[0, t] only combines Cr[0,0] with Cl[1, t].
 */
export interface EisnerChart {
  readonly N: number;
  readonly singleRoot: boolean;
  readonly Ir: Float64Array;
  readonly Il: Float64Array;
  readonly Cr: Float64Array;
  readonly Cl: Float64Array;
  /** Lifted arc weights [h·N + d]. */
  readonly arcs: Float64Array;
  /** ⊕ over all trees, lowered to the log domain. */
  readonly total: number;
}

/** Inside pass of Eisner's algorithm in `sr`. */
export function eisnerInside(sr: Semiring, p: TreePotentials, singleRoot: boolean): EisnerChart {
  const N = p.n + 1;
  const NN = N * N;
  const Ir = new Float64Array(NN).fill(sr.zero);
  const Il = new Float64Array(NN).fill(sr.zero);
  const Cr = new Float64Array(NN).fill(sr.zero);
  const Cl = new Float64Array(NN).fill(sr.zero);
  const arcs = new Float64Array(NN).fill(sr.zero);
  for (let h = 0; h < N; h++) for (let d = 1; d < N; d++) if (h !== d) arcs[h * N + d] = sr.lift(p.arcs[h * N + d]!);
  for (let s = 0; s < N; s++) Cr[s * N + s] = Cl[s * N + s] = sr.one;
  for (let w = 1; w < N; w++) {
    for (let s = 0; s + w < N; s++) {
      const t = s + w;
      const st = s * N + t;
      if (s === 0 && singleRoot) {
        Ir[st] = sr.times(Cl[1 * N + t]!, arcs[t]!);
      } else {
        let acc = sr.zero;
        for (let k = s; k < t; k++) acc = sr.plus(acc, sr.times(Cr[s * N + k]!, Cl[(k + 1) * N + t]!));
        Ir[st] = sr.times(acc, arcs[s * N + t]!);
        if (s > 0) Il[st] = sr.times(acc, arcs[t * N + s]!);
      }
      let cl = sr.zero;
      for (let k = s; k < t; k++) cl = sr.plus(cl, sr.times(Cl[s * N + k]!, Il[k * N + t]!));
      Cl[st] = cl;
      let cr = sr.zero;
      for (let k = s + 1; k <= t; k++) cr = sr.plus(cr, sr.times(Ir[s * N + k]!, Cr[k * N + t]!));
      Cr[st] = cr;
    }
  }
  return { N, singleRoot, Ir, Il, Cr, Cl, arcs, total: sr.lower(Cr[N - 1]!) };
}

/**
 * Outside pass: the ⊕ over all trees of everything outside each incomplete span, combined with its inside value
 * into arc totals `out[h·N + d]` = ⊕ of the trees that use arc h → d (lowered to the log domain). In LogSemiring,
 * exp(out − log Z) are the arc marginals.
 */
export function eisnerOutside(sr: Semiring, c: EisnerChart, out: Float64Array): Float64Array {
  const { N, Ir, Il, Cr, Cl, arcs, singleRoot } = c;
  const NN = N * N;
  const oIr = new Float64Array(NN).fill(sr.zero);
  const oIl = new Float64Array(NN).fill(sr.zero);
  const oCr = new Float64Array(NN).fill(sr.zero);
  const oCl = new Float64Array(NN).fill(sr.zero);
  oCr[N - 1] = sr.one;
  for (let w = N - 1; w >= 1; w--) {
    for (let s = 0; s + w < N; s++) {
      const t = s + w;
      const st = s * N + t;
      // Complete spans were built last from incomplete spans of the same width: undo them first.
      const ocr = oCr[st]!;
      if (ocr !== sr.zero) {
        for (let k = s + 1; k <= t; k++) {
          oIr[s * N + k] = sr.plus(oIr[s * N + k]!, sr.times(ocr, Cr[k * N + t]!));
          oCr[k * N + t] = sr.plus(oCr[k * N + t]!, sr.times(ocr, Ir[s * N + k]!));
        }
      }
      const ocl = oCl[st]!;
      if (ocl !== sr.zero) {
        for (let k = s; k < t; k++) {
          oCl[s * N + k] = sr.plus(oCl[s * N + k]!, sr.times(ocl, Il[k * N + t]!));
          oIl[k * N + t] = sr.plus(oIl[k * N + t]!, sr.times(ocl, Cl[s * N + k]!));
        }
      }
      if (s === 0 && singleRoot) {
        oCl[1 * N + t] = sr.plus(oCl[1 * N + t]!, sr.times(oIr[st]!, arcs[t]!));
        continue;
      }
      let oacc = sr.times(oIr[st]!, arcs[s * N + t]!);
      if (s > 0) oacc = sr.plus(oacc, sr.times(oIl[st]!, arcs[t * N + s]!));
      if (oacc === sr.zero) continue;
      for (let k = s; k < t; k++) {
        oCr[s * N + k] = sr.plus(oCr[s * N + k]!, sr.times(oacc, Cl[(k + 1) * N + t]!));
        oCl[(k + 1) * N + t] = sr.plus(oCl[(k + 1) * N + t]!, sr.times(oacc, Cr[s * N + k]!));
      }
    }
  }
  out.fill(-Infinity);
  for (let s = 0; s < N; s++) {
    for (let t = s + 1; t < N; t++) {
      out[s * N + t] = sr.lower(sr.times(Ir[s * N + t]!, oIr[s * N + t]!));
      if (s > 0) out[t * N + s] = sr.lower(sr.times(Il[s * N + t]!, oIl[s * N + t]!));
    }
  }
  return out;
}

/**
 * A tree from a chart by the semiring's `select` at every split: the best projective tree in MaxSemiring, an exact
 * sample in LogSemiring (with `rng`). Writes `heads` (length N, heads[0] = −1).
 */
export function eisnerBacktrace(sr: Semiring, c: EisnerChart, rng: Rng | undefined, heads: Int32Array): Int32Array {
  const { N, Ir, Il, Cr, Cl, singleRoot } = c;
  const w = new Float64Array(N);
  heads[0] = -1;
  // Explicit stack of (kind, s, t): 0 = Cr, 1 = Cl, 2 = Ir, 3 = Il.
  const stack: number[] = [0, 0, N - 1];
  while (stack.length > 0) {
    const t = stack.pop()!;
    const s = stack.pop()!;
    const kind = stack.pop()!;
    if (s === t) continue;
    if (kind === 0) {
      const m = t - s;
      for (let i = 0; i < m; i++) w[i] = sr.times(Ir[s * N + s + 1 + i]!, Cr[(s + 1 + i) * N + t]!);
      const k = s + 1 + sr.select(w, 0, m, rng);
      stack.push(2, s, k, 0, k, t);
    } else if (kind === 1) {
      const m = t - s;
      for (let i = 0; i < m; i++) w[i] = sr.times(Cl[s * N + s + i]!, Il[(s + i) * N + t]!);
      const k = s + sr.select(w, 0, m, rng);
      stack.push(1, s, k, 3, k, t);
    } else {
      if (kind === 2) heads[t] = s;
      else heads[s] = t;
      if (s === 0 && singleRoot) {
        stack.push(1, 1, t);
        continue;
      }
      const m = t - s;
      for (let i = 0; i < m; i++) w[i] = sr.times(Cr[s * N + s + i]!, Cl[(s + i + 1) * N + t]!);
      const k = s + sr.select(w, 0, m, rng);
      stack.push(0, s, k, 1, k + 1, t);
    }
  }
  return heads;
}
