// What the dashboard host sends the webview (webview/protocol.ts): on every 'ready', the whole
// history again (reset, each run's events, profile, comparison); while jobs run, new events in
// batches. Pure: the panel (dashboard-panel.ts) posts what these functions return.
import type { PastRunInfo } from '../server/protocol';
import type { ComparisonRow, HostToWebviewMessage, LayerProfile, RunEvent, RunSummary } from '../webview/protocol';
import { isEnded, type TrackedJob } from './job-store';
import { runHistory } from './run-history';

export interface DashboardRun {
  summary: RunSummary;
  events: RunEvent[];
}

export interface DashboardState {
  runs: DashboardRun[];
  profile?: LayerProfile[];
  comparison?: ComparisonRow[];
}

/** The messages that rebuild the dashboard from nothing. */
export function replayMessages(state: DashboardState): HostToWebviewMessage[] {
  const messages: HostToWebviewMessage[] = [{ type: 'reset', runs: state.runs.map((r) => r.summary) }];
  for (const run of state.runs) if (run.events.length > 0) messages.push({ type: 'events', runId: run.summary.runId, events: run.events });
  if (state.profile !== undefined) messages.push({ type: 'profile', layers: state.profile });
  if (state.comparison !== undefined) messages.push({ type: 'comparison', rows: state.comparison });
  return messages;
}

/**
 * The dashboard's runs: one per run folder, the newest first. A folder a job of this session ran
 * shows that job's events (merged with the folder's earlier events on disk); the others show
 * their events on disk (`diskEvents`, by folder).
 */
export function dashboardRuns(jobs: readonly TrackedJob[], pastRuns: readonly PastRunInfo[], diskEvents: ReadonlyMap<string, RunEvent[]>, label: (runFolder: string) => string): DashboardRun[] {
  const byFolder = new Map<string, DashboardRun>();
  for (const past of pastRuns) {
    const events = diskEvents.get(past.runFolder) ?? [];
    byFolder.set(past.runFolder, {
      summary: {
        runId: past.runFolder,
        label: label(past.runFolder),
        mode: past.mode ?? 'unknown',
        task: past.task ?? 'unknown',
        // No end event: interrupted (resumable) or broken.
        state: past.state ?? (past.resumable ? 'cancelled' : 'failed'),
        startedAt: past.startedAt ?? 0,
        ...(past.finishedAt !== undefined && { endedAt: past.finishedAt }),
        ...(past.metrics !== undefined && { metrics: past.metrics }),
      },
      events,
    });
  }
  for (const job of jobs) {
    if (job.kind !== 'train' || job.runFolder === undefined) continue;
    if (job.events.length === 0 && isEnded(job) && byFolder.has(job.runFolder)) continue; // failed before it started: keep the older run
    const events = runHistory(job.diskEvents ?? diskEvents.get(job.runFolder) ?? [], job.events);
    const start = events.find((e) => e.type === 'start');
    const end = [...events].reverse().find((e) => e.type === 'end');
    byFolder.set(job.runFolder, {
      summary: {
        runId: job.runFolder,
        label: label(job.runFolder),
        mode: start?.type === 'start' ? start.mode : 'unknown',
        task: start?.type === 'start' ? start.task : 'unknown',
        state: job.state,
        startedAt: start?.time ?? byFolder.get(job.runFolder)?.summary.startedAt ?? Date.now(),
        ...(end !== undefined && { endedAt: end.time }),
        ...(job.metrics !== undefined && { metrics: job.metrics }),
      },
      events,
    });
  }
  return [...byFolder.values()].sort((a, b) => b.summary.startedAt - a.summary.startedAt);
}
