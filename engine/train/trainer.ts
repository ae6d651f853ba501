// The fine-tuning loop: AdamW with linear warmup and decay, gradient clipping and accumulation,
// evaluation and checkpoints on schedule, best-model tracking, early stopping, cancellation and
// exact resume. Emits RunEvents (events.ts) to the run folder and to the caller. What differs
// between tasks (inputs, loss, evaluation) comes from the task's FineTuningTask (task.ts).
import { existsSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { isOctetError, OctetError } from '../errors';
import type { GemmBackend } from '../kernels/backend';
import { metricGreaterIsBetter } from '../manifest/task-metrics';
import type { Manifest } from '../manifest/types';
import { AdamW } from '../optim/adamw';
import { clipGradNorm } from '../optim/clip';
import { LinearWarmupDecaySchedule } from '../optim/schedule';
import { writeDirAtomic, writeJsonAtomic } from '../fs/atomic';
import { epochBatches } from './batching';
import {
  captureRngState, loadTrainingCheckpoint, LoadedCheckpoint, MODEL_SUBDIR, restoreRngState,
  saveTrainingCheckpoint, tokenizerFiles, TrainerState,
} from './checkpoint';
import type { EvalEvent, RunEvent, TrainStepEvent } from './events';
import { setupFineTuning } from './fine-tuning-setup';
import { RunFolder } from './run-folder';
import { runInfo } from './run-info';
import type { TaskEvaluation } from './task';

export interface TrainOptions {
  resume?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  log?: (line: string) => void;
}

export interface TrainResult {
  state: 'completed' | 'cancelled';
  steps: number;
  runDir: string;
  finalMetrics: Record<string, number> | null;
  best: TrainerState['best'];
}

export async function train(manifest: Manifest, backend: GemmBackend, o: TrainOptions = {}): Promise<TrainResult> {
  const log = o.log ?? (() => {});
  const run = new RunFolder(manifest.output);
  let resumeFrom: LoadedCheckpoint | null = null;
  if (o.resume) {
    const latest = run.latestCheckpoint();
    if (latest) resumeFrom = await loadTrainingCheckpoint(latest);
    else log(`no checkpoint in ${run.checkpointsDir}: starting from the beginning`);
  } else if (run.hasHistory()) {
    throw new OctetError('invalid-argument', `the run folder already holds a run; pass --resume to continue it, or set another "output"`, { file: run.root, field: 'output' });
  }

  const setup = await setupFineTuning(manifest, backend, { modelDir: resumeFrom?.modelDir, loadTrain: true, loadEval: true });
  for (const n of setup.notes) log(n);
  const { model, task } = setup;
  const t = manifest.train;
  const accum = t.gradientAccumulationSteps;
  const batchesPerEpoch = Math.ceil(task.trainSize / t.batchSize);
  const stepsPerEpoch = Math.ceil(batchesPerEpoch / accum);
  const totalSteps = Math.min(t.maxSteps ?? Infinity, stepsPerEpoch * t.epochs);
  const params = [...model.params.values()];
  const optimizer = new AdamW(params, { lr: t.learningRate, weightDecay: t.weightDecay });
  const schedule = new LinearWarmupDecaySchedule({ baseLr: t.learningRate, totalSteps, warmupSteps: t.warmupSteps, warmupRatio: t.warmupRatio });
  const metricName = t.metricForBestModel;
  const greaterIsBetter = metricGreaterIsBetter(metricName);

  let state: TrainerState = {
    step: 0, epoch: 0, batchInEpoch: 0, totalSteps, best: null, evalsWithoutImprovement: 0, kept: [],
    schedule: schedule.saveState(), rng: captureRngState(model),
  };
  const emit = async (e: RunEvent, persist = true): Promise<void> => {
    if (persist) await run.append(e);
    o.onEvent?.(e);
  };
  const now = (): number => Date.now();
  const fracEpoch = (): number => state.epoch + state.batchInEpoch / batchesPerEpoch;

  if (resumeFrom) {
    state = resumeFrom.state;
    optimizer.loadState(resumeFrom.optimizer);
    schedule.loadState(state.schedule);
    restoreRngState(model, state.rng);
    await run.truncateAfter(state.step);
    log(`resumed from step ${state.step} (epoch ${fracEpoch().toFixed(2)})`);
  } else {
    await run.clear();
    const files = tokenizerFiles(manifest.model, (f) => existsSync(path.join(manifest.model, f)));
    await run.create({ manifest, info: runInfo(manifest, backend, setup), tokenizerFiles: files });
  }
  const extraFiles = run.tokenizerFiles();
  const startEvent: RunEvent = {
    type: 'start', step: state.step, epoch: fracEpoch(), time: now(), totalSteps, mode: manifest.precision.mode,
    task: task.type, resumedFrom: resumeFrom ? state.step : null, trainExamples: task.trainSize,
    evalExamples: task.evalSize, truncated: task.truncatedExamples,
  };
  // Only the first start goes to the file, so a resumed run's file matches an uninterrupted one.
  await emit(startEvent, !resumeFrom);

  const doEval = async (): Promise<TaskEvaluation | null> => {
    const r = await task.evaluate(model, t.batchSize);
    if (!r) return null;
    const value = metricName === 'loss' ? r.loss : r.metrics[metricName];
    const improved = state.best === null || (greaterIsBetter ? value > state.best.value : value < state.best.value);
    if (improved) {
      state.best = { metric: metricName, value, step: state.step, checkpoint: null };
      state.evalsWithoutImprovement = 0;
    } else {
      state.evalsWithoutImprovement++;
    }
    // The best evaluation's answers go with the best model (model/ holds the best checkpoint).
    if (improved && r.predictionsJson !== undefined) await writeJsonAtomic(run.predictionsPath, r.predictionsJson);
    const e: EvalEvent = { type: 'eval', step: state.step, epoch: fracEpoch(), time: now(), loss: r.loss, metrics: r.metrics, best: improved };
    await emit(e);
    await emitOutlierStats();
    return r;
  };
  const emitOutlierStats = async (): Promise<void> => {
    const layers = [...model.linears.values()]
      .filter((l) => l.lastStats)
      .map((l) => ({ name: l.name, maxAbs: l.lastStats!.maxAbs, outlierCount: l.lastStats!.outlierCount, outlierColumns: Array.from(l.lastStats!.outlierColumns), rows: l.lastStats!.rows }));
    if (layers.length) await emit({ type: 'outliers', step: state.step, epoch: fracEpoch(), time: now(), layers });
  };
  const saveCheckpoint = async (): Promise<void> => {
    const dir = run.checkpointDir(state.step);
    if (state.best && state.best.step === state.step) state.best.checkpoint = path.basename(dir);
    state.schedule = schedule.saveState();
    state.rng = captureRngState(model);
    if (!state.kept.includes(path.basename(dir))) state.kept.push(path.basename(dir));
    await mkdir(run.checkpointsDir, { recursive: true });
    await saveTrainingCheckpoint(dir, model, optimizer, state, extraFiles);
    await emit({ type: 'checkpoint', step: state.step, epoch: fracEpoch(), time: now(), path: dir });
    // Keep the newest `keepCheckpoints`, and always the best one.
    while (state.kept.length > t.keepCheckpoints) {
      const victim = state.kept.find((k) => k !== state.best?.checkpoint);
      if (!victim || victim === path.basename(dir)) break;
      state.kept = state.kept.filter((k) => k !== victim);
      await rm(path.join(run.checkpointsDir, victim), { recursive: true, force: true });
    }
  };
  const due = (every: number | 'epoch', endOfEpoch: boolean): boolean =>
    every === 'epoch' ? endOfEpoch : state.step % every === 0;

  let lastEval: TaskEvaluation | null = null;
  let stepLoss = 0;
  let stepTokens = 0;
  let stepStart = performance.now();
  let avgStepMs = 0;
  let stopReason: 'completed' | 'cancelled' | 'early-stopped' = 'completed';
  /** Stops the run as failed: the metrics file ends with the reason, the checkpoints stay. */
  const diverged = async (what: string): Promise<never> => {
    const last = run.latestCheckpoint();
    const msg = `${what} at step ${state.step + 1}; the last good checkpoint is ${last ?? 'none (no checkpoint was written yet)'}`;
    await emit({ type: 'end', step: state.step, epoch: fracEpoch(), time: now(), state: 'failed', message: msg });
    throw new OctetError('training-diverged', msg);
  };
  model.zeroGrad();
  outer: while (state.epoch < t.epochs && state.step < totalSteps) {
    const epoch = state.epoch;
    const batches = epochBatches(task.trainSize, t.batchSize, t.seed, epoch, true);
    // Leaves at the end of the epoch (state.epoch moves on), so the next epoch gets its own
    // shuffle: the order a resumed run recomputes from (seed, epoch).
    while (state.epoch === epoch && state.batchInEpoch < batches.length) {
      const batch = task.trainBatch(batches[state.batchInEpoch], epoch);
      const b = batch.input;
      let loss: number;
      try {
        const logits = await model.forward(b, true);
        const lg = batch.lossAndGrad(logits);
        loss = lg.loss;
        if (!Number.isFinite(loss)) await diverged(`the loss became ${loss}`);
        if (accum > 1) for (let i = 0; i < lg.dLogits.length; i++) lg.dLogits[i] /= accum;
        await model.backward(lg.dLogits, true);
      } catch (e) {
        // A NaN or infinity inside the network is the same failure as a non-finite loss.
        if (isOctetError(e) && e.code === 'non-finite') await diverged(`training diverged (${e.message})`);
        throw e;
      }
      stepLoss += loss / accum;
      stepTokens += b.batch * b.seq;
      state.batchInEpoch++;
      const endOfEpoch = state.batchInEpoch === batches.length;
      if (state.batchInEpoch % accum !== 0 && !endOfEpoch) continue;

      const gradNorm = t.maxGradNorm > 0 ? clipGradNorm(params.map((p) => p.grad), t.maxGradNorm) : 0;
      const lr = schedule.lr();
      optimizer.step(lr);
      schedule.step();
      model.zeroGrad();
      state.step++;
      if (endOfEpoch) {
        state.epoch++;
        state.batchInEpoch = 0;
      }
      const ms = performance.now() - stepStart;
      avgStepMs = avgStepMs === 0 ? ms : 0.9 * avgStepMs + 0.1 * ms;
      const ev: TrainStepEvent = {
        type: 'train', step: state.step, epoch: fracEpoch(), time: now(), loss: stepLoss, learningRate: lr, gradNorm,
        tokensPerSecond: (stepTokens * 1000) / ms, etaMs: avgStepMs * (totalSteps - state.step),
      };
      await emit(ev);
      stepLoss = 0;
      stepTokens = 0;
      const last = state.step >= totalSteps;
      if (due(t.evalEvery, endOfEpoch) || last) lastEval = (await doEval()) ?? lastEval;
      const stopEarly = t.earlyStoppingPatience !== undefined && state.evalsWithoutImprovement >= t.earlyStoppingPatience;
      const cancelled = o.signal?.aborted ?? false;
      if (due(t.saveEvery, endOfEpoch) || last || stopEarly || cancelled) await saveCheckpoint();
      if (cancelled) {
        stopReason = 'cancelled';
        break outer;
      }
      if (stopEarly) {
        log(`early stopping: no improvement of ${metricName} in ${t.earlyStoppingPatience} evaluations`);
        stopReason = 'early-stopped';
        break outer;
      }
      if (last) break outer;
      stepStart = performance.now();
    }
  }

  if (stopReason !== 'cancelled') await writeFinalModel(run, state);
  const endState = stopReason === 'cancelled' ? 'cancelled' : 'completed';
  await emit({
    type: 'end', step: state.step, epoch: fracEpoch(), time: now(), state: endState,
    // Absent rather than undefined, so the event reads back from metrics.jsonl unchanged.
    ...(stopReason === 'early-stopped' && { message: 'stopped early' }),
    ...(lastEval && { metrics: lastEval.metrics }),
  });
  return { state: endState, steps: state.step, runDir: run.root, finalMetrics: lastEval?.metrics ?? null, best: state.best };
}

/** The run's model/ folder: the best checkpoint's weights when there was evaluation, else the last. */
async function writeFinalModel(run: RunFolder, state: TrainerState): Promise<void> {
  const source = state.best?.checkpoint ? path.join(run.checkpointsDir, state.best.checkpoint) : run.latestCheckpoint();
  if (!source) return;
  await writeDirAtomic(run.modelDir, async (tmp) => {
    await rm(tmp, { recursive: true, force: true });
    await cp(path.join(source, MODEL_SUBDIR), tmp, { recursive: true });
  });
}
