// `octet train`, `octet eval` and `octet predict`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { OctetError } from '../errors';
import { loadManifest } from '../manifest/load';
import { loadSquadModel } from '../squad/setup';
import { predictSquadFile } from '../squad/predict';
import { setupFineTuning } from '../train/fine-tuning-setup';
import { predictFile } from '../train/predict';
import { RunFolder } from '../train/run-folder';
import { setupRun } from '../train/setup';
import { train } from '../train/trainer';
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
function chooseModelDir(manifestOutput: string, manifestModel: string, checkpoint?: string): string {
  if (checkpoint) {
    const inner = path.join(checkpoint, 'model');
    return existsSync(path.join(inner, 'config.json')) ? inner : checkpoint;
  }
  const final = new RunFolder(manifestOutput).modelDir;
  return existsSync(path.join(final, 'config.json')) ? final : manifestModel;
}

export async function evalCommand(manifestPath: string, opts: CommonOptions & { checkpoint?: string }): Promise<void> {
  const manifest = loadManifest(manifestPath);
  const backend = await createBackend(threadsFrom(opts.threads, manifest));
  try {
    const modelDir = chooseModelDir(manifest.output, manifest.model, opts.checkpoint);
    const setup = await setupFineTuning(manifest, backend, { modelDir, loadTrain: false, loadEval: true });
    const r = await setup.task.evaluate(setup.model, manifest.train.batchSize);
    if (!r) throw new OctetError('invalid-argument', 'the manifest has no data.eval file to evaluate on', { file: manifest.manifestPath, field: 'data.eval' });
    const out = { model: modelDir, examples: r.examples, loss: r.loss, metrics: r.metrics };
    if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
    else process.stdout.write(`model ${modelDir}\n${out.examples} examples  loss ${r.loss.toFixed(4)}  ${Object.entries(r.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ')}\n`);
  } finally {
    await backend.dispose();
  }
}

export async function predictCommand(manifestPath: string, opts: CommonOptions & { checkpoint?: string; input: string }): Promise<void> {
  const manifest = loadManifest(manifestPath);
  // A pretraining run has no labels to predict; its measure is the eval loss and perplexity.
  if (manifest.task.type === 'mlm') {
    throw new OctetError('unsupported', 'octet predict has nothing to predict for an mlm task: use octet eval for the masked-token loss, perplexity and accuracy, or fine-tune the model on a labelled task', { file: manifest.manifestPath, field: 'task.type' });
  }
  const backend = await createBackend(threadsFrom(opts.threads, manifest));
  try {
    const modelDir = chooseModelDir(manifest.output, manifest.model, opts.checkpoint);
    const input = path.resolve(opts.input);
    if (manifest.task.type === 'squad') {
      // One line per question, in file order: its id, the answer text and the answer's score.
      const { model, tokenizer, notes } = await loadSquadModel(manifest, backend, modelDir);
      for (const n of notes) process.stderr.write(`${n}\n`);
      await predictSquadFile(input, manifest, model, tokenizer, (p) => {
        process.stdout.write(opts.json ? JSON.stringify(p) + '\n' : `${p.id}\t${p.answer}\t${p.score.toFixed(4)}\n`);
      });
      return;
    }
    const setup = await setupRun(manifest, backend, { modelDir, loadTrain: false, loadEval: false });
    await predictFile(input, manifest, setup.model, setup.tokenizer, setup.task, setup.id2label, (p) => {
      process.stdout.write(opts.json ? JSON.stringify(p) + '\n' : `${p.line}\t${p.prediction}\t${p.logits.map((v) => v.toFixed(4)).join(' ')}\n`);
    });
  } finally {
    await backend.dispose();
  }
}
