/**
 * Dense vector kernels on Float64Array for the optimisers: tight loops, no allocation, lengths
 * taken from the first argument (callers guarantee matching lengths; these are internal helpers).
 */

/** a · b */
export function dot(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

/** ‖a‖₂ */
export function norm2(a: Float64Array): number {
  const n = a.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    s += v * v;
  }
  return Math.sqrt(s);
}

/** Σ_{i ∈ [start, end)} |a_i| */
export function norm1(a: Float64Array, start = 0, end = a.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s += Math.abs(a[i]!);
  return s;
}

/** y ← y + α·x */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  const n = y.length;
  for (let i = 0; i < n; i++) y[i] += alpha * x[i]!;
}

/** out ← −a */
export function negate(a: Float64Array, out: Float64Array): void {
  const n = a.length;
  for (let i = 0; i < n; i++) out[i] = -a[i]!;
}

/** a ← α·a */
export function scale(alpha: number, a: Float64Array): void {
  const n = a.length;
  for (let i = 0; i < n; i++) a[i] *= alpha;
}
