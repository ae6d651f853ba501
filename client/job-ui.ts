// How jobs show up while they run and when they end: a progress notification with Cancel for
// each running job, and a message when it finishes or fails, with "Open dashboard" / "Show log".
import { formatDuration } from '../engine/cli/progress';
import * as vscode from 'vscode';
import { isEnded, type JobStore, type TrackedJob } from './job-store';
import { headlineMetric, manifestLabel } from './status-text';

const TITLES = { train: 'Fine-tuning', profile: 'Profiling', compare: 'Comparing precisions for' } as const;

export interface JobUiActions {
  cancel(jobId: string): Promise<unknown>;
  openDashboard(): void;
}

export function showJobProgress(store: JobStore, actions: JobUiActions): vscode.Disposable {
  const shown = new Set<string>();
  return store.onChange(({ job, kind }) => {
    if (kind === 'state' && job.state === 'running' && !shown.has(job.jobId)) {
      shown.add(job.jobId);
      void progressNotification(store, job, actions);
    }
    if (kind === 'state' && isEnded(job)) void endNotification(job, actions);
  });
}

function progressNotification(store: JobStore, job: TrackedJob, actions: JobUiActions): Thenable<void> {
  const title = `Octet: ${TITLES[job.kind]} ${manifestLabel(job.manifestUri)}`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    token.onCancellationRequested(() => void actions.cancel(job.jobId));
    let reported = 0;
    return new Promise<void>((resolve) => {
      const update = (): void => {
        if (isEnded(job)) {
          subscription.dispose();
          resolve();
          return;
        }
        if (job.kind !== 'train' || job.step === undefined || job.totalSteps === undefined || job.totalSteps === 0) return;
        const percentage = Math.min(100, (100 * job.step) / job.totalSteps);
        const eta = job.etaMs !== undefined ? ` · ETA ${formatDuration(job.etaMs)}` : '';
        const loss = job.loss !== undefined ? ` · loss ${job.loss.toFixed(4)}` : '';
        progress.report({ increment: percentage - reported, message: `step ${job.step}/${job.totalSteps}${loss}${eta}` });
        reported = percentage;
      };
      const subscription = store.onChange((change) => {
        if (change.job.jobId === job.jobId) update();
      });
      update();
    });
  });
}

async function endNotification(job: TrackedJob, actions: JobUiActions): Promise<void> {
  const what = `${TITLES[job.kind]} ${manifestLabel(job.manifestUri)}`;
  const metric = headlineMetric(job.metrics);
  const buttons = ['Open dashboard', ...(job.logPath !== undefined ? ['Show log'] : [])];
  let choice: string | undefined;
  if (job.state === 'completed') {
    choice = await vscode.window.showInformationMessage(`Octet: ${what} finished${metric ? `: ${metric[0]} ${metric[1].toFixed(4)}` : ''}.`, ...buttons);
  } else if (job.state === 'cancelled') {
    choice = await vscode.window.showInformationMessage(`Octet: ${what} stopped${job.message ? `: ${job.message}` : ''}.`, ...buttons);
  } else {
    choice = await vscode.window.showErrorMessage(`Octet: ${what} failed${job.message ? `: ${job.message}` : ''}`, ...buttons.reverse());
  }
  if (choice === 'Open dashboard') actions.openDashboard();
  if (choice === 'Show log' && job.logPath !== undefined) await showLog(job.logPath);
}

export async function showLog(logPath: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(logPath));
  await vscode.window.showTextDocument(document, { preview: true });
}
