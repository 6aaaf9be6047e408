/** Result of comparing an analytic gradient with central finite differences. */
export interface GradientCheck {
  /** max_i |g_i − ĝ_i| */
  maxAbsError: number;
  /** max_i |g_i − ĝ_i| / max(1, |g_i|, |ĝ_i|) */
  maxRelError: number;
  /** The coordinate with the largest relative error. */
  worstIndex: number;
  analytic: Float64Array;
  numeric: Float64Array;
}

/** Central finite differences (f(x + εe_i) − f(x − εe_i)) / 2ε of f at x, for the given coordinates (all by default). */
export function finiteDifferenceGradient(
  f: (x: Float64Array) => number,
  x: Float64Array,
  options: { epsilon?: number; indices?: ArrayLike<number> } = {},
): Float64Array {
  const eps = options.epsilon ?? 1e-6;
  const g = new Float64Array(x.length);
  const idx = options.indices ?? Array.from({ length: x.length }, (_, i) => i);
  const xx = Float64Array.from(x);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    const v = xx[i]!;
    xx[i] = v + eps;
    const fp = f(xx);
    xx[i] = v - eps;
    const fm = f(xx);
    xx[i] = v;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

/**
 * Compares `gradient(x)` (the analytic gradient) with finite differences of `f` at `x`.
 * Only `indices` are compared when given (for large x).
 */
export function checkGradient(
  f: (x: Float64Array) => number,
  gradient: (x: Float64Array) => Float64Array,
  x: Float64Array,
  options: { epsilon?: number; indices?: ArrayLike<number> } = {},
): GradientCheck {
  const analytic = gradient(Float64Array.from(x));
  const numeric = finiteDifferenceGradient(f, x, options);
  const idx = options.indices ?? Array.from({ length: x.length }, (_, i) => i);
  let maxAbsError = 0;
  let maxRelError = 0;
  let worstIndex = -1;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    const a = analytic[i]!;
    const n = numeric[i]!;
    const abs = Math.abs(a - n);
    const rel = abs / Math.max(1, Math.abs(a), Math.abs(n));
    if (abs > maxAbsError) maxAbsError = abs;
    if (rel > maxRelError || worstIndex < 0) {
      if (rel > maxRelError) maxRelError = rel;
      if (worstIndex < 0 || rel >= maxRelError) worstIndex = i;
    }
  }
  return { maxAbsError, maxRelError, worstIndex, analytic, numeric };
}

/** `checkGradient` for an optimiser objective `(x, g) => f` that writes its gradient into `g` (as L-BFGS takes). */
export function checkObjectiveGradient(
  objective: (x: Float64Array, g: Float64Array) => number,
  x: Float64Array,
  options: { epsilon?: number; indices?: ArrayLike<number> } = {},
): GradientCheck {
  const gradient = (at: Float64Array) => {
    const g = new Float64Array(at.length);
    objective(at, g);
    return g;
  };
  return checkGradient((at) => objective(at, new Float64Array(at.length)), gradient, x, options);
}
