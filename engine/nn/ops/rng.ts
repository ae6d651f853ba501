// Small, fast, seeded PRNG for dropout masks and weight initialisation.
//
// Why xoshiro128**: 128 bits of state (four uint32, so the whole state fits a checkpoint as a
// Uint32Array(4) and resuming a run reproduces the exact same dropout masks), period 2^128 - 1,
// passes BigCrush, and every step is a handful of 32-bit integer ops that V8 keeps in registers
// (Math.imul, shifts, xors: no BigInt, no doubles until the final float conversion).
// Why splitmix32 for seeding: xoshiro must not start from an all-zero state and does badly from
// low-entropy states (seed 1, 2, 3...); splitmix spreads any seed over all four words.
//
// Reproducibility contract: the sequence depends only on the seed (or the saved state), and
// each consumer documents how many draws it takes in which order.

import { OctetError } from '../../errors';

/** 2^-24: converts the top 24 bits of a uint32 to a float in [0, 1) exactly representable in float32. */
const INV_2_24 = 1 / 16777216;
const TWO_PI = 2 * Math.PI;

export class Rng {
  // Four words as plain fields (not a typed array) so the JIT keeps them unboxed as int32.
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /**
   * @param seed a non-negative safe integer (up to 2^53 - 1); both 32-bit halves feed the state,
   *             so seeds that differ only above bit 31 still give different streams.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new OctetError('invalid-argument', `rng seed must be a non-negative safe integer, got ${seed}`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    // splitmix32 over a 32-bit counter; the high half is folded into the starting counter so
    // that (lo, hi) pairs map to distinct streams.
    let x = (lo ^ Math.imul(hi, 0x9e3779b9)) | 0;
    x = (x + 0x9e3779b9) | 0;
    this.s0 = splitmixOut(x);
    x = (x + 0x9e3779b9) | 0;
    this.s1 = splitmixOut(x);
    x = (x + 0x9e3779b9) | 0;
    this.s2 = splitmixOut(x);
    x = (x + 0x9e3779b9) | 0;
    this.s3 = splitmixOut(x);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // unreachable in practice; never leave xoshiro at 0
  }

  /** A generator resumed from `getState()` output; continues the exact same sequence. */
  static fromState(state: Uint32Array): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  /** Next uint32 in [0, 2^32). xoshiro128** (Blackman & Vigna). */
  nextU32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = (n3 << 11) | (n3 >>> 21);
    return result >>> 0;
  }

  /**
   * Keep-mask with P(keep) = 1 - T / 2^24 exactly, T = ceil(p * 2^24): the same probability as
   * keeping where nextFloat() >= p, from half the draws. Each draw serves two elements, its low
   * 16 bits then its high 16 bits: with T = 256 H + L, an element whose 16 bits h are above H is
   * kept and below H dropped; on h = H (probability 2^-16) the top 8 bits of one extra draw,
   * taken right then, decide (kept when >= L). An odd n leaves the last draw's high half unused.
   * The generator is inlined and the common case branch-free: the mask is drawn for every
   * attention probability and hidden unit, tens of millions of elements a step (bench train),
   * and one draw per element with a compare-and-branch took 1.6x as long (measured).
   */
  fillKeepMask(mask: Uint8Array, n: number, p: number): void {
    const threshold = Math.ceil(p * 16777216);
    const hiT = threshold >>> 8;
    const loT = threshold & 255;
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = 0; i < n; i += 2) {
      const m = Math.imul(s1, 5);
      const result = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      const n2 = s2 ^ s0;
      const n3 = s3 ^ s1;
      s1 = s1 ^ n2;
      s0 = s0 ^ n3;
      s2 = n2 ^ t;
      s3 = (n3 << 11) | (n3 >>> 21);
      const a = result & 0xffff;
      const b = result >>> 16;
      if (a === hiT || (b === hiT && i + 1 < n)) {
        this.s0 = s0;
        this.s1 = s1;
        this.s2 = s2;
        this.s3 = s3;
        mask[i] = a === hiT ? (this.nextU32() >>> 24 >= loT ? 1 : 0) : (hiT - a) >>> 31;
        if (i + 1 < n) mask[i + 1] = b === hiT ? (this.nextU32() >>> 24 >= loT ? 1 : 0) : (hiT - b) >>> 31;
        s0 = this.s0;
        s1 = this.s1;
        s2 = this.s2;
        s3 = this.s3;
        continue;
      }
      // (hiT - h) >>> 31 is 1 exactly when h > hiT (both below 2^16).
      mask[i] = (hiT - a) >>> 31;
      if (i + 1 < n) mask[i + 1] = (hiT - b) >>> 31;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /**
   * Fills `out` with uniform floats in [offset, offset + 1): the same draws as nextFloat(), with
   * the generator on local variables (the noise of stochastic rounding needs millions a step).
   */
  fillUniform(out: Float32Array, offset = 0): void {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = 0; i < out.length; i++) {
      const m = Math.imul(s1, 5);
      const result = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      const n2 = s2 ^ s0;
      const n3 = s3 ^ s1;
      s1 = s1 ^ n2;
      s0 = s0 ^ n3;
      s2 = n2 ^ t;
      s3 = (n3 << 11) | (n3 >>> 21);
      out[i] = (result >>> 8) * INV_2_24 + offset;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /**
   * Fills `out` with (k + 1/2) / 2^16 + offset, k uniform in [0, 2^16): two values per draw (the
   * low half of the draw, then the high half), so half the draws of fillUniform. Midpoints, so the
   * mean is exactly offset + 1/2. Enough for stochastic rounding, which asks only that
   * P(u < f) = f for the fraction f of a code: with 16 bits it is off by at most 2^-17, as fine
   * as float32's own rounding of the dithered value. The generator step is inlined here too, as
   * in fillKeepMask: drawing into a word buffer first and converting in a second pass took 1.5x
   * as long (measured), which is most of what halving the draws saves.
   */
  fillUniform16(out: Float32Array, offset = 0): void {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    const base = offset + 0.5 / 65536;
    const n = out.length;
    for (let i = 0; i < n; i += 2) {
      const m = Math.imul(s1, 5);
      const result = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      const n2 = s2 ^ s0;
      const n3 = s3 ^ s1;
      s1 = s1 ^ n2;
      s0 = s0 ^ n3;
      s2 = n2 ^ t;
      s3 = (n3 << 11) | (n3 >>> 21);
      out[i] = (result & 0xffff) * (1 / 65536) + base;
      if (i + 1 < n) out[i + 1] = (result >>> 16) * (1 / 65536) + base;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /**
   * Uniform float in [0, 1) with 24 random bits, so the value is exact in float32 and
   * `u < p` comparisons behave identically whether p is stored as float32 or float64.
   */
  nextFloat(): number {
    return (this.nextU32() >>> 8) * INV_2_24;
  }

  /**
   * Fills `out` with N(mean, std^2) samples (Box-Muller, two uniforms per pair of outputs; an odd
   * length draws one extra pair and discards the second value). No hidden cached spare, so the
   * whole generator state stays the four words that getState() returns.
   */
  fillNormal(out: Float32Array, mean = 0, std = 1): void {
    const n = out.length;
    let i = 0;
    while (i < n) {
      // 1 - u is in (0, 1], so log never sees 0.
      const u1 = 1 - this.nextFloat();
      const u2 = this.nextFloat();
      const r = Math.sqrt(-2 * Math.log(u1)) * std;
      const a = TWO_PI * u2;
      out[i++] = mean + r * Math.cos(a);
      if (i < n) out[i++] = mean + r * Math.sin(a);
    }
  }

  /** Copy of the full state (4 words). */
  getState(): Uint32Array {
    return Uint32Array.of(this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0);
  }

  /** Restores a state from `getState()`. */
  setState(state: Uint32Array): void {
    if (state.length !== 4) {
      throw new OctetError('shape-mismatch', `rng state must have 4 words, got ${state.length}`);
    }
    if ((state[0] | state[1] | state[2] | state[3]) === 0) {
      throw new OctetError('invalid-argument', 'rng state must not be all zero (xoshiro128** would emit only zeros)');
    }
    this.s0 = state[0] | 0;
    this.s1 = state[1] | 0;
    this.s2 = state[2] | 0;
    this.s3 = state[3] | 0;
  }
}

/** splitmix32 output function (murmur3 finaliser constants). */
function splitmixOut(x: number): number {
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}
