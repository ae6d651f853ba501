// The daemon's jobs: started on request, queued (job-scheduler.ts, machine-slots.ts), run as
// child processes of the CLI (job-process.ts), their events and state changes passed on as they
// happen, cancelled on request. Transport-free: register-jobs.ts connects it to LSP.
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunEndEvent, RunEvent, RunState } from '../../engine/train/events';
import { isManifestUri, manifestFilePath } from '../manifest-uri';
import type { JobEventParams, JobInfo, JobKind, JobStateParams, StartJobOptions, StartJobParams, StartJobResult } from '../protocol';
import { CliCommandList, cliArguments, cliCommandOf } from './cli-commands';
import { jobOutcome } from './job-outcome';
import { JobProcess } from './job-process';
import { JobScheduler } from './job-scheduler';
import type { Slots } from './machine-slots';
import { runFolderOf } from './past-runs';

export const JOB_KINDS: readonly JobKind[] = ['train', 'compare', 'profile'];

/** A job request the daemon refuses (bad manifest URI, unknown kind, kind the CLI lacks). */
export class JobRequestError extends Error {}

export interface JobManagerOptions {
  /** dist/cli.js: the CLI bundle next to the server bundle. */
  cliPath: string;
  slots: Slots;
  /** The CLI's --threads for new jobs; undefined: the manifest's or the CLI's default. */
  threads(): number | undefined;
  onEvent(params: JobEventParams): void;
  onState(params: JobStateParams, job: JobInfo): void;
  /** A JSON object the job printed that is not an event: its result (a profile, a comparison). */
  onResult?(job: JobInfo, result: Record<string, unknown>): void;
  /** Milliseconds from SIGINT to SIGKILL on cancel. Default 10 s: a checkpoint of a big model takes a while. */
  killGraceMs?: number;
  /** Where logs go when the manifest cannot be read (no run folder). Default: <tmp>/octet-jobs. */
  fallbackLogDir?: string;
  /** Ended jobs kept in the list. Default 50. */
  keepEnded?: number;
}

interface Job {
  readonly key: string;
  readonly info: JobInfo & { logPath: string };
  readonly manifestPath: string;
  readonly options: StartJobOptions;
  process?: JobProcess;
  cancelRequested: boolean;
  end?: RunEndEvent;
  result?: Record<string, unknown>;
  ended?: Promise<void>;
}

const ENDED: ReadonlySet<RunState> = new Set(['completed', 'cancelled', 'failed']);

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly scheduler: JobScheduler<Job>;
  private readonly cliCommands: CliCommandList;
  private readonly manifests = new Set<string>();
  private counter = 0;

  constructor(private readonly options: JobManagerOptions) {
    this.cliCommands = new CliCommandList(options.cliPath);
    this.scheduler = new JobScheduler<Job>(options.slots, (job) => this.run(job), (job, error) => this.failToStart(job, error));
  }

  /** Queues a job; it starts at once when nothing else holds its manifest or the machine's slots. */
  async start(params: StartJobParams): Promise<StartJobResult> {
    const kind = params.kind;
    if (!JOB_KINDS.includes(kind)) throw new JobRequestError(`unknown job kind ${JSON.stringify(kind)} (expected ${JOB_KINDS.join(', ')})`);
    const manifestPath = typeof params.manifestUri === 'string' ? manifestFilePath(params.manifestUri) : undefined;
    if (manifestPath === undefined || !isManifestUri(params.manifestUri)) {
      throw new JobRequestError(`jobs run manifests saved on disk (file:…/octet.json); got ${JSON.stringify(params.manifestUri)}`);
    }
    if (!existsSync(manifestPath)) throw new JobRequestError(`there is no manifest at ${manifestPath} (save it first)`);
    const command = cliCommandOf(kind);
    if (!(await this.cliCommands.has(command))) {
      throw new JobRequestError(`this version of Octet cannot run ${kind} jobs: its CLI has no "${command}" command yet`);
    }
    this.manifests.add(manifestPath);
    const jobId = `${kind}-${Date.now().toString(36)}-${++this.counter}`;
    const runFolder = runFolderOf(manifestPath);
    const logDir = runFolder !== undefined ? path.join(runFolder, 'logs') : (this.options.fallbackLogDir ?? path.join(os.tmpdir(), 'octet-jobs'));
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const job: Job = {
      key: manifestPath,
      manifestPath,
      options: { ...(params.options?.resume === true && { resume: true }) },
      cancelRequested: false,
      info: {
        jobId,
        manifestUri: params.manifestUri,
        kind,
        state: 'queued',
        logPath: path.join(logDir, `${kind}-${stamp}-${this.counter}.log`),
        ...(runFolder !== undefined && { runFolder }),
      },
    };
    this.jobs.set(jobId, job);
    this.forgetOldJobs();
    this.setState(job, 'queued');
    this.scheduler.enqueue(job);
    return { jobId, state: job.info.state, logPath: job.info.logPath, ...(runFolder !== undefined && { runFolder }) };
  }

  /** Stops a job: a queued one is dropped, a running one gets SIGINT (and SIGKILL after the grace period). */
  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (job === undefined || ENDED.has(job.info.state)) return false;
    job.cancelRequested = true;
    if (this.scheduler.remove(job)) {
      job.info.finishedAt = Date.now();
      job.info.message = 'cancelled before it started';
      this.setState(job, 'cancelled');
    } else {
      job.process?.interrupt();
    }
    return true;
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => ({ ...j.info }));
  }

  get(jobId: string): JobInfo | undefined {
    const job = this.jobs.get(jobId);
    return job === undefined ? undefined : { ...job.info };
  }

  /** Manifests this daemon has run jobs for. */
  knownManifests(): string[] {
    return [...this.manifests];
  }

  /** Cancels every job and waits for them to stop, killing what is still there after `graceMs`. */
  async dispose(graceMs: number): Promise<void> {
    this.scheduler.dispose();
    const running = [...this.jobs.values()].filter((j) => !ENDED.has(j.info.state));
    for (const job of running) this.cancel(job.info.jobId);
    const exits = running.map((j) => j.ended).filter((p): p is Promise<void> => p !== undefined);
    if (exits.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    if ((await Promise.race([Promise.all(exits), timeout])) === 'timeout') for (const job of running) job.process?.kill();
    clearTimeout(timer);
  }

  /** Kills every job process at once (the daemon is exiting without a shutdown). */
  killAll(): void {
    for (const job of this.jobs.values()) job.process?.kill();
  }

  private run(job: Job): Promise<void> {
    if (job.cancelRequested) return Promise.resolve();
    const proc = new JobProcess({
      cliPath: this.options.cliPath,
      args: cliArguments(job.info.kind, job.manifestPath, { ...job.options, threads: this.options.threads() }),
      cwd: path.dirname(job.manifestPath),
      logPath: job.info.logPath,
      onOutput: (value) => this.onOutput(job, value),
      killGraceMs: this.options.killGraceMs ?? 10_000,
    });
    job.process = proc;
    job.info.startedAt = Date.now();
    this.setState(job, 'running');
    job.ended = proc.exited.then((exit) => {
      const outcome = jobOutcome({ exit, end: job.end, cancelRequested: job.cancelRequested, lastErrorLine: proc.lastErrorLine, step: job.info.step });
      job.info.finishedAt = Date.now();
      if (outcome.message !== undefined) job.info.message = outcome.message;
      this.setState(job, outcome.state);
    });
    return job.ended;
  }

  private failToStart(job: Job, error: unknown): void {
    if (ENDED.has(job.info.state)) return;
    job.info.finishedAt = Date.now();
    job.info.message = `the job could not start: ${error instanceof Error ? error.message : String(error)}`;
    this.setState(job, 'failed');
  }

  private onOutput(job: Job, value: Record<string, unknown>): void {
    if (typeof value.type !== 'string') {
      // `octet profile --json` and `octet compare --json` print one result object at the end.
      job.result = value;
      this.options.onResult?.({ ...job.info }, value);
      return;
    }
    const event = value as unknown as RunEvent;
    if (event.type === 'start' && typeof event.totalSteps === 'number') job.info.totalSteps = event.totalSteps;
    if (typeof event.step === 'number') job.info.step = event.step;
    if (event.type === 'end') job.end = event;
    this.options.onEvent({ jobId: job.info.jobId, manifestUri: job.info.manifestUri, event });
  }

  private setState(job: Job, state: RunState): void {
    job.info.state = state;
    const { jobId, message, logPath, manifestUri, kind, runFolder } = job.info;
    const withResult = ENDED.has(state) && job.result !== undefined;
    this.options.onState(
      {
        jobId, state, logPath, manifestUri, kind,
        ...(message !== undefined && { message }),
        ...(runFolder !== undefined && { runFolder }),
        ...(withResult && { result: job.result }),
      },
      { ...job.info },
    );
  }

  private forgetOldJobs(): void {
    const keep = this.options.keepEnded ?? 50;
    const ended = [...this.jobs.values()].filter((j) => ENDED.has(j.info.state));
    for (const job of ended.slice(0, Math.max(0, ended.length - keep))) this.jobs.delete(job.info.jobId);
  }
}
