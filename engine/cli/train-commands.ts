// `octet train`, `octet eval` and `octet predict`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { OctetError } from '../errors';
import { loadManifest } from '../manifest/load';
import { loadSquadModel } from '../squad/setup';
import { predictSquadFile, type SquadPrediction } from '../squad/predict';
import { setupFineTuning } from '../train/fine-tuning-setup';
import { predictFile, type Prediction } from '../train/predict';
import { RunFolder } from '../train/run-folder';
import { sequenceTask, setupRun } from '../train/setup';
import { train } from '../train/trainer';
import { exportEvalTask, exportTokenizer, checkTaskMatches } from '../export/export-task';
import { OnnxBertModel } from '../export/onnx-model';
import type { Manifest } from '../manifest/types';
import { createBackend, threadsFrom } from './backend-option';
import { ProgressReporter } from './progress';

export interface CommonOptions {
  json?: boolean;
  threads?: string;
}

export async function trainCommand(manifestPath: string, opts: CommonOptions & { resume?: boolean }): Promise<void> {
  const manifest = loadManifest(manifestPath);
  const backend = await createBackend(threadsFrom(opts.threads, manifest));
  const progress = new ProgressReporter(!!opts.json);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      progress.line('interrupted: saving a checkpoint after this step (Ctrl-C again to quit at once)');
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await train(manifest, backend, {
      resume: opts.resume,
      signal: controller.signal,
      onEvent: (e) => progress.onEvent(e),
      log: (l) => progress.line(l),
    });
    if (!opts.json) progress.line(`run folder: ${result.runDir}${result.state === 'cancelled' ? ' (resume with --resume)' : ''}`);
    if (result.state === 'cancelled') process.exitCode = 130;
  } finally {
    process.off('SIGINT', onSigint);
    await backend.dispose();
  }
}

/** The model to use: --checkpoint, else the run's final model, else the manifest's model. */
export function chooseModelDir(manifestOutput: string, manifestModel: string, checkpoint?: string): string {
  if (checkpoint) {
    if (!existsSync(checkpoint)) throw new OctetError('file-not-found', 'no such checkpoint or model folder', { file: path.resolve(checkpoint) });
    const inner = path.join(checkpoint, 'model');
    return existsSync(path.join(inner, 'config.json')) ? inner : checkpoint;
  }
  const final = new RunFolder(manifestOutput).modelDir;
  return existsSync(path.join(final, 'config.json')) ? final : manifestModel;
}

export interface ModelChoice {
  checkpoint?: string;
  /** An exported model (octet export): its .onnx file or folder, run by onnxruntime. */
  onnx?: string;
}

function loadOnnxModel(manifest: Manifest, opts: CommonOptions & ModelChoice): Promise<OnnxBertModel> {
  if (opts.checkpoint) throw new OctetError('invalid-argument', 'give either --checkpoint or --onnx, not both', { field: '--onnx' });
  return OnnxBertModel.load(opts.onnx!, { threads: threadsFrom(opts.threads, manifest) });
}

function printEval(opts: CommonOptions, model: string, r: { examples: number; loss: number; metrics: Record<string, number> }): void {
  const out = { model, examples: r.examples, loss: r.loss, metrics: r.metrics };
  if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
  else process.stdout.write(`model ${model}\n${out.examples} examples  loss ${r.loss.toFixed(4)}  ${Object.entries(r.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ')}\n`);
}

async function evalOnnx(manifest: Manifest, opts: CommonOptions & ModelChoice): Promise<void> {
  const model = await loadOnnxModel(manifest, opts);
  try {
    const task = exportEvalTask(manifest, model, exportTokenizer(model));
    const r = await task.evaluate(model, manifest.train.batchSize);
    if (!r) throw new Error('unreachable: exportEvalTask checks data.eval');
    printEval(opts, model.onnxFile, r);
  } finally {
    await model.dispose();
  }
}

export async function evalCommand(manifestPath: string, opts: CommonOptions & ModelChoice): Promise<void> {
  const manifest = loadManifest(manifestPath);
  if (opts.onnx !== undefined) return evalOnnx(manifest, opts);
  const backend = await createBackend(threadsFrom(opts.threads, manifest));
  try {
    const modelDir = chooseModelDir(manifest.output, manifest.model, opts.checkpoint);
    const setup = await setupFineTuning(manifest, backend, { modelDir, loadTrain: false, loadEval: true });
    const r = await setup.task.evaluate(setup.model, manifest.train.batchSize);
    if (!r) throw new OctetError('invalid-argument', 'the manifest has no data.eval file to evaluate on', { file: manifest.manifestPath, field: 'data.eval' });
    printEval(opts, modelDir, r);
  } finally {
    await backend.dispose();
  }
}

export async function predictCommand(manifestPath: string, opts: CommonOptions & ModelChoice & { input: string }): Promise<void> {
  const manifest = loadManifest(manifestPath);
  // A pretraining run has no labels to predict; its measure is the eval loss and perplexity.
  if (manifest.task.type === 'mlm') {
    throw new OctetError('unsupported', 'octet predict has nothing to predict for an mlm task: use octet eval for the masked-token loss, perplexity and accuracy, or fine-tune the model on a labelled task', { file: manifest.manifestPath, field: 'task.type' });
  }
  if (opts.onnx !== undefined) return predictOnnx(manifest, opts);
  const backend = await createBackend(threadsFrom(opts.threads, manifest));
  try {
    const modelDir = chooseModelDir(manifest.output, manifest.model, opts.checkpoint);
    const input = path.resolve(opts.input);
    if (manifest.task.type === 'squad') {
      // One line per question, in file order: its id, the answer text and the answer's score.
      const { model, tokenizer, notes } = await loadSquadModel(manifest, backend, modelDir);
      for (const n of notes) process.stderr.write(`${n}\n`);
      await predictSquadFile(input, manifest, model, tokenizer, printSquadPrediction(opts));
      return;
    }
    const setup = await setupRun(manifest, backend, { modelDir, loadTrain: false, loadEval: false });
    await predictFile(input, manifest, setup.model, setup.tokenizer, setup.task, setup.id2label, printPrediction(opts));
  } finally {
    await backend.dispose();
  }
}

const printSquadPrediction = (opts: CommonOptions) => (p: SquadPrediction): void => {
  process.stdout.write(opts.json ? JSON.stringify(p) + '\n' : `${p.id}\t${p.answer}\t${p.score.toFixed(4)}\n`);
};

const printPrediction = (opts: CommonOptions) => (p: Prediction): void => {
  process.stdout.write(opts.json ? JSON.stringify(p) + '\n' : `${p.line}\t${p.prediction}\t${p.logits.map((v) => v.toFixed(4)).join(' ')}\n`);
};

async function predictOnnx(manifest: Manifest, opts: CommonOptions & ModelChoice & { input: string }): Promise<void> {
  const model = await loadOnnxModel(manifest, opts);
  try {
    checkTaskMatches(manifest, model);
    const tokenizer = exportTokenizer(model);
    const input = path.resolve(opts.input);
    if (manifest.task.type === 'squad') {
      await predictSquadFile(input, manifest, model, tokenizer, printSquadPrediction(opts));
      return;
    }
    await predictFile(input, manifest, model, tokenizer, sequenceTask(manifest), model.sidecar.labels, printPrediction(opts));
  } finally {
    await model.dispose();
  }
}
