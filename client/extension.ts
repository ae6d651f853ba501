// The Octet extension: starts the language server (the daemon: diagnostics, jobs), and adds the
// commands, progress, status bar, notifications and the training dashboard around its jobs.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { readPastRun } from '../server/jobs/past-runs';
import { OctetCommands, type JobKind, type PastRunInfo } from '../server/protocol';
import { ClientCommands } from './command-ids';
import type { DashboardState } from './dashboard-feed';
import { DashboardPanel, DASHBOARD_VIEW_TYPE, type DashboardSource } from './dashboard-panel';
import { isEnded, type JobStore } from './job-store';
import { JobTracker, readRunEvents } from './job-tracker';
import { showJobProgress, showLog } from './job-ui';
import { createLanguageClient } from './language-client';
import { newManifest } from './new-manifest';
import { comparisonRows, isActivationProfile, isCompareSummary, layerProfiles } from './result-views';
import { RunCommands } from './run-commands';
import { createJobStatusBar } from './status-bar';

const KIND_OF_SERVER_COMMAND: Readonly<Record<string, JobKind>> = {
  [OctetCommands.fineTune]: 'train',
  [OctetCommands.profile]: 'profile',
  [OctetCommands.compare]: 'compare',
};

/** What the extension exports: for its end-to-end tests, and for other extensions. */
export interface OctetApi {
  client: LanguageClient;
  jobs: JobStore;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<OctetApi> {
  const output = vscode.window.createOutputChannel('Octet', { log: true });
  let commands: RunCommands | undefined;
  client = createLanguageClient(context, output, async (command, args) => commands?.run(KIND_OF_SERVER_COMMAND[command], args[0]));
  const tracker = new JobTracker(client, output);
  commands = new RunCommands(tracker, output);
  const runCommands = commands;

  const source: DashboardSource = {
    store: tracker.store,
    pastRuns: async () => [...(await tracker.list().then((r) => r.pastRuns, () => [] as PastRunInfo[])), ...(await comparisonPastRuns(tracker.store))],
    readEvents: readRunEvents,
    extras: () => latestResults(tracker.store),
    cancelRun: (runFolder) => {
      for (const job of tracker.store.active()) if (job.runFolder === runFolder) void tracker.cancel(job.jobId);
    },
  };
  const openDashboard = (): void => void DashboardPanel.show(context, source);

  const setJobContext = (): void => void vscode.commands.executeCommand('setContext', 'octet.jobActive', tracker.store.active().length > 0);
  context.subscriptions.push(
    output,
    tracker,
    tracker.store.onChange(({ kind }) => kind === 'state' && setJobContext()),
    vscode.commands.registerCommand(ClientCommands.fineTune, (uri?: unknown) => runCommands.run('train', uri)),
    vscode.commands.registerCommand(ClientCommands.profile, (uri?: unknown) => runCommands.run('profile', uri)),
    vscode.commands.registerCommand(ClientCommands.compare, (uri?: unknown) => runCommands.run('compare', uri)),
    vscode.commands.registerCommand(ClientCommands.cancel, (jobId?: unknown) => runCommands.cancel(jobId)),
    vscode.commands.registerCommand(ClientCommands.openDashboard, openDashboard),
    vscode.commands.registerCommand(ClientCommands.newManifest, newManifest),
    vscode.commands.registerCommand(ClientCommands.showLog, async () => {
      const logPath = tracker.store.current()?.logPath;
      if (logPath === undefined) void vscode.window.showInformationMessage('Octet: no job has run in this window yet.');
      else await showLog(logPath);
    }),
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => void DashboardPanel.revive(panel, context, source),
    }),
    showJobProgress(tracker.store, { cancel: (jobId) => tracker.cancel(jobId), openDashboard }),
    createJobStatusBar(tracker.store, ClientCommands.openDashboard),
    // Trusted now: the server reads the settings again and profiles the open manifests.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void client?.sendNotification('workspace/didChangeConfiguration', { settings: null })),
  );
  setJobContext();
  await client.start();
  return { client, jobs: tracker.store };
}

export async function deactivate(): Promise<void> {
  // The server saves a checkpoint of running jobs on shutdown: give it the time to.
  await client?.stop(8000);
  client = undefined;
}

/** The run folders of the latest comparison: they are not any manifest's `output`. */
async function comparisonPastRuns(store: JobStore): Promise<PastRunInfo[]> {
  const summary = [...store.all()].reverse().find((j) => j.kind === 'compare' && isEnded(j) && isCompareSummary(j.result))?.result;
  if (!isCompareSummary(summary)) return [];
  const runs: PastRunInfo[] = [];
  for (const run of summary.runs) {
    const info = await readPastRun(run.runDir);
    if (info !== undefined) runs.push(info);
  }
  return runs;
}

function latestResults(store: JobStore): Pick<DashboardState, 'profile' | 'comparison'> {
  const ended = [...store.all()].reverse().filter(isEnded);
  const profile = ended.find((j) => j.kind === 'profile' && isActivationProfile(j.result))?.result;
  const comparison = ended.find((j) => j.kind === 'compare' && isCompareSummary(j.result))?.result;
  return {
    ...(isActivationProfile(profile) && { profile: layerProfiles(profile) }),
    ...(isCompareSummary(comparison) && { comparison: comparisonRows(comparison) }),
  };
}
