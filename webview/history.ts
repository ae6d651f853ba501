// The Runs tab: the run history, newest first. Picking a run shows it in the header and the
// Training tab and asks the host for its events.

import { h, replaceChildren } from './dom';
import { formatAgo, formatClock, formatDuration, formatMetric, metricLabel } from './format';
import type { RunSummary } from './protocol';
import { modeColor, primaryMetric, runStatus, type RunTrack } from './series';

export class HistoryView {
  readonly el: HTMLElement;

  constructor(private readonly onOpen: (runId: string) => void) {
    this.el = h('div', { class: 'history' });
  }

  update(runs: RunSummary[], tracks: ReadonlyMap<string, RunTrack>, selected: string | null, now: number): void {
    if (runs.length === 0) {
      replaceChildren(this.el, h('div', { class: 'empty' }, h('strong', null, 'No runs yet'), 'Runs started from this workspace are listed here.'));
      return;
    }
    const sorted = [...runs].sort((a, b) => b.startedAt - a.startedAt);
    const items = sorted.map((run) => {
      const track = tracks.get(run.runId);
      const status = track && track.lastEvent ? runStatus(track, run.state) : null;
      const state = status?.state ?? run.state;
      const metrics = run.metrics ?? track?.end?.metrics ?? status?.latestEval?.metrics ?? {};
      const key = primaryMetric(Object.keys(metrics));
      const ended = run.endedAt ?? track?.end?.time;
      const duration = ended ? formatDuration(ended - run.startedAt) : state === 'running' ? 'running' : '';
      return h(
        'li',
        null,
        h(
          'button',
          {
            class: `run-item${run.runId === selected ? ' selected' : ''}`,
            'data-run': run.runId,
            'aria-current': run.runId === selected ? 'true' : undefined,
            title: `${run.runId}\nstarted ${formatClock(run.startedAt, now)}`,
            onclick: () => this.onOpen(run.runId),
          },
          h('span', { class: `state-pill state-${state}` }, state),
          h('span', { class: 'name' }, run.label ?? run.runId),
          h('span', { class: `mode-chip c-${modeColor(run.mode)}` }, run.mode),
          h('span', { class: 'when' }, [run.task, formatAgo(run.startedAt, now), duration].filter(Boolean).join(' · ')),
          h('span', { class: 'metric' }, key ? h('span', { class: 'muted' }, metricLabel(key)) : null, key ? formatMetric(key, metrics[key]) : ''),
        ),
      );
    });
    replaceChildren(this.el, h('ul', { class: 'runs' }, ...items));
  }
}
