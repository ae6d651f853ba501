// Training checkpoints: the model in Hugging Face layout, the optimizer's moments, the schedule,
// every random generator's state and the loop's position, written as one folder atomically
// (engine/fs writeDirAtomic), so a killed run resumes exactly where the checkpoint was taken.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { saveBertCheckpoint } from '../checkpoint/bert-weights';
import { readFloat32, readSafetensors, writeSafetensors } from '../checkpoint/safetensors';
import { OctetError } from '../errors';
import { writeDirAtomic, writeJsonAtomic } from '../fs/atomic';
import type { BertModel } from '../model/bert-model';
import type { AdamW, AdamWState } from '../optim/adamw';
import type { ScheduleState } from '../optim/schedule';

export const MODEL_SUBDIR = 'model';
const OPTIMIZER_FILE = 'optimizer.safetensors';
const STATE_FILE = 'trainer-state.json';

export interface BestSoFar {
  metric: string;
  value: number;
  step: number;
  checkpoint: string | null;
}

export interface TrainerState {
  /** Optimizer steps done. */
  step: number;
  epoch: number;
  /** Next micro-batch index within `epoch`. */
  batchInEpoch: number;
  totalSteps: number;
  best: BestSoFar | null;
  evalsWithoutImprovement: number;
  /** Checkpoint folder names kept so far, oldest first. */
  kept: string[];
  schedule: ScheduleState;
  rng: { dropout: number[]; linears: Record<string, number[]> };
}

export function captureRngState(model: BertModel): TrainerState['rng'] {
  const linears: Record<string, number[]> = {};
  for (const [name, l] of model.linears) linears[name] = l.getRngState();
  return { dropout: Array.from(model.dropoutRng.getState()), linears };
}

export function restoreRngState(model: BertModel, rng: TrainerState['rng']): void {
  model.dropoutRng.setState(Uint32Array.from(rng.dropout));
  for (const [name, l] of model.linears) {
    const s = rng.linears[name];
    if (!s) throw new OctetError('malformed-file', `checkpoint has no rounding state for layer ${name}`);
    l.setRngState(s);
  }
}

export function modelTensors(model: BertModel): Map<string, { data: Float32Array; shape: number[] }> {
  return new Map([...model.params].map(([name, p]) => [name, { data: p.data, shape: p.shape }]));
}

/** Tokenizer files to copy next to the weights, so every saved model folder is self-contained. */
export function tokenizerFiles(sourceModelDir: string, present: (name: string) => boolean): string[] {
  return ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']
    .filter(present)
    .map((f) => path.join(sourceModelDir, f));
}

export async function saveTrainingCheckpoint(
  dir: string,
  model: BertModel,
  optimizer: AdamW,
  state: TrainerState,
  extraFiles: string[],
): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    await saveBertCheckpoint(path.join(tmp, MODEL_SUBDIR), { config: model.config, tensors: modelTensors(model), extraFiles });
    const o = optimizer.saveState();
    const tensors: [string, { data: Float32Array; shape: number[] }][] = [];
    o.names.forEach((name, i) => {
      tensors.push([`exp_avg.${name}`, { data: o.expAvg[i], shape: [o.expAvg[i].length] }]);
      tensors.push([`exp_avg_sq.${name}`, { data: o.expAvgSq[i], shape: [o.expAvgSq[i].length] }]);
    });
    await writeSafetensors(path.join(tmp, OPTIMIZER_FILE), tensors, { step: String(o.step), names: JSON.stringify(o.names) });
    await writeJsonAtomic(path.join(tmp, STATE_FILE), state);
  });
}

export interface LoadedCheckpoint {
  modelDir: string;
  optimizer: AdamWState;
  state: TrainerState;
}

export async function loadTrainingCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const statePath = path.join(dir, STATE_FILE);
  let state: TrainerState;
  try {
    state = JSON.parse(await readFile(statePath, 'utf8')) as TrainerState;
  } catch (e) {
    throw new OctetError('malformed-file', `cannot read the trainer state: ${(e as Error).message}`, { file: statePath });
  }
  const optPath = path.join(dir, OPTIMIZER_FILE);
  const st = await readSafetensors(optPath);
  const names = JSON.parse(st.metadata.names ?? '[]') as string[];
  const optimizer: AdamWState = {
    step: Number(st.metadata.step),
    names,
    expAvg: names.map((n) => readFloat32(st, `exp_avg.${n}`)),
    expAvgSq: names.map((n) => readFloat32(st, `exp_avg_sq.${n}`)),
  };
  return { modelDir: path.join(dir, MODEL_SUBDIR), optimizer, state };
}
