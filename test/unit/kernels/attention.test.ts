// The onnxruntime attention graphs against the plain-JS attention ops (the reference, itself
// checked against finite differences): same inputs, same padding, same dropout keep-mask.
// Tolerance: 1e-5 of the largest magnitude (float32 sums reordered).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { ATTENTION_MASK_BIAS, attentionBackward, attentionForward } from '../../../engine/nn/ops/attention';
import { dropoutMask } from '../../../engine/nn/ops/dropout';
import { Rng } from '../../../engine/nn/ops/rng';
import { TestRandom } from '../../helpers/random';

let ort: OrtBackend;
before(async () => {
  ort = await OrtBackend.create({ threads: 2 });
});
after(async () => ort.dispose());

function close(a: Float32Array, b: Float32Array, what: string): void {
  let scale = 0;
  for (const x of b) scale = Math.max(scale, Math.abs(x));
  for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i] - b[i]) <= 1e-5 * scale)) assert.fail(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

for (const [batch, seq, heads, hidden, p] of [[2, 5, 2, 8, 0], [3, 37, 4, 32, 0.1]] as const) {
  test(`attention graphs match the JS ops: batch ${batch}, seq ${seq}, heads ${heads}, dropout ${p}`, async () => {
    const rnd = new TestRandom(seq);
    const t = batch * seq;
    const q = rnd.floats(t * hidden);
    const k = rnd.floats(t * hidden);
    const v = rnd.floats(t * hidden);
    const mask = new Uint8Array(t).fill(1);
    mask.fill(0, seq - 2, seq); // padding at the end of the first sequence
    const keep = new Uint8Array(batch * heads * seq * seq);
    if (p > 0) dropoutMask(keep, keep.length, p, new Rng(4));
    else keep.fill(1);
    const maskBias = Float32Array.from(mask, (m) => (m ? 0 : ATTENTION_MASK_BIAS));
    const shape = { batch, seq, heads, hidden };
    const fast = await ort.attentionForward(q, k, v, maskBias, keep, 1 / (1 - p), shape);
    const ctx = new Float32Array(t * hidden);
    const cache = await attentionForward(ctx, q, k, v, mask, batch, seq, heads, hidden, { dropoutP: p, dropMask: p > 0 ? keep : undefined });
    close(fast.ctx, ctx, 'ctx');
    close(fast.probs, cache.probs, 'probs');
    const dctx = rnd.floats(t * hidden);
    const g = await ort.attentionBackward(dctx, { q, k, v, probs: fast.probs, keep, keepScale: 1 / (1 - p), maskBias }, shape);
    const dq = new Float32Array(t * hidden);
    const dk = new Float32Array(t * hidden);
    const dv = new Float32Array(t * hidden);
    await attentionBackward(dq, dk, dv, dctx, cache);
    close(g.dq, dq, 'dq');
    close(g.dk, dk, 'dk');
    close(g.dv, dv, 'dv');
  });
}
