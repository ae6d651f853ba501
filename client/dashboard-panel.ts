// The training dashboard's panel: hosts the webview (webview/html.ts, dist/webview.js) and owns
// the history. Flow (webview/protocol.ts): the webview posts 'ready' whenever its document loads
// (first show, shown again after being discarded, window reload); the host answers with the whole
// history (reset, each run's events, profile, comparison), then sends new events in batches.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { dashboardHtml, newNonce } from '../webview/html';
import { isWebviewToHostMessage, type HostToWebviewMessage } from '../webview/protocol';
import { dashboardRuns, replayMessages, type DashboardState } from './dashboard-feed';
import { isEnded, type JobStore, type RunEvent } from './job-store';
import type { PastRunInfo } from '../server/protocol';

export const DASHBOARD_VIEW_TYPE = 'octet.dashboard';
const BATCH_MS = 200;

export interface DashboardSource {
  store: JobStore;
  /** Runs on disk (octet/listJobs pastRuns, plus runs a comparison wrote). */
  pastRuns(): Promise<PastRunInfo[]>;
  readEvents(runFolder: string): Promise<RunEvent[]>;
  /** The latest profile and comparison, when there are any. */
  extras(): Pick<DashboardState, 'profile' | 'comparison'>;
  cancelRun(runFolder: string): void;
}

export class DashboardPanel implements vscode.Disposable {
  private static current: DashboardPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Live job events already sent, by job; runs the webview knows of. */
  private readonly sent = new Map<string, number>();
  private knownRuns = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private replaying: Promise<void> | undefined;
  private replayAgain = false;

  static show(context: vscode.ExtensionContext, source: DashboardSource): DashboardPanel {
    if (DashboardPanel.current !== undefined) {
      DashboardPanel.current.panel.reveal(undefined, true);
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Octet training', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, DashboardPanel.options(context));
    try {
      return new DashboardPanel(panel, context, source);
    } catch (e) {
      panel.dispose();
      throw new Error(`cannot open the training dashboard: ${(e as Error).message}`);
    }
  }

  /** Brings back a panel VS Code kept across a window reload (WebviewPanelSerializer). */
  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, source: DashboardSource): DashboardPanel {
    DashboardPanel.current?.dispose();
    panel.webview.options = DashboardPanel.options(context);
    return new DashboardPanel(panel, context, source);
  }

  private static options(context: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist')] };
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly source: DashboardSource,
  ) {
    DashboardPanel.current = this;
    const webview = panel.webview;
    const nonce = newNonce();
    webview.html = dashboardHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview.js')).toString(),
      cspSource: webview.cspSource,
      nonce,
    });
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      source.store.onChange(({ job, kind }) => {
        if (job.kind !== 'train' && !(kind === 'state' && isEnded(job))) return;
        // A new run or a changed state redraws from the history; steps go in batches.
        // (A job's first event too: a fresh run replaces what its folder held before.)
        if (kind === 'state' || job.events.length === 1 || job.runFolder === undefined || !this.knownRuns.has(job.runFolder)) this.replay();
        else this.flushTimer ??= setTimeout(() => this.flush(), BATCH_MS);
      }),
      vscode.window.onDidChangeActiveColorTheme(() => void this.post({ type: 'theme' })),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  dispose(): void {
    if (DashboardPanel.current === this) DashboardPanel.current = undefined;
    clearTimeout(this.flushTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private receive(message: unknown): void {
    if (!isWebviewToHostMessage(message)) return;
    if (message.type === 'ready') this.replay();
    else if (message.type === 'cancel') this.source.cancelRun(message.runId);
    // 'openRun': every run's events were sent with the history already.
  }

  /** Sends the whole history again; calls during a replay fold into one more. */
  private replay(): void {
    if (this.replaying !== undefined) {
      this.replayAgain = true;
      return;
    }
    this.replaying = this.doReplay()
      .catch((e: unknown) => console.error(`octet dashboard: ${(e as Error).message}`))
      .finally(() => {
        this.replaying = undefined;
        if (this.replayAgain) {
          this.replayAgain = false;
          this.replay();
        }
      });
  }

  private async doReplay(): Promise<void> {
    const pastRuns = await this.source.pastRuns();
    const disk = new Map<string, RunEvent[]>();
    for (const run of pastRuns) disk.set(run.runFolder, await this.source.readEvents(run.runFolder));
    // From here on synchronous: the live events counted as sent are exactly the ones in the messages.
    const jobs = this.source.store.all();
    const runs = dashboardRuns(jobs, pastRuns, disk, (folder) => runLabel(folder));
    this.sent.clear();
    for (const job of jobs) this.sent.set(job.jobId, job.events.length);
    this.knownRuns = new Set(runs.map((r) => r.summary.runId));
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const message of replayMessages({ runs, ...this.source.extras() })) await this.post(message);
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.replaying !== undefined) return; // The replay sends them.
    for (const job of this.source.store.all()) {
      if (job.kind !== 'train' || job.runFolder === undefined || !this.knownRuns.has(job.runFolder)) continue;
      const from = this.sent.get(job.jobId) ?? 0;
      if (job.events.length <= from) continue;
      this.sent.set(job.jobId, job.events.length);
      void this.post({ type: 'events', runId: job.runFolder, events: job.events.slice(from) });
    }
  }

  private post(message: HostToWebviewMessage): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }
}

/** "runs/sst2" for <workspace>/runs/sst2: the run folder relative to its workspace folder. */
export function runLabel(runFolder: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(runFolder));
  if (folder === undefined) return path.basename(runFolder);
  return path.relative(folder.uri.fsPath, runFolder).split(path.sep).join('/');
}
