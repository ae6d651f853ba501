// Jobs as LSP work-done progress, for editors that show it (window/workDoneProgress/create, then
// $/progress begin, report, end): a percentage from step / totalSteps, a short message, and
// Cancel, which cancels the job. Reports are throttled; the editor needs no more than a few a second.
import type { Connection, WorkDoneProgressServerReporter } from 'vscode-languageserver';
import { formatDuration } from '../../engine/cli/progress';
import type { RunEvent } from '../../engine/train/events';
import type { JobKind } from '../protocol';

const TITLES: Readonly<Record<JobKind, string>> = { train: 'Octet: fine-tuning', profile: 'Octet: profiling activations', compare: 'Octet: comparing precisions' };
const REPORT_INTERVAL_MS = 250;

interface Entry {
  reporter: Promise<WorkDoneProgressServerReporter | undefined>;
  totalSteps?: number;
  lastReport: number;
  lastPercentage?: number;
}

export class JobProgress {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly connection: Connection,
    private readonly cancel: (jobId: string) => void,
    private readonly log: (message: string) => void,
  ) {}

  /** The job started running: ask the editor for a progress token and begin. */
  begin(jobId: string, kind: JobKind, manifestName: string): void {
    if (this.entries.has(jobId)) return;
    const reporter = this.connection.window
      .createWorkDoneProgress()
      .then((r) => {
        r.begin(`${TITLES[kind]} ${manifestName}`, 0, 'starting', true);
        r.token.onCancellationRequested(() => this.cancel(jobId));
        return r;
      })
      .catch((e: unknown) => {
        this.log(`no progress for job ${jobId}: ${(e as Error).message}`);
        return undefined;
      });
    this.entries.set(jobId, { reporter, lastReport: 0 });
  }

  event(jobId: string, event: RunEvent): void {
    const entry = this.entries.get(jobId);
    if (entry === undefined) return;
    if (event.type === 'start') entry.totalSteps = event.totalSteps;
    const total = entry.totalSteps;
    if (event.type !== 'train' && event.type !== 'eval') return;
    const percentage = total !== undefined && total > 0 ? Math.min(100, Math.floor((100 * event.step) / total)) : undefined;
    const now = Date.now();
    if (now - entry.lastReport < REPORT_INTERVAL_MS && percentage === entry.lastPercentage && event.type === 'train') return;
    entry.lastReport = now;
    entry.lastPercentage = percentage;
    const message =
      event.type === 'train'
        ? `step ${event.step}${total !== undefined ? `/${total}` : ''} · loss ${event.loss.toFixed(4)} · ETA ${formatDuration(event.etaMs)}`
        : `eval at step ${event.step}: ${Object.entries(event.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`;
    void entry.reporter.then((r) => (percentage !== undefined ? r?.report(percentage, message) : r?.report(message)));
  }

  end(jobId: string): void {
    const entry = this.entries.get(jobId);
    if (entry === undefined) return;
    this.entries.delete(jobId);
    void entry.reporter.then((r) => r?.done());
  }
}
