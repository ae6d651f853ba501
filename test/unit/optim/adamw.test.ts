import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdamW, OptimParam, defaultNoDecay } from '../../../engine/optim/adamw';
import { OctetError } from '../../../engine/errors';

function param(name: string, values: number[]): OptimParam {
  return { name, data: Float32Array.from(values), grad: new Float32Array(values.length) };
}

test('AdamW: two steps by hand (torch.optim.AdamW semantics, decay group and no-decay group)', () => {
  // lr 0.1, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01.
  //
  // "w" (decayed), p0 = 1, g1 = 0.5, g2 = -0.25:
  //  step 1: p <- 1 * (1 - 0.1*0.01) = 0.999
  //          m = 0.1*0.5 = 0.05;  v = 0.001*0.25 = 0.00025;  bc1 = 0.1, bc2 = 0.001
  //          sqrt(v)/sqrt(bc2) = sqrt(0.25) = 0.5;  step = (0.1/0.1) * 0.05 / (0.5 + 1e-8) = 0.099999998
  //          p = 0.999 - 0.099999998 = 0.899000002
  //  step 2: p <- 0.899000002 * 0.999 = 0.898101002
  //          m = 0.9*0.05 + 0.1*(-0.25) = 0.02;  v = 0.999*0.00025 + 0.001*0.0625 = 0.00031225
  //          bc1 = 1 - 0.81 = 0.19;  bc2 = 1 - 0.998001 = 0.001999
  //          sqrt(v)/sqrt(bc2) = sqrt(0.156203102) = 0.395225391
  //          step = (0.1/0.19) * 0.02 / (0.395225391 + 1e-8) = 0.026633703
  //          p = 0.898101002 - 0.026633703 = 0.871467299
  // "b.bias" (no decay), p0 = -2, g1 = g2 = 1: with a constant gradient m/bc1 = 1 and
  //          sqrt(v)/sqrt(bc2) = 1 at every step, so each step subtracts 0.1/(1 + 1e-8):
  //          p1 = -2.099999999, p2 = -2.199999998.
  // Values are float32, so compare within a few float32 ulps (3e-7 absolute at |p| ~ 1-2).
  const w = param('w', [1]);
  const b = param('b.bias', [-2]);
  const opt = new AdamW([w, b], { lr: 0.1, weightDecay: 0.01 });
  w.grad[0] = 0.5;
  b.grad[0] = 1;
  opt.step();
  assert.ok(Math.abs(w.data[0] - 0.899000002) < 3e-7, `w after 1 step: ${w.data[0]}`);
  assert.ok(Math.abs(b.data[0] + 2.099999999) < 3e-7, `b after 1 step: ${b.data[0]}`);
  w.grad[0] = -0.25;
  b.grad[0] = 1;
  opt.step();
  assert.ok(Math.abs(w.data[0] - 0.871467299) < 3e-7, `w after 2 steps: ${w.data[0]}`);
  assert.ok(Math.abs(b.data[0] + 2.199999998) < 3e-7, `b after 2 steps: ${b.data[0]}`);
  assert.equal(opt.stepCount, 2);
});

/** Float64 transcription of torch.optim.AdamW's single-tensor step, for many-step comparisons. */
function adamwRef(p: Float64Array, grads: Float64Array[], lrs: number[], wd: number, b1: number, b2: number, eps: number): Float64Array {
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  const out = p.slice();
  grads.forEach((g, s) => {
    const t = s + 1;
    const lr = lrs[s];
    for (let i = 0; i < out.length; i++) {
      out[i] *= 1 - lr * wd;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const denom = Math.sqrt(v[i]) / Math.sqrt(1 - b2 ** t) + eps;
      out[i] -= (lr / (1 - b1 ** t)) * (m[i] / denom);
    }
  });
  return out;
}

test('AdamW tracks a float64 torch-AdamW reference over 50 steps with changing lr (rel 1e-5)', () => {
  const n = 64;
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296) * 2 - 1;
  const init = Float32Array.from({ length: n }, () => rand());
  const p = { name: 'enc.weight', data: init.slice(), grad: new Float32Array(n) };
  const opt = new AdamW([p], { lr: 1, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.05 });
  const grads: Float64Array[] = [];
  const lrs: number[] = [];
  for (let s = 0; s < 50; s++) {
    for (let i = 0; i < n; i++) p.grad[i] = rand() * (1 + (i % 5));
    grads.push(Float64Array.from(p.grad));
    lrs.push(0.01 * (1 - s / 50));
    opt.step(lrs[s]);
  }
  const ref = adamwRef(Float64Array.from(init), grads, lrs, 0.05, 0.8, 0.99, 1e-6);
  for (let i = 0; i < n; i++) {
    assert.ok(Math.abs(p.data[i] - ref[i]) <= 1e-5 * Math.max(1, Math.abs(ref[i])), `param ${i}: ${p.data[i]} vs ${ref[i]}`);
  }
});

test('AdamW parameter groups follow the predicate (default: HF bias / LayerNorm.weight rule)', () => {
  assert.equal(defaultNoDecay('encoder.layer.0.attention.self.query.bias'), true);
  assert.equal(defaultNoDecay('encoder.layer.0.attention.output.LayerNorm.weight'), true);
  assert.equal(defaultNoDecay('embeddings.LayerNorm.bias'), true);
  assert.equal(defaultNoDecay('encoder.layer.0.attention.self.query.weight'), false);
  assert.equal(defaultNoDecay('embeddings.word_embeddings.weight'), false);

  const a = param('x.weight', [1]);
  const c = param('x.bias', [1]);
  const opt = new AdamW([a, c], { lr: 0.1, weightDecay: 0.5 });
  assert.deepEqual(opt.paramGroups(), [
    { weightDecay: 0.5, names: ['x.weight'] },
    { weightDecay: 0, names: ['x.bias'] },
  ]);
  // Zero gradient: Adam update is 0, only decoupled decay moves the weight: 1 * (1 - 0.1*0.5).
  opt.step();
  assert.equal(a.data[0], Math.fround(0.95));
  assert.equal(c.data[0], 1);
  // Custom predicate: decay everything.
  const d = param('x.bias', [1]);
  new AdamW([d], { lr: 0.1, weightDecay: 0.5, noDecay: () => false }).step();
  assert.equal(d.data[0], Math.fround(0.95));
});

test('AdamW state round-trips through plain typed arrays and resumes identically', () => {
  const mk = () => [param('a.weight', [0.3, -0.7, 1.1]), param('a.bias', [0.05, -0.02])];
  const grads = (s: number) => [Float32Array.of(0.1 * s, -0.2, 0.3), Float32Array.of(-0.05 * s, 0.4)];
  const ps = mk();
  const opt = new AdamW(ps, { lr: 0.01 });
  for (let s = 0; s < 3; s++) {
    grads(s).forEach((g, i) => ps[i].grad.set(g));
    opt.step();
  }
  const state = opt.saveState();
  const snapshot = ps.map((p) => p.data.slice());
  for (let s = 3; s < 6; s++) {
    grads(s).forEach((g, i) => ps[i].grad.set(g));
    opt.step();
  }
  // Fresh optimizer, parameters restored from the snapshot, state loaded.
  const qs = mk();
  qs.forEach((q, i) => q.data.set(snapshot[i]));
  const opt2 = new AdamW(qs, { lr: 0.01 });
  opt2.loadState(state);
  assert.equal(opt2.stepCount, 3);
  for (let s = 3; s < 6; s++) {
    grads(s).forEach((g, i) => qs[i].grad.set(g));
    opt2.step();
  }
  qs.forEach((q, i) => assert.deepEqual(q.data, ps[i].data));
  // The saved state is a copy: later steps did not change it.
  assert.equal(state.step, 3);
  assert.ok(state.expAvg[0] instanceof Float32Array && state.expAvgSq[1] instanceof Float32Array);

  const isErr = (code: string) => (e: unknown) => e instanceof OctetError && e.code === code;
  assert.throws(() => opt2.loadState({ ...state, names: ['a.weight', 'other'] }), isErr('shape-mismatch'));
  assert.throws(() => opt2.loadState({ ...state, expAvg: [new Float32Array(2), state.expAvg[1]] }), isErr('shape-mismatch'));
  assert.throws(() => opt2.loadState({ ...state, step: -1 }), isErr('invalid-argument'));
});

test('AdamW zeroGrad and argument checks', () => {
  const p = param('w', [1, 2]);
  p.grad.fill(3);
  const opt = new AdamW([p], { lr: 0.1 });
  opt.zeroGrad();
  assert.deepEqual(Array.from(p.grad), [0, 0]);
  const isErr = (e: unknown) => e instanceof OctetError;
  assert.throws(() => new AdamW([p, param('w', [1])], { lr: 0.1 }), isErr);
  assert.throws(() => new AdamW([{ name: 'x', data: new Float32Array(2), grad: new Float32Array(3) }], { lr: 0.1 }), isErr);
  assert.throws(() => new AdamW([p], { lr: 0.1, beta2: 1 }), isErr);
  assert.throws(() => opt.step(-1), isErr);
});
