import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddingBackward, embeddingForward, zeroEmbeddingRows } from '../../../engine/nn/ops/embedding';
import { OctetError } from '../../../engine/errors';
import { TestRandom, assertGradClose, assertNonTrivial, numericGrad, toF64, weightedSum } from './ops-helpers';

const B = 2;
const T = 3;
const H = 8;
const VOCAB = 11;
const MAXPOS = 5;
const TYPES = 2;
// Token 4 appears three times (gradient rows must sum), vocab rows 0..3 and 6..10 unused.
const IDS = Int32Array.of(4, 7, 4, 5, 4, 9);
const TYPE_IDS = Int32Array.of(0, 0, 1, 0, 1, 1);

function tables(seed: number) {
  const rnd = new TestRandom(seed);
  return { word: rnd.f32(VOCAB * H), pos: rnd.f32(MAXPOS * H), type: rnd.f32(TYPES * H), w: rnd.f32(B * T * H) };
}

/** Float64 reference; positions = t within the sequence. */
function embRef(word: Float64Array, pos: Float64Array, type: Float64Array): Float64Array {
  const out = new Float64Array(B * T * H);
  for (let r = 0; r < B * T; r++)
    for (let i = 0; i < H; i++)
      out[r * H + i] = word[IDS[r] * H + i] + type[TYPE_IDS[r] * H + i] + pos[(r % T) * H + i];
  return out;
}

test('embeddingForward sums word + token type + position rows, rounding like HF', () => {
  const { word, pos, type } = tables(51);
  const out = new Float32Array(B * T * H);
  embeddingForward(out, IDS, TYPE_IDS, null, word, pos, type, B, T, H);
  for (let r = 0; r < B * T; r++)
    for (let i = 0; i < H; i++) {
      // (word + type) rounded to float32, then + position rounded: HF BertEmbeddings' order.
      const want = Math.fround(Math.fround(word[IDS[r] * H + i] + type[TYPE_IDS[r] * H + i]) + pos[(r % T) * H + i]);
      assert.equal(out[r * H + i], want, `row ${r} col ${i}`);
    }
  // Explicit position ids (RoBERTa-style offset) and no token-type table.
  const posIds = Int32Array.of(2, 3, 4, 2, 3, 4);
  embeddingForward(out, IDS, null, posIds, word, pos, null, B, T, H);
  for (let r = 0; r < B * T; r++)
    for (let i = 0; i < H; i++) assert.equal(out[r * H + i], Math.fround(word[IDS[r] * H + i] + pos[posIds[r] * H + i]));
});

test('embeddingBackward matches float64 central differences for word, position and type tables (tol 1e-4)', () => {
  const { word, pos, type, w } = tables(52);
  const dWord = new Float32Array(VOCAB * H);
  const dPos = new Float32Array(MAXPOS * H);
  const dType = new Float32Array(TYPES * H);
  embeddingBackward(dWord, dPos, dType, w, IDS, TYPE_IDS, null, B, T, H);
  const [w64, p64, t64] = [toF64(word), toF64(pos), toF64(type)];
  const L = () => weightedSum(w, embRef(w64, p64, t64));
  const [nw, np, nt] = [numericGrad(L, w64), numericGrad(L, p64), numericGrad(L, t64)];
  assertNonTrivial(nw, 'dWord');
  assertGradClose(dWord, nw, 'dWord');
  assertGradClose(dPos, np, 'dPos');
  assertGradClose(dType, nt, 'dType');
  // Sparse: unused vocabulary rows and position rows >= T stay exactly 0.
  for (const id of [0, 1, 2, 3, 6, 8, 10]) assert.ok(dWord.subarray(id * H, id * H + H).every((x) => x === 0), `row ${id}`);
  assert.ok(dPos.subarray(T * H).every((x) => x === 0));
});

test('embeddingBackward accumulates; zeroEmbeddingRows clears only touched rows', () => {
  const { w } = tables(53);
  const dWord = new Float32Array(VOCAB * H).fill(0.5);
  embeddingBackward(dWord, null, null, w, IDS, null, null, B, T, H);
  const once = dWord.slice();
  for (let i = 0; i < H; i++) {
    const want = 0.5 + w[0 * H + i] + w[2 * H + i] + w[4 * H + i]; // token 4 at rows 0, 2, 4
    assert.ok(Math.abs(once[4 * H + i] - want) < 1e-6);
  }
  assert.equal(once[0], 0.5, 'untouched rows keep their value');
  embeddingBackward(dWord, null, null, w, IDS, null, null, B, T, H);
  assert.ok(Math.abs(dWord[7 * H] - (once[7 * H] + w[1 * H])) < 1e-6, 'second call adds again');
  zeroEmbeddingRows(dWord, IDS, B * T, H);
  for (const id of [4, 5, 7, 9]) assert.ok(dWord.subarray(id * H, id * H + H).every((x) => x === 0));
  assert.equal(dWord[0], 0.5);
});

test('embedding rejects out-of-range ids and mis-sized tables', () => {
  const { word, pos, type, w } = tables(54);
  const out = new Float32Array(B * T * H);
  const isErr = (code: string) => (e: unknown) => e instanceof OctetError && e.code === code;
  assert.throws(() => embeddingForward(out, Int32Array.of(0, 1, 2, 3, 4, VOCAB), null, null, word, pos, type, B, T, H), isErr('invalid-argument'));
  assert.throws(() => embeddingForward(out, IDS, Int32Array.of(0, 0, 0, 0, 0, 2), null, word, pos, type, B, T, H), isErr('invalid-argument'));
  assert.throws(() => embeddingForward(out, IDS, null, null, word, pos.subarray(0, 2 * H), type, B, T, H), isErr('invalid-argument'));
  assert.throws(() => embeddingForward(out, IDS, null, null, word.subarray(1), pos, type, B, T, H), isErr('shape-mismatch'));
  assert.throws(() => embeddingBackward(new Float32Array(VOCAB * H), null, null, w, Int32Array.of(-1, 0, 0, 0, 0, 0), null, null, B, T, H), isErr('invalid-argument'));
});
