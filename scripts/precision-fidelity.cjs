// How far int8 and int8-outlier are from fp32 on the same batches: the logits' and each linear
// layer's weight gradient's relative L2 error (dropout off, so every mode sees the same network).
// The numbers behind README's "What the comparison shows". Needs `npm run build` first.
//   node scripts/precision-fidelity.cjs <manifest> [modelDir] [batches]
const path = require('node:path');
const out = path.join(__dirname, '..', 'out', 'engine');
const { loadManifest } = require(path.join(out, 'manifest/load.js'));
const { runManifest } = require(path.join(out, 'compare/run-manifest.js'));
const { setupFineTuning } = require(path.join(out, 'train/fine-tuning-setup.js'));
const { OrtBackend } = require(path.join(out, 'kernels/ort-backend.js'));

const relL2 = (a, ref) => {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i] - ref[i]) ** 2; den += ref[i] ** 2; }
  return Math.sqrt(num / den);
};

async function main() {
  const [manifestPath, modelDir, batchesArg] = process.argv.slice(2);
  if (!manifestPath) throw new Error('usage: node scripts/precision-fidelity.cjs <manifest> [modelDir] [batches]');
  const base = loadManifest(manifestPath);
  if (modelDir) base.model = path.resolve(modelDir);
  const batches = Number(batchesArg ?? 4);
  const backend = await OrtBackend.create({ threads: 2 });
  const results = {};
  try {
    for (const mode of ['fp32', 'int8', 'int8-outlier']) {
      const m = runManifest(base, mode, base.train.seed);
      m.train = { ...m.train, dropout: 0 };
      const s = await setupFineTuning(m, backend, { loadTrain: true, loadEval: false });
      const logits = [];
      for (let k = 0; k < batches; k++) {
        // Rows spread over the data, the same for every mode.
        const batch = s.task.trainBatch(Array.from({ length: m.train.batchSize }, (_, i) => (i * 7 + k * 300) % s.task.trainSize), 0);
        const y = await s.model.forward(batch.input, true);
        logits.push(Float32Array.from(y));
        await s.model.backward(batch.lossAndGrad(y).dLogits, true);
      }
      const grads = new Map([...s.model.params].map(([name, p]) => [name, Float64Array.from(p.grad)]));
      results[mode] = { logits, grads };
    }
  } finally {
    await backend.dispose();
  }
  const fp32 = results.fp32;
  for (const mode of ['int8', 'int8-outlier']) {
    const r = results[mode];
    console.log(`${mode}: logits relative L2 error per batch ${r.logits.map((l, i) => relL2(l, fp32.logits[i]).toFixed(3)).join(', ')}`);
    for (const [name, g] of r.grads) {
      if (name.endsWith('.weight') && !/LayerNorm|embeddings/.test(name)) console.log(`  ${name.padEnd(48)} ${relL2(g, fp32.grads.get(name)).toFixed(3)}`);
    }
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
