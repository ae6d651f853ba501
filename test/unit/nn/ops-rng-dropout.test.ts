import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../engine/nn/ops/rng';
import { dropoutBackward, dropoutForward, dropoutMask } from '../../../engine/nn/ops/dropout';
import { OctetError } from '../../../engine/errors';
import { TestRandom } from './ops-helpers';

/** Independent BigInt xoshiro128** for cross-checking (slow, obviously-correct form). */
function xoshiroRef(state: bigint[], count: number): number[] {
  const M = 0xffffffffn;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
  const s = state.slice();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1] * 5n) & M, 7n) * 9n) & M));
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
  }
  return out;
}

test('xoshiro128** from state (1,2,3,4): hand-computed first outputs and BigInt reference', () => {
  const r = Rng.fromState(Uint32Array.of(1, 2, 3, 4));
  // By hand: out1 = rotl(2*5, 7)*9 = 1280*9 = 11520; state -> (7, 0, 1026, 12288);
  // out2 = rotl(0, 7)*9 = 0; state -> (12295, 1029, 1029, 25165824);
  // out3 = rotl(1029*5, 7)*9 = 658560*9 = 5927040.
  assert.equal(r.nextU32(), 11520);
  assert.equal(r.nextU32(), 0);
  assert.equal(r.nextU32(), 5927040);
  const ref = xoshiroRef([1n, 2n, 3n, 4n], 1000);
  const r2 = Rng.fromState(Uint32Array.of(1, 2, 3, 4));
  for (let i = 0; i < 1000; i++) assert.equal(r2.nextU32(), ref[i], `output ${i}`);
});

test('Rng: same seed same stream, different seeds differ, state save/restore resumes exactly', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const d = new Rng(42 + 2 ** 32); // differs only above bit 31
  const sa = Array.from({ length: 8 }, () => a.nextU32());
  assert.deepEqual(Array.from({ length: 8 }, () => b.nextU32()), sa);
  assert.notDeepEqual(Array.from({ length: 8 }, () => c.nextU32()), sa);
  assert.notDeepEqual(Array.from({ length: 8 }, () => d.nextU32()), sa);

  const saved = a.getState();
  const next = Array.from({ length: 100 }, () => a.nextFloat());
  const resumed = Rng.fromState(saved);
  assert.deepEqual(Array.from({ length: 100 }, () => resumed.nextFloat()), next);
  // getState returns a copy, not a live view.
  saved[0] ^= 1;
  assert.notDeepEqual(a.getState(), saved);
});

test('Rng rejects bad seeds and states', () => {
  assert.throws(() => new Rng(-1), (e: unknown) => e instanceof OctetError && e.code === 'invalid-argument');
  assert.throws(() => new Rng(1.5), (e: unknown) => e instanceof OctetError);
  assert.throws(() => Rng.fromState(new Uint32Array(4)), (e: unknown) => e instanceof OctetError);
  assert.throws(() => Rng.fromState(new Uint32Array(3).fill(1)), (e: unknown) => e instanceof OctetError && e.code === 'shape-mismatch');
});

test('Rng.nextFloat is in [0, 1) with mean ~0.5; fillNormal has mean ~0 and std ~1', () => {
  const r = new Rng(7);
  const n = 200000;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const u = r.nextFloat();
    assert.ok(u >= 0 && u < 1);
    s += u;
  }
  // Standard error of the mean is 0.29/sqrt(n) = 6.5e-4; the seed is fixed, so this is deterministic.
  assert.ok(Math.abs(s / n - 0.5) < 4e-3, `mean ${s / n}`);
  const g = new Float32Array(n + 1); // odd length exercises the discarded half-pair
  r.fillNormal(g, 0, 1);
  let m = 0;
  let v = 0;
  for (const x of g) m += x;
  m /= g.length;
  for (const x of g) v += (x - m) ** 2;
  v /= g.length;
  assert.ok(Math.abs(m) < 1e-2, `normal mean ${m}`);
  assert.ok(Math.abs(Math.sqrt(v) - 1) < 1e-2, `normal std ${Math.sqrt(v)}`);
  const h = new Float32Array(1000);
  new Rng(1).fillNormal(h, 3, 0.02);
  assert.ok(h.every((x) => Math.abs(x - 3) < 0.2));
});

test('dropout: keep rate ~1-p, inverted scaling, reproducible, backward uses the saved mask', () => {
  const n = 100000;
  const p = 0.1;
  const x = new TestRandom(31).f32(n);
  const out = new Float32Array(n);
  const mask = new Uint8Array(n);
  dropoutForward(out, mask, x, n, p, new Rng(5));
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i]) {
      kept++;
      assert.equal(out[i], Math.fround(x[i] / (1 - p)));
    } else {
      assert.equal(out[i], 0);
    }
  }
  assert.ok(Math.abs(kept / n - (1 - p)) < 5e-3, `keep rate ${kept / n}`);

  const out2 = new Float32Array(n);
  const mask2 = new Uint8Array(n);
  dropoutForward(out2, mask2, x, n, p, new Rng(5));
  assert.deepEqual(mask2, mask);
  assert.deepEqual(out2, out);

  const dout = new TestRandom(32).f32(n);
  const dx = new Float32Array(n);
  dropoutBackward(dx, dout, mask, n, p);
  for (let i = 0; i < n; i++) assert.equal(dx[i], mask[i] ? Math.fround(dout[i] / (1 - p)) : 0);
});

test('dropout with p = 0 is the identity and draws nothing from the rng', () => {
  const rng = new Rng(9);
  const before = rng.getState();
  const x = new TestRandom(33).f32(100);
  const out = new Float32Array(100);
  const mask = new Uint8Array(100);
  dropoutForward(out, mask, x, 100, 0, rng);
  assert.deepEqual(out, x);
  assert.ok(mask.every((m) => m === 1));
  assert.deepEqual(rng.getState(), before);
  // p > 0 draws as fillKeepMask does (ceil(n / 2) draws plus one per tie).
  const r1 = new Rng(9);
  dropoutMask(mask, 100, 0.5, r1);
  const r2 = new Rng(9);
  referenceKeepMask(new Uint8Array(100), 100, 0.5, r2);
  assert.deepEqual(r1.getState(), r2.getState());
  assert.throws(() => dropoutMask(mask, 100, 1, r1), (e: unknown) => e instanceof OctetError);
});

/**
 * fillKeepMask's contract written plainly: two 16-bit halves per draw (low, then high); with
 * T = ceil(p * 2^24) = 256 H + L, a half above H keeps, below H drops, and equal to H takes one
 * more draw whose top 8 bits keep when >= L.
 */
function referenceKeepMask(mask: Uint8Array, n: number, p: number, rng: Rng): void {
  const t = Math.ceil(p * 2 ** 24);
  const hiT = Math.floor(t / 256);
  const loT = t % 256;
  const decide = (h: number): number => (h > hiT ? 1 : h < hiT ? 0 : rng.nextU32() >>> 24 >= loT ? 1 : 0);
  for (let i = 0; i < n; i += 2) {
    const r = rng.nextU32();
    mask[i] = decide(r & 0xffff);
    if (i + 1 < n) mask[i + 1] = decide(r >>> 16);
  }
}

test('fillKeepMask follows its two-halves-per-draw contract, ties included, for p on and between the 2^-24 grid', () => {
  for (const p of [0.1, 0.5, 0.3, 2 ** -24, 5 * 2 ** -24, 1 - 2 ** -24, 0.999999, 1000.5 * 2 ** -16]) {
    for (const n of [1, 2, 4999, 5000]) {
      const mask = new Uint8Array(n);
      const fast = new Rng(21);
      fast.fillKeepMask(mask, n, p);
      const want = new Uint8Array(n);
      const slow = new Rng(21);
      referenceKeepMask(want, n, p, slow);
      assert.deepEqual(mask, want, `p = ${p}, n = ${n}`);
      assert.deepEqual(fast.getState(), slow.getState(), `p = ${p}, n = ${n}: draws taken`);
    }
  }
});

test('fillKeepMask: a tie on the 16-bit threshold draws once more and decides on its top 8 bits', () => {
  // Find a state whose first draw's low half is h, then put p's threshold right on it.
  const probe = new Rng(0);
  probe.setState(Uint32Array.of(1, 2, 3, 4));
  const first = probe.nextU32();
  const extra = probe.nextU32() >>> 24;
  const h = first & 0xffff;
  const run = (t: number): { mask: number; state: Uint32Array } => {
    const r = new Rng(0);
    r.setState(Uint32Array.of(1, 2, 3, 4));
    const m = new Uint8Array(1);
    r.fillKeepMask(m, 1, t / 2 ** 24);
    return { mask: m[0], state: r.getState() };
  };
  const atExtra = run(h * 256 + extra);
  assert.equal(atExtra.mask, 1, 'extra draw = L is kept');
  const twoDraws = new Rng(0);
  twoDraws.setState(Uint32Array.of(1, 2, 3, 4));
  twoDraws.nextU32();
  twoDraws.nextU32();
  assert.deepEqual(atExtra.state, twoDraws.getState(), 'the tie took exactly one more draw');
  if (extra < 255) assert.equal(run(h * 256 + extra + 1).mask, 0, 'extra draw one below L is dropped');
  if (h > 0) assert.equal(run((h - 1) * 256 + 255).mask, 1, 'h above H keeps without the extra draw');
});

test('fillKeepMask keeps with probability 1 - p (2 million elements, within 5 standard errors)', () => {
  const n = 2_000_000;
  for (const p of [0.1, 0.5]) {
    const mask = new Uint8Array(n);
    new Rng(77).fillKeepMask(mask, n, p);
    let kept = 0;
    for (let i = 0; i < n; i++) kept += mask[i];
    const se = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(kept / n - (1 - p)) < 5 * se, `p = ${p}: kept ${kept / n}`);
  }
});

test('fillUniform16: two 16-bit midpoint uniforms per draw (low half, then high), the same draws as nextU32()', () => {
  for (const n of [1, 2, 7, 1000]) {
    const out = new Float32Array(n);
    const fast = new Rng(33);
    fast.fillUniform16(out, -0.5);
    const slow = new Rng(33);
    for (let i = 0; i < n; i += 2) {
      const r = slow.nextU32();
      assert.equal(out[i], (r & 0xffff) / 65536 + 0.5 / 65536 - 0.5, `n = ${n}, element ${i}`);
      if (i + 1 < n) assert.equal(out[i + 1], (r >>> 16) / 65536 + 0.5 / 65536 - 0.5, `n = ${n}, element ${i + 1}`);
    }
    assert.deepEqual(fast.getState(), slow.getState(), `n = ${n}: ceil(n / 2) draws`);
  }
  // Stochastic rounding with it is unbiased: floor(v + u + 1/2) over many u averages to v.
  const u = new Float32Array(200_000);
  new Rng(5).fillUniform16(u, -0.5);
  for (const v of [0.3, 2.71828, -1.125, 0.5 + 2 ** -20]) {
    let sum = 0;
    for (const x of u) sum += Math.round(Math.fround(v + x));
    // Standard deviation of the mean <= 0.5 / sqrt(200000) = 0.0011.
    assert.ok(Math.abs(sum / u.length - v) < 6 * 0.0011, `v = ${v}: mean ${sum / u.length}`);
  }
});
