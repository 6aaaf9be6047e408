/**
 * Gaussian mixture models of colours (3-D, full covariance), as GrabCut uses them: fitted from hard component
 * assignments, evaluated as an energy −log Σ_k π_k N(z; μ_k, Σ_k) per pixel.
 */

/** A mixture of K three-dimensional Gaussians. */
export class ColorGmm {
  readonly weights: Float64Array;
  readonly means: Float64Array; // [k·3 + i]
  readonly covariances: Float64Array; // [k·9 + i·3 + j]
  private readonly inverses: Float64Array; // [k·9 + …]
  /** log π_k − ½ log det Σ_k − (3/2) log 2π, per component. */
  private readonly logNorm: Float64Array;
  /** Packed per component: μ (3), the symmetric inverse's 6 entries (diagonal doubled off-diagonals), log-norm. */
  private readonly packed: Float64Array;

  constructor(readonly components: number) {
    this.weights = new Float64Array(components);
    this.means = new Float64Array(components * 3);
    this.covariances = new Float64Array(components * 9);
    this.inverses = new Float64Array(components * 9);
    this.logNorm = new Float64Array(components).fill(-Infinity);
    this.packed = new Float64Array(components * 10);
    for (let k = 0; k < components; k++) this.packed[k * 10 + 9] = -Infinity;
  }

  private pack(k: number): void {
    const o = 10 * k;
    const m = this.means;
    const i = this.inverses;
    const q = this.packed;
    q[o] = m[3 * k]!;
    q[o + 1] = m[3 * k + 1]!;
    q[o + 2] = m[3 * k + 2]!;
    q[o + 3] = i[9 * k]!;
    q[o + 4] = i[9 * k + 4]!;
    q[o + 5] = i[9 * k + 8]!;
    q[o + 6] = i[9 * k + 1]! + i[9 * k + 3]!;
    q[o + 7] = i[9 * k + 2]! + i[9 * k + 6]!;
    q[o + 8] = i[9 * k + 5]! + i[9 * k + 7]!;
    q[o + 9] = this.logNorm[k]!;
  }

  /**
   * Re-estimates every component from the pixels assigned to it (`assignment[p]`, −1 = not used). A component with
   * no pixels gets weight 0. `regularization` is added to the covariance diagonals (default 0.01, in colour units²).
   */
  fit(colors: Float64Array, assignment: Int32Array, regularization = 0.01): void {
    const K = this.components;
    const n = new Float64Array(K);
    const s = new Float64Array(K * 3);
    const ss = new Float64Array(K * 9);
    let total = 0;
    for (let p = 0; p < assignment.length; p++) {
      const k = assignment[p]!;
      if (k < 0) continue;
      const r = colors[3 * p]!;
      const g = colors[3 * p + 1]!;
      const b = colors[3 * p + 2]!;
      n[k]++;
      total++;
      s[3 * k] += r;
      s[3 * k + 1] += g;
      s[3 * k + 2] += b;
      const o = 9 * k;
      ss[o] += r * r;
      ss[o + 1] += r * g;
      ss[o + 2] += r * b;
      ss[o + 4] += g * g;
      ss[o + 5] += g * b;
      ss[o + 8] += b * b;
    }
    for (let k = 0; k < K; k++) {
      if (n[k] === 0) {
        this.weights[k] = 0;
        this.logNorm[k] = -Infinity;
        this.pack(k);
        continue;
      }
      const c = n[k]!;
      this.weights[k] = c / total;
      const m = [s[3 * k]! / c, s[3 * k + 1]! / c, s[3 * k + 2]! / c];
      this.means.set(m, 3 * k);
      const o = 9 * k;
      const cov = this.covariances;
      cov[o] = ss[o]! / c - m[0]! * m[0]! + regularization;
      cov[o + 1] = cov[o + 3] = ss[o + 1]! / c - m[0]! * m[1]!;
      cov[o + 2] = cov[o + 6] = ss[o + 2]! / c - m[0]! * m[2]!;
      cov[o + 4] = ss[o + 4]! / c - m[1]! * m[1]! + regularization;
      cov[o + 5] = cov[o + 7] = ss[o + 5]! / c - m[1]! * m[2]!;
      cov[o + 8] = ss[o + 8]! / c - m[2]! * m[2]! + regularization;
      let det = this.invert3(k);
      if (!(det > 1e-12)) {
        cov[o] += 10 * regularization + 1e-3;
        cov[o + 4] += 10 * regularization + 1e-3;
        cov[o + 8] += 10 * regularization + 1e-3;
        det = this.invert3(k);
      }
      this.logNorm[k] = Math.log(this.weights[k]!) - 0.5 * Math.log(det) - 1.5 * Math.log(2 * Math.PI);
      this.pack(k);
    }
  }

  /** Inverts Σ_k into `inverses`; returns det Σ_k. */
  private invert3(k: number): number {
    const a = this.covariances;
    const o = 9 * k;
    const [a00, a01, a02, a10, a11, a12, a20, a21, a22] = [a[o]!, a[o + 1]!, a[o + 2]!, a[o + 3]!, a[o + 4]!, a[o + 5]!, a[o + 6]!, a[o + 7]!, a[o + 8]!];
    const c00 = a11 * a22 - a12 * a21;
    const c01 = a02 * a21 - a01 * a22;
    const c02 = a01 * a12 - a02 * a11;
    const det = a00 * c00 + a10 * c01 + a20 * c02;
    const inv = this.inverses;
    inv[o] = c00 / det;
    inv[o + 1] = c01 / det;
    inv[o + 2] = c02 / det;
    inv[o + 3] = (a12 * a20 - a10 * a22) / det;
    inv[o + 4] = (a00 * a22 - a02 * a20) / det;
    inv[o + 5] = (a02 * a10 - a00 * a12) / det;
    inv[o + 6] = (a10 * a21 - a11 * a20) / det;
    inv[o + 7] = (a01 * a20 - a00 * a21) / det;
    inv[o + 8] = (a00 * a11 - a01 * a10) / det;
    return det;
  }

  /** log π_k + log N(z; μ_k, Σ_k) of component k at colour (r, g, b). */
  componentLogDensity(k: number, r: number, g: number, b: number): number {
    const q = this.packed;
    const o = 10 * k;
    const ln = q[o + 9]!;
    if (ln === -Infinity) return -Infinity;
    const dr = r - q[o]!;
    const dg = g - q[o + 1]!;
    const db = b - q[o + 2]!;
    return ln - 0.5 * (q[o + 3]! * dr * dr + q[o + 4]! * dg * dg + q[o + 5]! * db * db + q[o + 6]! * dr * dg + q[o + 7]! * dr * db + q[o + 8]! * dg * db);
  }

  /** The component with the largest π_k N(z; μ_k, Σ_k). */
  mostLikely(r: number, g: number, b: number): number {
    const q = this.packed;
    let best = 0;
    let bv = -Infinity;
    for (let k = 0, o = 0; k < this.components; k++, o += 10) {
      const ln = q[o + 9]!;
      if (ln === -Infinity) continue;
      const dr = r - q[o]!;
      const dg = g - q[o + 1]!;
      const db = b - q[o + 2]!;
      const v = ln - 0.5 * (q[o + 3]! * dr * dr + q[o + 4]! * dg * dg + q[o + 5]! * db * db + q[o + 6]! * dr * dg + q[o + 7]! * dr * db + q[o + 8]! * dg * db);
      if (v > bv) {
        bv = v;
        best = k;
      }
    }
    return best;
  }

  /** −log Σ_k π_k N(z; μ_k, Σ_k). */
  energy(r: number, g: number, b: number): number {
    const q = this.packed;
    const K = this.components;
    const ld = this.scratch;
    let max = -Infinity;
    for (let k = 0, o = 0; k < K; k++, o += 10) {
      const ln = q[o + 9]!;
      let v = -Infinity;
      if (ln !== -Infinity) {
        const dr = r - q[o]!;
        const dg = g - q[o + 1]!;
        const db = b - q[o + 2]!;
        v = ln - 0.5 * (q[o + 3]! * dr * dr + q[o + 4]! * dg * dg + q[o + 5]! * db * db + q[o + 6]! * dr * dg + q[o + 7]! * dr * db + q[o + 8]! * dg * db);
      }
      ld[k] = v;
      if (v > max) max = v;
    }
    if (max === -Infinity) return 1e6;
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(ld[k]! - max);
    return -(max + Math.log(s));
  }
  private readonly scratch = new Float64Array(64);
}
