// Linear warmup then linear decay to 0: HF's get_linear_schedule_with_warmup (a LambdaLR), the
// default schedule for BERT fine-tuning.
//
//   factor(s) = s / max(1, warmup)                                   for s < warmup
//             = max(0, (total - s) / max(1, total - warmup))         otherwise
//   lr(s)     = baseLr * factor(s)
//
// where s counts the scheduler steps already taken. As in PyTorch/HF, the optimizer step uses the
// lr of the current s and the scheduler is stepped after it, so with warmup > 0 the very first
// optimizer step runs at lr 0. A warmup ratio is turned into steps the way HF's TrainingArguments
// does: ceil(total * ratio).

import { OctetError } from '../errors';

export interface LinearScheduleOptions {
  baseLr: number;
  /** Total optimizer steps of the run (HF num_training_steps). */
  totalSteps: number;
  /** Warmup length in steps. Give at most one of warmupSteps / warmupRatio (neither = no warmup). */
  warmupSteps?: number;
  /** Warmup length as a fraction of totalSteps, in [0, 1]. */
  warmupRatio?: number;
}

export interface ScheduleState {
  /** Scheduler steps taken. */
  step: number;
}

/** Warmup steps from a step count or a ratio (ceil(total * ratio), as HF). */
export function resolveWarmupSteps(totalSteps: number, warmupSteps?: number, warmupRatio?: number): number {
  if (warmupSteps !== undefined && warmupRatio !== undefined) {
    throw new OctetError('invalid-argument', 'schedule: give warmupSteps or warmupRatio, not both');
  }
  if (warmupSteps !== undefined) {
    if (!Number.isInteger(warmupSteps) || warmupSteps < 0) {
      throw new OctetError('invalid-argument', `schedule: warmupSteps must be a non-negative integer, got ${warmupSteps}`);
    }
    return warmupSteps;
  }
  if (warmupRatio !== undefined) {
    if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
      throw new OctetError('invalid-argument', `schedule: warmupRatio must be in [0, 1], got ${warmupRatio}`);
    }
    return Math.ceil(totalSteps * warmupRatio);
  }
  return 0;
}

/** The LambdaLR multiplier at scheduler step `step`. */
export function linearWarmupDecayFactor(step: number, warmupSteps: number, totalSteps: number): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

export class LinearWarmupDecaySchedule {
  readonly baseLr: number;
  readonly totalSteps: number;
  readonly warmupSteps: number;
  private s = 0;

  constructor(opts: LinearScheduleOptions) {
    if (!(opts.baseLr >= 0 && Number.isFinite(opts.baseLr))) {
      throw new OctetError('invalid-argument', `schedule: baseLr must be finite and >= 0, got ${opts.baseLr}`);
    }
    if (!Number.isInteger(opts.totalSteps) || opts.totalSteps <= 0) {
      throw new OctetError('invalid-argument', `schedule: totalSteps must be a positive integer, got ${opts.totalSteps}`);
    }
    this.baseLr = opts.baseLr;
    this.totalSteps = opts.totalSteps;
    this.warmupSteps = resolveWarmupSteps(opts.totalSteps, opts.warmupSteps, opts.warmupRatio);
  }

  /** Scheduler steps taken so far. */
  get stepCount(): number {
    return this.s;
  }

  /** Learning rate for the next optimizer step. */
  lr(): number {
    return this.baseLr * linearWarmupDecayFactor(this.s, this.warmupSteps, this.totalSteps);
  }

  /** Advance after an optimizer step (torch's scheduler.step()). */
  step(): void {
    this.s += 1;
  }

  saveState(): ScheduleState {
    return { step: this.s };
  }

  loadState(state: ScheduleState): void {
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new OctetError('invalid-argument', `schedule state: step must be a non-negative integer, got ${state.step}`);
    }
    this.s = state.step;
  }
}
