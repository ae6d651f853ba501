// What the client knows of the daemon's jobs: their latest state and every event they streamed
// (octet/jobEvent, octet/jobState). No vscode imports: the extension feeds it notifications, the
// status bar, notifications and dashboard read it, and unit tests drive it directly.
import type { RunEvent } from '../engine/train/events';
import type { JobEventParams, JobKind, JobStateParams } from '../server/protocol';

export type { RunEvent };

export interface TrackedJob {
  jobId: string;
  kind: JobKind;
  manifestUri: string;
  state: JobStateParams['state'];
  runFolder?: string;
  logPath?: string;
  message?: string;
  result?: Record<string, unknown>;
  /** Events streamed by this job, in order. */
  events: RunEvent[];
  /** The run folder's events on disk when the job's first event came (earlier parts of a resumed run). */
  diskEvents?: RunEvent[];
  /** Latest figures, for the status bar. */
  step?: number;
  totalSteps?: number;
  epoch?: number;
  etaMs?: number;
  loss?: number;
  /** Final (else latest) eval metrics. */
  metrics?: Record<string, number>;
  /** Order of arrival, to find the newest job. */
  seq: number;
}

export type JobChange = { job: TrackedJob; kind: 'state' | 'event'; events?: RunEvent[] };

const ENDED = new Set(['completed', 'cancelled', 'failed']);

export function isEnded(job: Pick<TrackedJob, 'state'>): boolean {
  return ENDED.has(job.state);
}

export class JobStore {
  private readonly jobs = new Map<string, TrackedJob>();
  private readonly listeners = new Set<(change: JobChange) => void>();
  private seq = 0;

  onChange(listener: (change: JobChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  get(jobId: string): TrackedJob | undefined {
    return this.jobs.get(jobId);
  }

  all(): TrackedJob[] {
    return [...this.jobs.values()].sort((a, b) => a.seq - b.seq);
  }

  active(): TrackedJob[] {
    return this.all().filter((j) => !isEnded(j));
  }

  /** The newest running job, else the newest queued one, else the newest job. */
  current(): TrackedJob | undefined {
    const all = this.all().reverse();
    return all.find((j) => j.state === 'running') ?? all.find((j) => j.state === 'queued') ?? all[0];
  }

  applyState(p: JobStateParams): TrackedJob {
    const job = this.ensure(p.jobId, p);
    job.state = p.state;
    if (p.runFolder !== undefined) job.runFolder = p.runFolder;
    if (p.logPath !== undefined) job.logPath = p.logPath;
    if (p.message !== undefined) job.message = p.message;
    if (p.result !== undefined) job.result = p.result;
    this.emit({ job, kind: 'state' });
    return job;
  }

  applyEvent(p: JobEventParams): TrackedJob {
    const job = this.ensure(p.jobId, { manifestUri: p.manifestUri });
    const e = p.event;
    job.events.push(e);
    if (typeof e.step === 'number') job.step = e.step;
    if (typeof e.epoch === 'number') job.epoch = e.epoch;
    if (e.type === 'start') job.totalSteps = e.totalSteps;
    if (e.type === 'train') {
      job.etaMs = e.etaMs;
      job.loss = e.loss;
    }
    if (e.type === 'eval') job.metrics = e.metrics;
    if (e.type === 'end' && e.metrics !== undefined) job.metrics = e.metrics;
    this.emit({ job, kind: 'event', events: [e] });
    return job;
  }

  setDiskEvents(jobId: string, events: RunEvent[]): void {
    const job = this.jobs.get(jobId);
    if (job !== undefined) job.diskEvents = events;
  }

  private ensure(jobId: string, p: { manifestUri?: string; kind?: JobKind }): TrackedJob {
    let job = this.jobs.get(jobId);
    if (job === undefined) {
      job = { jobId, kind: p.kind ?? 'train', manifestUri: p.manifestUri ?? '', state: 'queued', events: [], seq: ++this.seq };
      this.jobs.set(jobId, job);
    }
    if (p.kind !== undefined) job.kind = p.kind;
    if (p.manifestUri !== undefined && p.manifestUri !== '') job.manifestUri = p.manifestUri;
    return job;
  }

  private emit(change: JobChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }
}
