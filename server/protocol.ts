// The messages Octet adds to the Language Server Protocol, in one place for both ends: the
// daemon (server/) and the VS Code client import this file. Standard LSP messages are not
// repeated here. Everything is plain JSON; no vscode imports, so any editor's client can be
// written against it.
//
// Types come from the top-level vscode-languageserver-protocol (the one vscode-languageclient
// uses). vscode-languageserver 10 carries its own nested copy of vscode-jsonrpc, whose
// ParameterStructures objects differ by identity from these, so ON THE SERVER send and handle
// these messages by their `method` string (connection.sendNotification(JobEvent.method, params))
// rather than by `type`; the client can use either.
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { RunEvent, RunState } from '../engine/train/events';

// ---- Initialization and commands ----

/**
 * `initializationOptions` of the `initialize` request. Every field is optional. The same
 * settings can come later through `workspace/didChangeConfiguration` under the `octet` section
 * (e.g. `{ "octet": { "schemaContributedByClient": true } }`).
 */
export interface OctetInitializationOptions {
  /**
   * The client already validates octet.json against the schema (VS Code's `jsonValidation`
   * contribution), so the server leaves plain JSON syntax and schema problems, and schema-based
   * hover and completion, to it and reports only Octet's own checks.
   */
  schemaContributedByClient?: boolean;
  /** Milliseconds after the last edit before the (slower) semantic checks run. Default 200. */
  semanticCheckDelayMs?: number;
  /** onnxruntime intra-op threads for each job (the CLI's `--threads`). Default: the manifest's, else the CLI's default. */
  threads?: number;
  /**
   * Jobs that may run at once on this machine, counted across every Octet daemon of the same
   * user (lock files in the temp folder). Default 1: a training job uses every core it is given.
   */
  maxConcurrentJobs?: number;
  /**
   * Report each job as LSP work-done progress (`window/workDoneProgress/create`, `$/progress`,
   * cancellable). Default true. The VS Code client turns it off: it draws its own notification
   * with Cancel and a status bar item from JobEvent notifications.
   */
  jobProgress?: boolean;
  /**
   * Profile each open manifest's model on a few calibration batches when it is opened or saved
   * (in a child process, cached by file contents) and report its outlier-heavy layers as
   * diagnostics with code 'outlier-heavy'. Default true.
   */
  profileOnSave?: boolean;
  /**
   * The outlier criterion when a manifest has no `profile.criteria`: a layer is outlier-heavy when
   * tiling its outliers gains more than `sqnrGapDb` dB of output SQNR. Default: the engine's (6).
   */
  outlierCriteria?: { sqnrGapDb?: number };
}

/**
 * Commands the server offers through code lenses and `workspace/executeCommand`. Each takes the
 * manifest's URI (a string) and, optionally, a StartJobOptions object; each starts a job
 * (fineTune: 'train', profile: 'profile', compare: 'compare') and answers its StartJobResult.
 */
export const OctetCommands = {
  fineTune: 'octet.fineTune',
  profile: 'octet.profile',
  compare: 'octet.compare',
} as const;

export type OctetCommand = (typeof OctetCommands)[keyof typeof OctetCommands];

// ---- Jobs ----

/** What a job does: fine-tune, compare precisions, or profile the layers' quantization error. */
export type JobKind = 'train' | 'compare' | 'profile';

/** Options of a job; unknown keys are ignored. */
export interface StartJobOptions {
  /** 'train': continue from the run folder's latest checkpoint (`octet train --resume`). */
  resume?: boolean;
}

export interface StartJobParams {
  /** URI of the octet.json to run (a file: URI; the file as saved on disk is what runs). */
  manifestUri: string;
  kind: JobKind;
  options?: StartJobOptions;
}

export interface StartJobResult {
  jobId: string;
  /** 'queued' when it waits for another job of the same manifest or for a free slot on the machine. */
  state: RunState;
  /** Where the job's log (the CLI's stderr) is written. */
  logPath: string;
  /** The manifest's run folder (`output`), when the manifest could be read. */
  runFolder?: string;
}

/**
 * Sent by the client: start a job for a manifest. Answers at once; the job runs in a child
 * process (`octet <kind> <manifest> --json`), its progress comes as JobEvent and JobState. Fails
 * for a manifest that is not a file on disk, and for a kind this version's CLI cannot run.
 */
export namespace StartJob {
  export const method = 'octet/startJob' as const;
  export const type = new RequestType<StartJobParams, StartJobResult, void>(method);
}

export interface CancelJobParams {
  jobId: string;
}

export interface CancelJobResult {
  /** False when the job had already ended (or was never known). */
  cancelled: boolean;
}

/** Sent by the client: stop a running or queued job. Its end is reported as a JobState. */
export namespace CancelJob {
  export const method = 'octet/cancelJob' as const;
  export const type = new RequestType<CancelJobParams, CancelJobResult, void>(method);
}

export interface JobInfo {
  jobId: string;
  manifestUri: string;
  kind: JobKind;
  state: RunState;
  /** Milliseconds since the Unix epoch. */
  startedAt?: number;
  finishedAt?: number;
  /** Where the job's log is written, for "open log". */
  logPath?: string;
  /** The manifest's run folder, when the manifest could be read. */
  runFolder?: string;
  /** Why it failed or was cancelled, once it has ended. */
  message?: string;
  /** Progress of a running job, from its latest events. */
  step?: number;
  totalSteps?: number;
}

/** A finished run found on disk (a run folder), possibly from before the daemon started. */
export interface PastRunInfo {
  /** Absolute path of the run folder. */
  runFolder: string;
  manifestUri?: string;
  kind?: JobKind;
  state?: RunState;
  startedAt?: number;
  /** Milliseconds since the Unix epoch, of the end event; absent when the run has none (interrupted, or running elsewhere). */
  finishedAt?: number;
  /** Final eval metrics (else the latest evaluation's), when known. */
  metrics?: Record<string, number>;
  /** Precision mode and task, from the run's start event. */
  mode?: string;
  task?: string;
  /** The last step recorded, and the run's planned total. */
  steps?: number;
  totalSteps?: number;
  /** The end event's message (why it failed or stopped). */
  message?: string;
  /** It holds a checkpoint and did not complete: `octet train --resume` (startJob resume) continues it. */
  resumable?: boolean;
}

export interface ListJobsResult {
  /** Jobs of this daemon: queued, running and recently ended. */
  jobs: JobInfo[];
  pastRuns: PastRunInfo[];
}

/**
 * Sent by the client: the daemon's jobs and the past runs it knows of: the run folders of the
 * manifests it has seen (opened, run, or found up to three folders deep in the workspace).
 */
export namespace ListJobs {
  export const method = 'octet/listJobs' as const;
  export const type = new RequestType0<ListJobsResult, void>(method);
}

export interface JobEventParams {
  jobId: string;
  manifestUri: string;
  /** The same events a run writes to metrics.jsonl. */
  event: RunEvent;
}

/** Sent by the server: one event of a running job (start, train step, eval, checkpoint, end). */
export namespace JobEvent {
  export const method = 'octet/jobEvent' as const;
  export const type = new NotificationType<JobEventParams>(method);
}

export interface JobStateParams {
  jobId: string;
  state: RunState;
  /** Why it failed or was cancelled, or other news for the user. */
  message?: string;
  logPath?: string;
  manifestUri?: string;
  kind?: JobKind;
  runFolder?: string;
  /**
   * With the final state: the job's result, the JSON object it printed that is not an event
   * (profile: engine/profile/types.ts ActivationProfile; compare: engine/compare/types.ts
   * CompareSummary). Train jobs have none: their events say everything.
   */
  result?: Record<string, unknown>;
}

/** Sent by the server: a job changed state (queued, running, completed, cancelled, failed). */
export namespace JobState {
  export const method = 'octet/jobState' as const;
  export const type = new NotificationType<JobStateParams>(method);
}

/** Statistics of one layer from `octet profile`; loosely typed until the profiler's output is fixed. */
export type ProfileLayerStats = Record<string, unknown>;

export interface ProfileResultParams {
  manifestUri: string;
  /** By layer name (e.g. `encoder.layer.3.output.dense`). */
  layers: Record<string, ProfileLayerStats>;
}

/** Sent by the server: a profile of a manifest's model finished; editors can annotate `layers`. */
export namespace ProfileResult {
  export const method = 'octet/profileResult' as const;
  export const type = new NotificationType<ProfileResultParams>(method);
}
