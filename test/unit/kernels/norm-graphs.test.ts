// The element-wise graphs (dropout + residual + LayerNorm, GELU) against the plain-JS ops they
// replace in the training path (the references, themselves checked against finite differences),
// through the runner the encoder layer uses: same inputs, same seeded dropout masks.
// Tolerance: 1e-5 of the largest magnitude (float32 sums reordered; the graphs compute in
// float32 where the JS ops accumulate in float64); GELU 2e-6 of max(1, |value|) (onnxruntime's float32 erf).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OrtBackend } from '../../../engine/kernels/ort-backend';
import { ReferenceBackend } from '../../../engine/kernels/reference';
import { normRunner } from '../../../engine/model/norm-runner';
import { newParam } from '../../../engine/model/params';
import { Rng } from '../../../engine/nn/ops/rng';
import { TestRandom } from '../../helpers/random';

let ort: OrtBackend;
before(async () => {
  ort = await OrtBackend.create({ threads: 2 });
});
after(async () => ort.dispose());

function close(a: Float32Array, b: Float32Array, what: string, rel = 1e-5): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let scale = 0;
  for (const x of b) scale = Math.max(scale, Math.abs(x));
  for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i] - b[i]) <= rel * scale)) assert.fail(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

function params(rnd: TestRandom, dim: number) {
  const gamma = newParam('g', [dim]);
  const beta = newParam('b', [dim]);
  gamma.data.set(rnd.floats(dim));
  beta.data.set(rnd.floats(dim));
  return { gamma, beta };
}

for (const [rows, dim, p, offset] of [[7, 16, 0, 0], [37, 64, 0.1, 0], [33, 48, 0.3, 20]] as const) {
  test(`dropout + residual + LayerNorm graphs match the JS ops: ${rows} x ${dim}, dropout ${p}, mean offset ${offset}`, async () => {
    const rnd = new TestRandom(rows + dim);
    const n = rows * dim;
    // A large common offset checks the two-pass variance (one pass would cancel).
    const a = rnd.floats(n).map((x) => x + offset);
    const residual = rnd.floats(n);
    const d = { rows, dim, eps: 1e-12 };
    const fast = params(new TestRandom(5), dim);
    const slow = params(new TestRandom(5), dim);
    const rngFast = new Rng(11);
    const rngSlow = new Rng(11);
    const graph = normRunner(ort);
    const js = normRunner(new ReferenceBackend());
    const f = await graph.residualForward(a.slice(), residual, fast.gamma, fast.beta, d, p, rngFast);
    const s = await js.residualForward(a.slice(), residual, slow.gamma, slow.beta, d, p, rngSlow);
    // A dropped element differs by O(1) here, so this also checks the masks agree.
    close(f.y, s.y, 'y');
    assert.deepEqual(rngFast.getState(), rngSlow.getState(), 'both draw the same number of uniforms');
    const dOut = rnd.floats(n);
    const dOut2 = rnd.floats(n);
    for (const second of [null, dOut2]) {
      fast.gamma.grad.fill(0.5);
      slow.gamma.grad.fill(0.5);
      fast.beta.grad.fill(0);
      slow.beta.grad.fill(0);
      const gf = await graph.residualBackward(dOut.slice(), second, f.saved, fast.gamma, fast.beta, d);
      const gs = await js.residualBackward(dOut.slice(), second, s.saved, slow.gamma, slow.beta, d);
      const tag = second ? ' (two gradients)' : '';
      close(gf.dSum, gs.dSum, `dSum${tag}`);
      close(gf.dA, gs.dA, `dA${tag}`);
      close(fast.gamma.grad, slow.gamma.grad, `dGamma${tag}`);
      close(fast.beta.grad, slow.beta.grad, `dBeta${tag}`);
    }
  });
}

test('the GELU graph matches the JS GELU', async () => {
  const rnd = new TestRandom(9);
  const rows = 50;
  const x = rnd.floats(rows * 40, 4);
  x.set([0, -30, 30, -8, 8, 1e-20]);
  const fast = await normRunner(ort).gelu(x, rows);
  const slow = await normRunner(new ReferenceBackend()).gelu(x, rows);
  for (let i = 0; i < x.length; i++) {
    if (!(Math.abs(fast[i] - slow[i]) <= 2e-6 * Math.max(1, Math.abs(slow[i])))) assert.fail(`gelu(${x[i]}): ${fast[i]} vs ${slow[i]}`);
  }
});

test('a wrong-sized input is refused with the shapes named', async () => {
  await assert.rejects(ort.residualNormForward(new Float32Array(10), new Float32Array(12), { keep: null, keepScale: 1 }, new Float32Array(4), new Float32Array(4), 3, 4, 1e-12), /10 elements, expected 3 x 4/);
});
