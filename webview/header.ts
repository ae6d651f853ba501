// The header: which run, its state, progress and the numbers that matter while it trains.

import { h, replaceChildren, setText } from './dom';
import {
  formatClock,
  formatDuration,
  formatEpoch,
  formatEta,
  formatInt,
  formatLoss,
  formatMetric,
  formatThroughput,
  metricLabel,
} from './format';
import type { RunSummary } from './protocol';
import { modeColor, smoothEma, type RunStatus, type RunTrack } from './series';
import { createButton, type UiButton } from './ui';

interface Stat {
  root: HTMLElement;
  label: HTMLElement;
  value: HTMLElement;
  of: HTMLElement;
}

export class HeaderView {
  readonly el: HTMLElement;
  private readonly pill: HTMLElement;
  private readonly titleEl: HTMLElement;
  private readonly modeChip: HTMLElement;
  private readonly taskEl: HTMLElement;
  private readonly subtitle: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly progressFill: HTMLElement;
  private readonly message: HTMLElement;
  private readonly cancel: UiButton;
  private readonly stats: Record<'step' | 'epoch' | 'eta' | 'throughput' | 'loss' | 'best', Stat>;
  private readonly statsEl: HTMLElement;
  private runId: string | null = null;
  private readonly cancelRequested = new Set<string>();

  constructor(onCancel: (runId: string) => void) {
    this.pill = h('span', { class: 'state-pill', 'data-role': 'state' });
    this.titleEl = h('h1', { 'data-role': 'title' });
    this.modeChip = h('span', { class: 'mode-chip', 'data-role': 'mode' });
    this.taskEl = h('span', { class: 'muted', 'data-role': 'task' });
    this.cancel = createButton({
      label: 'Cancel',
      appearance: 'secondary',
      title: 'Stop the run after the current step (a checkpoint is kept)',
      onClick: () => {
        if (!this.runId) return;
        this.cancelRequested.add(this.runId);
        this.cancel.setLabel('Cancelling…');
        this.cancel.setDisabled(true);
        onCancel(this.runId);
      },
    });
    this.cancel.el.dataset.role = 'cancel';
    this.subtitle = h('div', { class: 'subtitle', 'data-role': 'subtitle' });
    this.progressFill = h('div', { class: 'progress-fill' });
    this.progress = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, this.progressFill);
    const stat = (key: string, label: string): Stat => {
      const labelEl = h('dt', null, label);
      const value = h('span', { class: 'v' });
      const of = h('span', { class: 'of' });
      const root = h('div', { class: 'stat', 'data-stat': key }, labelEl, h('dd', null, value, of));
      return { root, label: labelEl, value, of };
    };
    this.stats = {
      step: stat('step', 'Step'),
      epoch: stat('epoch', 'Epoch'),
      eta: stat('eta', 'ETA'),
      throughput: stat('throughput', 'Throughput'),
      loss: stat('loss', 'Train loss'),
      best: stat('best', 'Best'),
    };
    this.statsEl = h('dl', { class: 'stats' }, ...Object.values(this.stats).map((s) => s.root));
    this.message = h('div', { class: 'message hidden', 'data-role': 'message' });
    this.el = h(
      'header',
      { class: 'run-header' },
      h('div', { class: 'title-row' }, this.pill, this.titleEl, this.modeChip, this.taskEl, h('div', { class: 'spacer' }), this.cancel.el),
      this.subtitle,
      this.progress,
      this.statsEl,
      this.message,
    );
  }

  update(summary: RunSummary | null, track: RunTrack | null, status: RunStatus | null, smoothing: number): void {
    const empty = !summary || !status;
    this.el.classList.toggle('empty-run', empty);
    for (const part of [this.pill, this.modeChip, this.progress, this.statsEl, this.cancel.el]) {
      part.classList.toggle('hidden', empty);
    }
    if (empty) {
      this.runId = null;
      setText(this.titleEl, 'No runs yet');
      setText(this.taskEl, '');
      setText(this.subtitle, 'Start one with “Octet: Train” or `octet train`; its progress shows here.');
      this.message.classList.add('hidden');
      return;
    }
    this.runId = summary.runId;
    const state = status.state;
    this.pill.className = `state-pill state-${state}`;
    setText(this.pill, state);
    setText(this.titleEl, summary.label ?? summary.runId);
    const mode = status.mode ?? summary.mode;
    this.modeChip.className = `mode-chip c-${modeColor(mode)}`;
    setText(this.modeChip, mode);
    setText(this.taskEl, status.task ?? summary.task);

    const running = state === 'running';
    const requested = this.cancelRequested.has(summary.runId);
    this.cancel.el.classList.toggle('hidden', !running);
    this.cancel.setDisabled(running && requested);
    this.cancel.setLabel(running && requested ? 'Cancelling…' : 'Cancel');
    if (!running) this.cancelRequested.delete(summary.runId);

    const parts: string[] = [];
    const startedAt = track?.startedAt ?? summary.startedAt;
    if (startedAt) parts.push(`Started ${formatClock(startedAt)}`);
    if (status.elapsedMs !== null) parts.push(`${formatDuration(status.elapsedMs)} ${running ? 'elapsed' : 'total'}`);
    if (track?.start?.resumedFrom) parts.push(`resumed from step ${formatInt(track.start.resumedFrom)}`);
    if (track?.start) parts.push(`${formatInt(track.start.trainExamples)} train / ${formatInt(track.start.evalExamples)} eval examples`);
    if (track && track.checkpoints.length > 0) parts.push(`${track.checkpoints.length} checkpoint${track.checkpoints.length > 1 ? 's' : ''}`);
    setText(this.subtitle, parts.join(' · '));

    const progress = status.progress ?? 0;
    this.progressFill.style.transform = `scaleX(${progress})`;
    this.progress.setAttribute('aria-valuenow', String(Math.round(progress * 100)));
    this.progress.classList.toggle('done', state === 'completed');

    const s = this.stats;
    setText(s.step.value, formatInt(status.step));
    setText(s.step.of, status.totalSteps ? ` / ${formatInt(status.totalSteps)}` : '');
    setText(s.epoch.value, formatEpoch(status.epoch));
    setText(s.epoch.of, status.totalEpochs ? ` / ${status.totalEpochs}` : '');
    if (running) {
      setText(s.eta.label, 'ETA');
      setText(s.eta.value, formatEta(status.etaMs));
    } else {
      setText(s.eta.label, 'Duration');
      setText(s.eta.value, formatDuration(status.elapsedMs));
    }
    setText(s.throughput.value, formatThroughput(status.tokensPerSecond));
    const losses = track?.train.loss ?? [];
    const smoothed = losses.length > 0 ? smoothEma(losses.slice(-2000), smoothing) : [];
    setText(s.loss.value, formatLoss(smoothed[smoothed.length - 1] ?? null));
    setText(s.loss.of, '');
    if (status.best) {
      setText(s.best.label, `Best ${metricLabel(status.best.metric)}`);
      setText(s.best.value, formatMetric(status.best.metric, status.best.value));
      setText(s.best.of, ` @ ${formatInt(status.best.step)}`);
    } else {
      setText(s.best.label, 'Best');
      setText(s.best.value, '—');
      setText(s.best.of, '');
    }

    const failed = state === 'failed' || state === 'cancelled';
    this.message.classList.toggle('hidden', !(failed && status.message));
    if (failed && status.message) replaceChildren(this.message, status.message);
  }
}
