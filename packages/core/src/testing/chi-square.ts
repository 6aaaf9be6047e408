/**
 * Pearson's chi-square goodness-of-fit test of observed counts against expected probabilities.
 * Cells with expected count < `minExpected` (default 5) are pooled into one cell. Returns the statistic,
 * degrees of freedom and the upper-tail p-value (regularised incomplete gamma).
 */
export function chiSquareTest(
  observed: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: { minExpected?: number } = {},
): { statistic: number; df: number; pValue: number } {
  if (observed.length !== probabilities.length) {
    throw new RangeError(`observed length ${observed.length} !== probabilities length ${probabilities.length}`);
  }
  const minExpected = options.minExpected ?? 5;
  let n = 0;
  for (let i = 0; i < observed.length; i++) n += observed[i]!;
  let stat = 0;
  let cells = 0;
  let pooledO = 0;
  let pooledE = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = n * probabilities[i]!;
    if (e < minExpected) {
      pooledO += observed[i]!;
      pooledE += e;
      continue;
    }
    stat += (observed[i]! - e) ** 2 / e;
    cells++;
  }
  if (pooledE > 0) {
    stat += (pooledO - pooledE) ** 2 / pooledE;
    cells++;
  } else if (pooledO > 0) {
    return { statistic: Infinity, df: Math.max(1, cells - 1), pValue: 0 };
  }
  const df = Math.max(1, cells - 1);
  return { statistic: stat, df, pValue: 1 - regularizedGammaP(df / 2, stat / 2) };
}

/** P(a, x), the regularised lower incomplete gamma function (series / continued fraction). */
function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lnGammaA = logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let k = 1; k < 1000; k++) {
      term *= x / (a + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - lnGammaA);
  }
  // Lentz's continued fraction for Q(a, x).
  let b = x + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return 1 - Math.exp(-x + a * Math.log(x) - lnGammaA) * h;
}

function logGamma(z: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  z -= 1;
  let x = c[0]!;
  for (let i = 1; i < 9; i++) x += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
}
