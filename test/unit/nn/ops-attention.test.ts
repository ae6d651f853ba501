import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ATTENTION_MASK_BIAS,
  BatchedMatmul,
  attentionBackward,
  attentionForward,
  referenceBatchedMatmul,
} from '../../../engine/nn/ops/attention';
import { Rng } from '../../../engine/nn/ops/rng';
import { OctetError } from '../../../engine/errors';
import { TestRandom, assertGradClose, assertNonTrivial, maxRelErr, numericGrad, toF64, weightedSum } from './ops-helpers';

const B = 2;
const T = 3;
const H = 8;
const HEADS = 2;
const D = H / HEADS;
// Second sequence has one padding token (the last).
const MASK = [1, 1, 1, 1, 1, 0];

/**
 * Naive float64 attention straight from the [B*T x H] layout (no head split, no transposes), so
 * it shares no indexing code with the op. dropMask/p: the op's saved keep-mask over
 * [B*HEADS x T x T] and its probability (null = no dropout).
 */
function attentionRef(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  mask: number[] | null,
  dropMask: Uint8Array | null,
  p: number,
  dims: { B: number; T: number; H: number; HEADS: number } = { B, T, H, HEADS },
): Float64Array {
  const { B, T, H, HEADS } = dims;
  const D = H / HEADS;
  const out = new Float64Array(B * T * H);
  const s = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < HEADS; h++) {
      for (let i = 0; i < T; i++) {
        let max = -Infinity;
        for (let j = 0; j < T; j++) {
          let dot = 0;
          for (let c = 0; c < D; c++) dot += q[(b * T + i) * H + h * D + c] * k[(b * T + j) * H + h * D + c];
          s[j] = dot / Math.sqrt(D) + (mask !== null && mask[b * T + j] === 0 ? ATTENTION_MASK_BIAS : 0);
          max = Math.max(max, s[j]);
        }
        let z = 0;
        for (let j = 0; j < T; j++) {
          s[j] = Math.exp(s[j] - max);
          z += s[j];
        }
        for (let j = 0; j < T; j++) {
          let pij = s[j] / z;
          if (dropMask !== null) pij = dropMask[((b * HEADS + h) * T + i) * T + j] ? pij / (1 - p) : 0;
          for (let c = 0; c < D; c++) out[(b * T + i) * H + h * D + c] += pij * v[(b * T + j) * H + h * D + c];
        }
      }
    }
  }
  return out;
}

function inputs(seed: number) {
  const rnd = new TestRandom(seed);
  return { q: rnd.f32(B * T * H), k: rnd.f32(B * T * H), v: rnd.f32(B * T * H), w: rnd.f32(B * T * H) };
}

test('referenceBatchedMatmul matches a naive float64 product, with and without transB', () => {
  const rnd = new TestRandom(40);
  const [batch, m, k, n] = [3, 4, 5, 6];
  const a = rnd.f32(batch * m * k);
  const bN = rnd.f32(batch * k * n);
  const bT = rnd.f32(batch * n * k);
  const c1 = referenceBatchedMatmul(a, bN, batch, m, k, n, false) as Float32Array;
  const c2 = referenceBatchedMatmul(a, bT, batch, m, k, n, true) as Float32Array;
  const r1 = new Float64Array(batch * m * n);
  const r2 = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++)
        for (let p = 0; p < k; p++) {
          r1[(t * m + i) * n + j] += a[(t * m + i) * k + p] * bN[(t * k + p) * n + j];
          r2[(t * m + i) * n + j] += a[(t * m + i) * k + p] * bT[(t * n + j) * k + p];
        }
  assert.ok(maxRelErr(c1, r1).err < 1e-6);
  assert.ok(maxRelErr(c2, r2).err < 1e-6);
});

test('attentionForward (padding mask, no dropout) matches the float64 reference; padding keys get probability 0', async () => {
  const { q, k, v } = inputs(41);
  const out = new Float32Array(B * T * H);
  const cache = await attentionForward(out, q, k, v, MASK, B, T, HEADS, H);
  const ref = attentionRef(toF64(q), toF64(k), toF64(v), MASK, null, 0);
  const { err } = maxRelErr(out, ref);
  assert.ok(err < 1e-5, `forward error ${err}`);
  assert.equal(cache.dropMask, null);
  // Batch 1, every head and query: key 2 is padding.
  for (let h = 0; h < HEADS; h++)
    for (let i = 0; i < T; i++) assert.equal(cache.probs[((1 * HEADS + h) * T + i) * T + 2], 0);
});

test('attentionBackward (padding mask, no dropout): dQ, dK, dV match float64 central differences (tol 1e-4)', async () => {
  const { q, k, v, w } = inputs(42);
  const out = new Float32Array(B * T * H);
  const cache = await attentionForward(out, q, k, v, MASK, B, T, HEADS, H);
  const dq = new Float32Array(B * T * H);
  const dk = new Float32Array(B * T * H);
  const dv = new Float32Array(B * T * H);
  await attentionBackward(dq, dk, dv, w, cache);
  const [q64, k64, v64] = [toF64(q), toF64(k), toF64(v)];
  const L = () => weightedSum(w, attentionRef(q64, k64, v64, MASK, null, 0));
  const [nq, nk, nv] = [numericGrad(L, q64), numericGrad(L, k64), numericGrad(L, v64)];
  for (const [g, name] of [[nq, 'dQ'], [nk, 'dK'], [nv, 'dV']] as const) assertNonTrivial(g, name);
  assertGradClose(dq, nq, 'dQ');
  assertGradClose(dk, nk, 'dK');
  assertGradClose(dv, nv, 'dV');
  // The padding token (batch 1, t 2) is never attended to, so its key and value get no gradient.
  for (let c = 0; c < H; c++) {
    assert.equal(dk[(1 * T + 2) * H + c], 0);
    assert.equal(dv[(1 * T + 2) * H + c], 0);
  }
});

test('attention with dropout: forward and dQ, dK, dV match the float64 reference using the same saved mask (tol 1e-4)', async () => {
  const { q, k, v, w } = inputs(43);
  const p = 0.3;
  const out = new Float32Array(B * T * H);
  const cache = await attentionForward(out, q, k, v, MASK, B, T, HEADS, H, { dropoutP: p, rng: new Rng(3) });
  const dropMask = cache.dropMask;
  assert.ok(dropMask !== null);
  const zeros = dropMask.reduce((s, m) => s + (m === 0 ? 1 : 0), 0);
  assert.ok(zeros > 0 && zeros < dropMask.length, `mask must drop some but not all entries (dropped ${zeros})`);
  const [q64, k64, v64] = [toF64(q), toF64(k), toF64(v)];
  assert.ok(maxRelErr(out, attentionRef(q64, k64, v64, MASK, dropMask, p)).err < 1e-5, 'forward with dropout');

  const dq = new Float32Array(B * T * H);
  const dk = new Float32Array(B * T * H);
  const dv = new Float32Array(B * T * H);
  await attentionBackward(dq, dk, dv, w, cache);
  const L = () => weightedSum(w, attentionRef(q64, k64, v64, MASK, dropMask, p));
  const [nq, nk, nv] = [numericGrad(L, q64), numericGrad(L, k64), numericGrad(L, v64)];
  for (const [g, name] of [[nq, 'dQ'], [nk, 'dK'], [nv, 'dV']] as const) assertNonTrivial(g, name);
  assertGradClose(dq, nq, 'dQ (dropout)');
  assertGradClose(dk, nk, 'dK (dropout)');
  assertGradClose(dv, nv, 'dV (dropout)');

  // Same rng seed -> same mask; a given dropMask reproduces the forward without touching an rng.
  const out2 = new Float32Array(B * T * H);
  const c2 = await attentionForward(out2, q, k, v, MASK, B, T, HEADS, H, { dropoutP: p, rng: new Rng(3) });
  assert.deepEqual(c2.dropMask, dropMask);
  const out3 = new Float32Array(B * T * H);
  await attentionForward(out3, q, k, v, MASK, B, T, HEADS, H, { dropoutP: p, dropMask });
  assert.deepEqual(out3, out);
});

test('attention runs through an injected async BatchedMatmul and gives the same results', async () => {
  const { q, k, v, w } = inputs(44);
  const calls: string[] = [];
  const asyncMatmul: BatchedMatmul = async (a, b, batch, m, kk, n, transB) => {
    calls.push(`${batch}x${m}x${kk}x${n}${transB ? 'T' : ''}`);
    await new Promise((r) => setImmediate(r));
    return referenceBatchedMatmul(a, b, batch, m, kk, n, transB);
  };
  const out1 = new Float32Array(B * T * H);
  const out2 = new Float32Array(B * T * H);
  const c1 = await attentionForward(out1, q, k, v, MASK, B, T, HEADS, H);
  const c2 = await attentionForward(out2, q, k, v, MASK, B, T, HEADS, H, { matmul: asyncMatmul });
  assert.deepEqual(out2, out1);
  const g1 = [new Float32Array(B * T * H), new Float32Array(B * T * H), new Float32Array(B * T * H)];
  const g2 = [new Float32Array(B * T * H), new Float32Array(B * T * H), new Float32Array(B * T * H)];
  await attentionBackward(g1[0], g1[1], g1[2], w, c1);
  await attentionBackward(g2[0], g2[1], g2[2], w, c2, asyncMatmul);
  assert.deepEqual(g2, g1);
  const bh = B * HEADS;
  assert.deepEqual(calls, [
    `${bh}x${T}x${D}x${T}T`, // scores = Q K^T
    `${bh}x${T}x${T}x${D}`, // context = P V
    `${bh}x${T}x${D}x${T}T`, // dP = dC V^T
    `${bh}x${T}x${T}x${D}`, // dV = P^T dC
    `${bh}x${T}x${T}x${D}`, // dQ = dS K
    `${bh}x${T}x${T}x${D}`, // dK = dS^T Q
  ]);
});

test('attentionForward reuses buffers from a previous cache and rejects bad arguments', async () => {
  const { q, k, v } = inputs(45);
  const out = new Float32Array(B * T * H);
  const c1 = await attentionForward(out, q, k, v, null, B, T, HEADS, H, { dropoutP: 0.1, rng: new Rng(1) });
  const c2 = await attentionForward(out, q, k, v, null, B, T, HEADS, H, { dropoutP: 0.1, rng: new Rng(1), reuse: c1 });
  assert.equal(c2.qh, c1.qh);
  assert.equal(c2.dropMask, c1.dropMask);

  const isErr = (code: string) => (e: unknown) => e instanceof OctetError && e.code === code;
  await assert.rejects(attentionForward(out, q, k, v, null, B, T, 3, H), isErr('invalid-argument'));
  await assert.rejects(attentionForward(out, q, k, v, null, B, T, HEADS, H, { dropoutP: 0.1 }), isErr('invalid-argument'));
  await assert.rejects(attentionForward(out, q.subarray(1), k, v, null, B, T, HEADS, H), isErr('shape-mismatch'));
  const badMatmul: BatchedMatmul = () => new Float32Array(1);
  await assert.rejects(attentionForward(out, q, k, v, null, B, T, HEADS, H, { matmul: badMatmul }), isErr('shape-mismatch'));
});

test('attention with seq 37 (crosses the 32x32 transpose tiles): dQ, dK, dV match float64 central differences (tol 1e-4)', async () => {
  const dims = { B: 1, T: 37, H: 8, HEADS: 2 };
  const n = dims.B * dims.T * dims.H;
  const rnd = new TestRandom(46);
  const [q, k, v, w] = [rnd.f32(n), rnd.f32(n), rnd.f32(n), rnd.f32(n)];
  const mask = Array.from({ length: dims.T }, (_, t) => (t < 33 ? 1 : 0));
  const p = 0.2;
  const out = new Float32Array(n);
  const cache = await attentionForward(out, q, k, v, mask, dims.B, dims.T, dims.HEADS, dims.H, { dropoutP: p, rng: new Rng(8) });
  const [q64, k64, v64] = [toF64(q), toF64(k), toF64(v)];
  assert.ok(maxRelErr(out, attentionRef(q64, k64, v64, mask, cache.dropMask, p, dims)).err < 1e-5, 'forward');
  const [dq, dk, dv] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  await attentionBackward(dq, dk, dv, w, cache);
  const L = () => weightedSum(w, attentionRef(q64, k64, v64, mask, cache.dropMask, p, dims));
  const [nq, nk, nv] = [numericGrad(L, q64), numericGrad(L, k64), numericGrad(L, v64)];
  for (const [g, name] of [[nq, 'dQ'], [nk, 'dK'], [nv, 'dV']] as const) assertNonTrivial(g, name);
  assertGradClose(dq, nq, 'dQ (seq 37)');
  assertGradClose(dk, nk, 'dK (seq 37)');
  assertGradClose(dv, nv, 'dV (seq 37)');
});
