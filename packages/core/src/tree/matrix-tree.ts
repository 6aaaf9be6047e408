import type { TreePotentials } from './potentials.js';

/**
 * The matrix-tree theorem for non-projective dependency trees (Koo, Globerson, Carreras & Collins 2007).
 * With A[h, d] = exp(θ(h → d)), the sum over all spanning arborescences of the product of arc weights is the
 * determinant of a Laplacian over the words 1..n:
 *
 * - several root words allowed: L[d, d] = Σ_{h ∈ 0..n} A[h, d], L[h, d] = −A[h, d];
 * - exactly one root word: the same without the root in the diagonal, and row 1 replaced by the root weights
 *   r_d = A[0, d].
 *
 * Every column d of the Laplacian holds only arcs into d, so each column is scaled by exp(−max_h θ(h → d)) before
 * exponentiating and the shifts are added back to log det: stable for any range of scores and any length.
 * Arc marginals are A[h, d] · ∂ log det / ∂A[h, d], read off the inverse.
 */
export interface MatrixTreeResult {
  logZ: number;
  /** Arc marginals [h·(n+1) + d] (only when asked for). */
  marginals?: Float64Array;
}

/** log Z (and, with `marginals`, arc marginals) of non-projective trees by the matrix-tree theorem. O(n³). */
export function matrixTree(p: TreePotentials, singleRoot: boolean, marginals: boolean): MatrixTreeResult {
  const { n, arcs } = p;
  const N = n + 1;
  // A (scaled per column) and the column shifts.
  const A = new Float64Array(N * N);
  let shift = 0;
  for (let d = 1; d < N; d++) {
    let m = -Infinity;
    for (let h = 0; h < N; h++) if (h !== d && arcs[h * N + d]! > m) m = arcs[h * N + d]!;
    if (m === -Infinity) return marginals ? { logZ: -Infinity, marginals: new Float64Array(N * N) } : { logZ: -Infinity };
    shift += m;
    for (let h = 0; h < N; h++) A[h * N + d] = h === d ? 0 : Math.exp(arcs[h * N + d]! - m);
  }
  // Laplacian, row-major n×n, word i at row/column i − 1.
  const L = new Float64Array(n * n);
  for (let d = 1; d < N; d++) {
    let diag = singleRoot ? 0 : A[d]!;
    for (let h = 1; h < N; h++) {
      if (h === d) continue;
      const a = A[h * N + d]!;
      diag += a;
      L[(h - 1) * n + (d - 1)] = -a;
    }
    L[(d - 1) * n + (d - 1)] = diag;
  }
  if (singleRoot) for (let d = 1; d < N; d++) L[d - 1] = A[d]!;
  const perm = new Int32Array(n);
  const logDet = luDecompose(L, n, perm);
  const logZ = logDet + shift;
  if (!marginals) return { logZ };
  const mu = new Float64Array(N * N);
  if (logZ === -Infinity) return { logZ, marginals: mu };
  const inv = luInverse(L, n, perm);
  // inv[i·n + j] = (L⁻¹)[i, j] (0-based). ∂ log det / ∂L[a, b] = (L⁻¹)[b, a].
  for (let d = 1; d < N; d++) {
    const dd = inv[(d - 1) * n + (d - 1)]!;
    for (let h = 0; h < N; h++) {
      if (h === d) continue;
      const a = A[h * N + d]!;
      if (a === 0) continue;
      let g: number;
      if (h === 0) g = singleRoot ? inv[(d - 1) * n]! : dd;
      else if (singleRoot) g = (d !== 1 ? dd : 0) - (h !== 1 ? inv[(d - 1) * n + (h - 1)]! : 0);
      else g = dd - inv[(d - 1) * n + (h - 1)]!;
      mu[h * N + d] = a * g;
    }
  }
  return { logZ, marginals: mu };
}

/**
 * In-place LU decomposition with partial pivoting of the row-major n×n matrix `M` (PM = LU, unit lower L).
 * Returns log |det M| (−∞ if singular); `perm[i]` is the original row now at row i. A negative determinant —
 * impossible for a Laplacian up to rounding — is reported as −∞ too.
 */
function luDecompose(M: Float64Array, n: number, perm: Int32Array): number {
  for (let i = 0; i < n; i++) perm[i] = i;
  let logDet = 0;
  let sign = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(M[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(M[i * n + k]!);
      if (v > best) (best = v), (p = i);
    }
    if (best === 0) return -Infinity;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = M[k * n + j]!;
        M[k * n + j] = M[p * n + j]!;
        M[p * n + j] = t;
      }
      const t = perm[k]!;
      perm[k] = perm[p]!;
      perm[p] = t;
      sign = -sign;
    }
    const pivot = M[k * n + k]!;
    if (pivot < 0) sign = -sign;
    logDet += Math.log(Math.abs(pivot));
    for (let i = k + 1; i < n; i++) {
      const f = (M[i * n + k]! /= pivot);
      if (f === 0) continue;
      const ri = i * n;
      const rk = k * n;
      for (let j = k + 1; j < n; j++) M[ri + j]! -= f * M[rk + j]!;
    }
  }
  return sign > 0 ? logDet : -Infinity;
}

/** The inverse of the matrix whose LU decomposition (with row permutation `perm`) is in `LU`. */
function luInverse(LU: Float64Array, n: number, perm: Int32Array): Float64Array {
  const inv = new Float64Array(n * n);
  const col = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    // Solve L U x = P e_c.
    for (let i = 0; i < n; i++) col[i] = perm[i] === c ? 1 : 0;
    for (let i = 0; i < n; i++) {
      let s = col[i]!;
      for (let j = 0; j < i; j++) s -= LU[i * n + j]! * col[j]!;
      col[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = col[i]!;
      for (let j = i + 1; j < n; j++) s -= LU[i * n + j]! * col[j]!;
      col[i] = s / LU[i * n + i]!;
    }
    for (let i = 0; i < n; i++) inv[i * n + c] = col[i]!;
  }
  return inv;
}
