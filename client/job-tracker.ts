// The client's side of the job messages (server/protocol.ts): start, cancel and list requests,
// and the octet/jobEvent and octet/jobState notifications fed into a JobStore.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { readJsonLines } from '../engine/fs/json-lines';
import type { RunEvent } from '../engine/train/events';
import { CancelJob, JobEvent, type JobKind, JobState, ListJobs, type ListJobsResult, type StartJobOptions, type StartJobResult, StartJob } from '../server/protocol';
import { JobStore } from './job-store';

export class JobTracker implements vscode.Disposable {
  readonly store = new JobStore();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly client: LanguageClient,
    private readonly output: vscode.OutputChannel,
  ) {
    this.disposables.push(
      client.onNotification(JobState.type, (p) => {
        const job = this.store.applyState(p);
        this.output.appendLine(`[${new Date().toLocaleTimeString()}] ${job.kind} job ${p.jobId}: ${p.state}${p.message ? `: ${p.message}` : ''}${p.state === 'failed' && p.logPath ? ` (log: ${p.logPath})` : ''}`);
      }),
      client.onNotification(JobEvent.type, (p) => {
        const first = (this.store.get(p.jobId)?.events.length ?? 0) === 0;
        const job = this.store.applyEvent(p);
        // The folder's earlier events (a resumed run's first part): the file holds them by now.
        if (first && job.runFolder !== undefined) void readRunEvents(job.runFolder).then((events) => this.store.setDiskEvents(job.jobId, events));
      }),
    );
  }

  start(kind: JobKind, manifest: vscode.Uri, options: StartJobOptions = {}): Promise<StartJobResult> {
    return this.client.sendRequest(StartJob.type, { manifestUri: manifest.toString(), kind, options });
  }

  async cancel(jobId: string): Promise<boolean> {
    return (await this.client.sendRequest(CancelJob.type, { jobId })).cancelled;
  }

  list(): Promise<ListJobsResult> {
    return this.client.sendRequest(ListJobs.type);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** A run folder's metrics.jsonl; empty when there is none yet or it cannot be read. */
export async function readRunEvents(runFolder: string): Promise<RunEvent[]> {
  try {
    return await readJsonLines<RunEvent>(vscode.Uri.joinPath(vscode.Uri.file(runFolder), 'metrics.jsonl').fsPath);
  } catch {
    return [];
  }
}
