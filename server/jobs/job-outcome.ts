// How a job ended, from the child's exit and the last 'end' event it printed. The CLI exits 0
// when done, 130 after a Ctrl-C (SIGINT) that saved a checkpoint, 2 for a user error (bad
// manifest, missing file) and 1 for a bug; a native crash or the OOM killer ends it by signal.
import type { RunEndEvent } from '../../engine/train/events';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type EndedState = 'completed' | 'cancelled' | 'failed';

export interface JobOutcome {
  state: EndedState;
  message?: string;
}

export const CANCEL_EXIT_CODE = 130;

export interface OutcomeFacts {
  exit: ChildExit;
  /** The 'end' event the job printed, if any. */
  end?: RunEndEvent;
  /** Whether the user asked to cancel (a kill after the grace period is then not a crash). */
  cancelRequested: boolean;
  /** The last line the job wrote to stderr: usually the error. */
  lastErrorLine?: string;
  /** The last step reported, for the message. */
  step?: number;
}

export function jobOutcome(f: OutcomeFacts): JobOutcome {
  const { code, signal } = f.exit;
  const why = f.lastErrorLine !== undefined && f.lastErrorLine !== '' ? `: ${f.lastErrorLine}` : '';
  if (f.end?.state === 'failed') return { state: 'failed', message: f.end.message ?? `failed at step ${f.end.step}${why}` };
  if (code === 0) {
    if (f.end?.state === 'cancelled') return { state: 'cancelled', message: f.end.message ?? `stopped at step ${f.end.step}` };
    return { state: 'completed', ...(f.end?.message !== undefined && { message: f.end.message }) };
  }
  if (code === CANCEL_EXIT_CODE && (f.cancelRequested || f.end?.state === 'cancelled')) {
    const at = f.end?.step ?? f.step;
    return { state: 'cancelled', message: `cancelled${at !== undefined ? ` at step ${at}` : ''}; a checkpoint was saved, resume continues from it` };
  }
  if (signal !== null && f.cancelRequested) {
    return { state: 'cancelled', message: `stopped with ${signal} after it did not exit in time; resume continues from the latest checkpoint, if any` };
  }
  if (signal !== null) return { state: 'failed', message: `the job process was killed by ${signal}${why}` };
  return { state: 'failed', message: `the job process exited with code ${code ?? 'unknown'}${why}` };
}
