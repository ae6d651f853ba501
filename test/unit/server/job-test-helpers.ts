// Helpers for the job tests: start the built server with its own machine-wide lock folder (so a
// test never waits on jobs of another test run on the same machine), and wait for job news.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunEvent } from '../../../engine/train/events';
import type { JobEventParams, JobStateParams, StartJobResult } from '../../../server/protocol';
import { createTinyProject, type TinyProject } from '../../helpers/tiny-project';
import { LspTestClient, type StartOptions } from './lsp-test-client';

export const JOB_TIMEOUT_MS = 120_000;

export function newSlotsDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'octet-slots-'));
}

export function startServer(slotsDir: string, options: StartOptions = {}): Promise<LspTestClient> {
  return LspTestClient.start({ ...options, env: { OCTET_JOB_SLOTS_DIR: slotsDir, ...options.env } });
}

/** A tiny project that trains for `epochs` epochs of 32 steps (about 20 ms a step). */
export function trainingProject(epochs = 3, extra: Record<string, unknown> = {}): Promise<TinyProject> {
  return createTinyProject(
    { train: { epochs, batchSize: 16, learningRate: 2e-3, maxSeqLength: 16, seed: 7, warmupRatio: 0.1, evalEvery: 'epoch', saveEvery: 8 }, ...extra },
    { trainRows: 512, evalRows: 64 },
  );
}

export function manifestUri(project: TinyProject): string {
  return pathToFileURL(project.manifestPath).href;
}

export function startJob(client: LspTestClient, uri: string, kind = 'train', options?: Record<string, unknown>): Promise<StartJobResult> {
  return client.connection.sendRequest('octet/startJob', { manifestUri: uri, kind, ...(options && { options }) });
}

export function states(client: LspTestClient, jobId: string): JobStateParams[] {
  return client.received<JobStateParams>('octet/jobState').filter((s) => s.jobId === jobId);
}

export function events(client: LspTestClient, jobId: string): RunEvent[] {
  return client.received<JobEventParams>('octet/jobEvent').filter((e) => e.jobId === jobId).map((e) => e.event);
}

const ENDED = new Set(['completed', 'cancelled', 'failed']);

/** Waits for the job's final state notification and returns it. */
export async function ended(client: LspTestClient, jobId: string, timeoutMs = JOB_TIMEOUT_MS): Promise<JobStateParams> {
  await client.waitFor(() => states(client, jobId).some((s) => ENDED.has(s.state)), `job ${jobId} to end`, timeoutMs);
  return states(client, jobId).find((s) => ENDED.has(s.state))!;
}
