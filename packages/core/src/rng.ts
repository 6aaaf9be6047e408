/**
 * Seeded pseudo-random numbers. Library code never calls Math.random: every function that needs
 * randomness takes an `Rng`. The generator is xoshiro128** (32-bit state words, fast in V8), seeded
 * through splitmix32 so that nearby seeds give unrelated streams.
 */

/** A source of randomness; all samplers and learners take one of these. */
export interface Rng {
  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Index drawn with probability proportional to `weights[offset + i]`, i < length (non-negative, not all zero). */
  categorical(weights: ArrayLike<number>, offset?: number, length?: number): number;
  /** Index drawn with probability proportional to exp(logWeights[offset + i]). */
  categoricalLog(logWeights: ArrayLike<number>, offset?: number, length?: number): number;
  /** Fills `out` with N(mean, std²) draws and returns it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean?: number, std?: number): T;
  /** Fills `out` with U[lo, hi) draws and returns it. */
  fillUniform<T extends Float32Array | Float64Array>(out: T, lo?: number, hi?: number): T;
  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T extends { length: number; [i: number]: any }>(a: T): T;
  /** An independent generator derived from this one's stream (for workers, chains, ...). */
  fork(): Rng;
  /** The generator's state, for checkpoints. */
  getState(): Uint32Array;
  /** Restores a state from getState(). */
  setState(state: Uint32Array): void;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Xoshiro128 implements Rng {
  private s: Uint32Array;
  private spare = NaN;

  constructor(state: Uint32Array) {
    this.s = state;
  }

  private next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  uniform(): number {
    // 53 bits: 27 from one word, 26 from the next.
    const a = this.next() >>> 5;
    const b = this.next() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  int(n: number): number {
    if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`Rng.int: n must be a positive finite number, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const v = this.spare;
      this.spare = NaN;
      return v;
    }
    // Marsaglia polar method.
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    return u * m;
  }

  categorical(weights: ArrayLike<number>, offset = 0, length = weights.length - offset): number {
    let total = 0;
    for (let i = 0; i < length; i++) total += weights[offset + i]!;
    if (!(total > 0) || !Number.isFinite(total)) {
      throw new RangeError(`Rng.categorical: weights must be non-negative with a positive finite sum, got sum ${total}`);
    }
    let r = this.uniform() * total;
    let last = -1;
    for (let i = 0; i < length; i++) {
      const w = weights[offset + i]!;
      if (w > 0) {
        last = i;
        r -= w;
        if (r < 0) return i;
      }
    }
    return last; // rounding: r landed on the total
  }

  categoricalLog(logWeights: ArrayLike<number>, offset = 0, length = logWeights.length - offset): number {
    let m = -Infinity;
    for (let i = 0; i < length; i++) if (logWeights[offset + i]! > m) m = logWeights[offset + i]!;
    if (m === -Infinity || Number.isNaN(m)) throw new RangeError(`Rng.categoricalLog: no finite log-weight (max ${m})`);
    const w = new Float64Array(length);
    for (let i = 0; i < length; i++) w[i] = Math.exp(logWeights[offset + i]! - m);
    return this.categorical(w);
  }

  /**
   * The draws of `normal()` (Marsaglia's polar method on `uniform()`, the spare kept across calls) with the state in
   * locals: the same numbers, without a call and four state loads and stores per generator step (SGLD draws one
   * normal per pixel per step).
   */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    const n = out.length;
    let i = 0;
    if (n === 0) return out;
    if (!Number.isNaN(this.spare)) {
      out[i++] = mean + std * this.spare;
      this.spare = NaN;
    }
    const st = this.s;
    let s0 = st[0]!;
    let s1 = st[1]!;
    let s2 = st[2]!;
    let s3 = st[3]!;
    // four steps of next() per candidate pair, inlined (r: a step's output)
    let x = 0;
    let r = 0;
    let t = 0;
    while (i < n) {
      let u: number, v: number, q: number;
      do {
        x = Math.imul(s1, 5);
        r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        let a = r >>> 5;
        x = Math.imul(s1, 5);
        r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        u = (2 * (a * 67108864 + (r >>> 6))) / 9007199254740992 - 1;
        x = Math.imul(s1, 5);
        r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        a = r >>> 5;
        x = Math.imul(s1, 5);
        r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        v = (2 * (a * 67108864 + (r >>> 6))) / 9007199254740992 - 1;
        q = u * u + v * v;
      } while (q >= 1 || q === 0);
      const m = Math.sqrt((-2 * Math.log(q)) / q);
      out[i++] = mean + std * (u * m);
      if (i < n) out[i++] = mean + std * (v * m);
      else this.spare = v * m;
    }
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
    return out;
  }

  /** Runs `fn` on the state words themselves (`withXoshiroState`). */
  withState(fn: (state: Uint32Array) => void): void {
    fn(this.s);
  }

  /**
   * The draws of `fillUniformPairs32` (rng.ts) with the state in locals: each `uniform()`'s two words give
   * (a >>> 1)·2⁻²⁶ and ((a & 1)·2²⁶ + b)·2⁻²⁷ exactly (a, b: its 27 and 26 bits), the same numbers as splitting
   * u·2²⁶ into its integer and fractional parts.
   */
  fillUniformPairs32(out: Float32Array): Float32Array {
    const st = this.s;
    let s0 = st[0]!;
    let s1 = st[1]!;
    let s2 = st[2]!;
    let s3 = st[3]!;
    const n = out.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      // two steps of next(), inlined
      let x = Math.imul(s1, 5);
      let r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const a = r >>> 5;
      x = Math.imul(s1, 5);
      r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const b = r >>> 6;
      out[i] = (a >>> 1) * 1.4901161193847656e-8; // 2⁻²⁶
      out[i + 1] = ((a & 1) * 67108864 + b) * 7.450580596923828e-9; // 2⁻²⁷
    }
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
    if (i < n) out[i] = this.uniform();
    return out;
  }

  fillUniform<T extends Float32Array | Float64Array>(out: T, lo = 0, hi = 1): T {
    const w = hi - lo;
    for (let i = 0; i < out.length; i++) out[i] = lo + w * this.uniform();
    return out;
  }

  shuffle<T extends { length: number; [i: number]: any }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }

  fork(): Rng {
    return createRng(this.next() ^ Math.imul(this.next(), 0x27d4eb2d));
  }

  getState(): Uint32Array {
    return Uint32Array.from(this.s);
  }

  setState(state: Uint32Array): void {
    if (state.length !== 4) throw new RangeError(`Rng.setState: expected 4 words, got ${state.length}`);
    if (state.every((x) => x === 0)) throw new RangeError('Rng.setState: the all-zero state is invalid');
    this.s = Uint32Array.from(state);
    this.spare = NaN;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Fills `out` with uniforms on [0, 1) good to 26 bits (plenty for float32 Bernoulli draws): each `rng.uniform()`
 * (53 random bits) u is split into two draws, ⌊u·2²⁶⌋/2²⁶ and the fractional part of u·2²⁶, halving the generator
 * calls. The generators of `createRng` do it without a call per draw (the same numbers).
 */
/**
 * For the generators of `createRng` (xoshiro128**), calls `fn` with the live state words (s0..s3) so that a kernel
 * can advance the same stream (it must leave them as `next()` would), and returns true; false for other `Rng`s.
 */
export function withXoshiroState(rng: Rng, fn: (state: Uint32Array) => void): boolean {
  if (!(rng instanceof Xoshiro128)) return false;
  rng.withState(fn);
  return true;
}

export function fillUniformPairs32(rng: Rng, out: Float32Array): Float32Array {
  if (rng instanceof Xoshiro128) return rng.fillUniformPairs32(out);
  const n = out.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const u = rng.uniform() * 67108864;
    const hi = Math.floor(u);
    out[i] = hi / 67108864;
    out[i + 1] = u - hi;
  }
  if (i < n) out[i] = rng.uniform();
  return out;
}

/** A seeded generator. The same seed always gives the same stream on every platform. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`createRng: seed must be a finite number, got ${seed}`);
  const sm = splitmix32(Math.trunc(seed) >>> 0 ^ Math.trunc(seed / 4294967296));
  const state = new Uint32Array([sm(), sm(), sm(), sm()]);
  if (state.every((x) => x === 0)) state[0] = 1;
  return new Xoshiro128(state);
}
