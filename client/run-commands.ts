// The palette commands that start and stop jobs: "Fine-tune with int8 outliers", "Profile
// activations", "Compare precisions", "Cancel fine-tuning". A fine-tune over a run folder that
// already holds a run offers to resume it or to start over (the old run is moved aside, never
// deleted). Nothing runs in an untrusted workspace.
import * as vscode from 'vscode';
import type { JobKind, PastRunInfo, StartJobOptions } from '../server/protocol';
import { isEnded } from './job-store';
import type { JobTracker } from './job-tracker';
import { pickManifest, saveIfDirty } from './manifest-picker';
import { manifestLabel } from './status-text';

const PLACEHOLDERS: Readonly<Record<JobKind, string>> = {
  train: 'Which manifest to fine-tune?',
  profile: 'Which manifest\'s model to profile?',
  compare: 'Which manifest to compare fp32 / int8 / int8 + outliers on?',
};

export class RunCommands {
  constructor(
    private readonly jobs: JobTracker,
    private readonly output: vscode.OutputChannel,
  ) {}

  /** Starts a job of `kind` for the given manifest (or the picked one); the job id, or undefined when nothing started. */
  async run(kind: JobKind, given?: unknown): Promise<string | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Octet does not run fine-tuning, profiling or comparisons in an untrusted workspace: they load its model and data files. Trust the workspace to run them.');
      return undefined;
    }
    const manifest = await pickManifest(given, PLACEHOLDERS[kind]);
    if (manifest === undefined) return undefined;
    if (!(await saveIfDirty(manifest))) return undefined;
    let options: StartJobOptions = {};
    if (kind === 'train') {
      const choice = await this.existingRunChoice(manifest);
      if (choice === undefined) return undefined;
      options = choice;
    }
    try {
      const started = await this.jobs.start(kind, manifest, options);
      this.output.appendLine(`started ${kind} job ${started.jobId} for ${manifest.fsPath}${options.resume ? ' (resume)' : ''}; log: ${started.logPath}`);
      if (started.state === 'queued') void vscode.window.showInformationMessage(`Octet: ${manifestLabel(manifest.toString())} is queued behind another job.`);
      return started.jobId;
    } catch (e) {
      void vscode.window.showErrorMessage(`Octet: ${(e as Error).message}`);
      return undefined;
    }
  }

  async cancel(given?: unknown): Promise<void> {
    const active = this.jobs.store.active();
    const byId = typeof given === 'string' ? active.find((j) => j.jobId === given) : undefined;
    let job = byId ?? (active.length === 1 ? active[0] : undefined);
    if (job === undefined && active.length > 1) {
      const pick = await vscode.window.showQuickPick(
        active.map((j) => ({ label: `${j.kind} ${manifestLabel(j.manifestUri)}`, description: j.state === 'running' && j.step !== undefined ? `step ${j.step}/${j.totalSteps ?? '?'}` : j.state, job: j })),
        { placeHolder: 'Which job to cancel?' },
      );
      job = pick?.job;
    }
    if (job === undefined) {
      if (active.length === 0) void vscode.window.showInformationMessage('Octet: no job is running.');
      return;
    }
    if (!isEnded(job)) await this.jobs.cancel(job.jobId);
  }

  /** {} for a fresh run, {resume: true}, or undefined when the user backed out. */
  private async existingRunChoice(manifest: vscode.Uri): Promise<StartJobOptions | undefined> {
    let past: PastRunInfo | undefined;
    try {
      past = (await this.jobs.list()).pastRuns.find((r) => r.manifestUri !== undefined && vscode.Uri.parse(r.manifestUri).fsPath === manifest.fsPath);
    } catch {
      return {};
    }
    if (past === undefined) return {};
    const resume = `Resume from step ${past.steps ?? '?'}`;
    const fresh = 'Start over';
    const buttons = past.resumable ? [resume, fresh] : [fresh];
    const when = past.state === 'completed' ? 'a finished run' : past.resumable ? 'an unfinished run' : 'a run';
    const choice = await vscode.window.showWarningMessage(
      `Octet: ${vscode.workspace.asRelativePath(past.runFolder)} already holds ${when}. Start over moves it aside to a dated folder.`,
      { modal: true },
      ...buttons,
    );
    if (choice === resume) return { resume: true };
    if (choice !== fresh) return undefined;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
    const aside = vscode.Uri.file(`${past.runFolder}.${stamp}`);
    await vscode.workspace.fs.rename(vscode.Uri.file(past.runFolder), aside, { overwrite: false });
    this.output.appendLine(`moved the previous run ${past.runFolder} to ${aside.fsPath}`);
    return {};
  }
}
