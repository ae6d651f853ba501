// Jobs over LSP: the octet/startJob, octet/cancelJob and octet/listJobs requests, octet/jobEvent
// and octet/jobState notifications (protocol.ts), work-done progress, and the run commands that
// code lenses execute. Messages go by method string: see the note at the top of protocol.ts.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Connection, type InitializeParams, LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import { manifestFilePath } from '../manifest-uri';
import {
  CancelJob,
  type CancelJobParams,
  type CancelJobResult,
  JobEvent,
  JobState,
  ListJobs,
  type ListJobsResult,
  type PastRunInfo,
  ProfileResult,
  type ProfileResultParams,
  StartJob,
  type StartJobParams,
  type StartJobResult,
} from '../protocol';
import { JobManager, JobRequestError } from './job-manager';
import { JobProgress } from './job-progress';
import { MachineSlots, defaultSlotsDir } from './machine-slots';
import { findManifests, readPastRun, runFolderOf } from './past-runs';

export interface JobsDeps {
  threads(): number | undefined;
  maxConcurrentJobs(): number;
  /** Whether to report jobs as work-done progress (the client draws its own otherwise). */
  progress(): boolean;
  /** URIs of the manifests open in the editor. */
  openManifests(): string[];
  log(message: string): void;
  /** The CLI bundle; default: cli.js next to this bundle (dist/server.js → dist/cli.js). */
  cliPath?: string;
}

export interface JobsService {
  /** Reads the workspace folders from `initialize` (past runs are looked for there). */
  initialize(params: InitializeParams): void;
  start(params: StartJobParams): Promise<StartJobResult>;
  /** Cancels every job and waits for them to checkpoint and stop (killed after `graceMs`). */
  dispose(graceMs: number): Promise<void>;
  /** The daemon is exiting without a shutdown: kill the job processes now. */
  killAll(): void;
}

/** How long a shutting-down daemon waits for its jobs to save a checkpoint and exit. */
export const SHUTDOWN_GRACE_MS = 4000;

export function registerJobs(connection: Connection, deps: JobsDeps): JobsService {
  let workspaceRoots: string[] = [];
  const manager: JobManager = new JobManager({
    cliPath: deps.cliPath ?? path.join(__dirname, 'cli.js'),
    slots: new MachineSlots(defaultSlotsDir(), deps.maxConcurrentJobs),
    threads: deps.threads,
    onEvent: (params) => {
      progress.event(params.jobId, params.event);
      void connection.sendNotification(JobEvent.method, params);
    },
    onState: (params, job) => {
      if (params.state === 'running' && deps.progress()) progress.begin(job.jobId, job.kind, path.basename(manifestFilePath(job.manifestUri) ?? job.manifestUri));
      if (params.state !== 'queued' && params.state !== 'running') progress.end(job.jobId);
      deps.log(`job ${params.jobId} (${params.kind}): ${params.state}${params.message !== undefined ? `: ${params.message}` : ''}`);
      void connection.sendNotification(JobState.method, params);
    },
    onResult: (job, result) => {
      // A profile's layers, by name, for editors that annotate the manifest's `layers`.
      if (job.kind !== 'profile' || !Array.isArray(result.layers)) return;
      const layers: ProfileResultParams['layers'] = {};
      for (const layer of result.layers as unknown[]) {
        const name = (layer as { name?: unknown } | null)?.name;
        if (typeof name === 'string') layers[name] = layer as Record<string, unknown>;
      }
      void connection.sendNotification(ProfileResult.method, { manifestUri: job.manifestUri, layers } satisfies ProfileResultParams);
    },
  });
  const progress = new JobProgress(connection, (jobId) => manager.cancel(jobId), deps.log);

  const start = async (params: StartJobParams): Promise<StartJobResult> => {
    if (typeof params !== 'object' || params === null) throw new ResponseError(LSPErrorCodes.RequestFailed, 'octet/startJob takes {manifestUri, kind, options?}');
    try {
      return await manager.start(params);
    } catch (e) {
      if (e instanceof JobRequestError) throw new ResponseError(LSPErrorCodes.RequestFailed, e.message);
      throw e;
    }
  };

  connection.onRequest(StartJob.method, (params: StartJobParams) => start(params));

  connection.onRequest(CancelJob.method, (params: CancelJobParams): CancelJobResult => ({
    cancelled: typeof params?.jobId === 'string' && manager.cancel(params.jobId),
  }));

  connection.onRequest(ListJobs.method, async (): Promise<ListJobsResult> => {
    const manifests = new Set<string>(manager.knownManifests());
    for (const uri of deps.openManifests()) {
      const file = manifestFilePath(uri);
      if (file !== undefined) manifests.add(file);
    }
    for (const file of await findManifests(workspaceRoots)) manifests.add(path.resolve(file));
    const pastRuns: PastRunInfo[] = [];
    const seen = new Set<string>();
    for (const manifest of manifests) {
      const runFolder = runFolderOf(manifest);
      if (runFolder === undefined || seen.has(runFolder)) continue;
      seen.add(runFolder);
      const run = await readPastRun(runFolder, manifest);
      if (run !== undefined) pastRuns.push(run);
    }
    pastRuns.sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0));
    return { jobs: manager.list(), pastRuns };
  });

  return {
    initialize(params) {
      const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
      workspaceRoots = uris.flatMap((uri) => {
        try {
          return uri.startsWith('file:') ? [fileURLToPath(uri)] : [];
        } catch {
          return [];
        }
      });
      if (workspaceRoots.length === 0 && typeof params.rootPath === 'string') workspaceRoots = [params.rootPath];
    },
    start,
    dispose: (graceMs) => manager.dispose(graceMs),
    killAll: () => manager.killAll(),
  };
}
