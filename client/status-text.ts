// The status bar item's text for the current job: step, epoch and ETA while it trains; the
// outcome (with the headline metric) once it ends. Codicons in $(name) form.
import { formatDuration } from '../engine/cli/progress';
import type { TrackedJob } from './job-store';

const KIND_VERB = { train: 'fine-tuning', profile: 'profiling', compare: 'comparing precisions' } as const;
const HEADLINE_METRICS = ['f1', 'accuracy', 'exactMatch', 'pearson', 'spearman', 'matthews'];

export interface StatusText {
  text: string;
  tooltip: string;
}

/** The metric a person looks at first: f1, else accuracy, exact match, correlation. */
export function headlineMetric(metrics: Record<string, number> | undefined): [string, number] | undefined {
  if (metrics === undefined) return undefined;
  const name = HEADLINE_METRICS.find((m) => typeof metrics[m] === 'number') ?? Object.keys(metrics).find((m) => m !== 'loss');
  return name === undefined ? undefined : [name, metrics[name]];
}

export function statusText(job: TrackedJob | undefined): StatusText | undefined {
  if (job === undefined) return undefined;
  const what = `${KIND_VERB[job.kind]} ${manifestLabel(job.manifestUri)}`;
  const steps = job.step !== undefined && job.totalSteps !== undefined ? `${job.step}/${job.totalSteps}` : undefined;
  const metric = headlineMetric(job.metrics);
  const metricText = metric !== undefined ? `${metric[0]} ${metric[1].toFixed(3)}` : undefined;
  switch (job.state) {
    case 'queued':
      return { text: '$(clock) Octet: queued', tooltip: `Octet: ${what} waits for another job to finish` };
    case 'running': {
      if (job.kind !== 'train' || steps === undefined) return { text: `$(sync~spin) Octet: ${KIND_VERB[job.kind]}`, tooltip: `Octet: ${what}. Click to open the dashboard.` };
      const parts = [`$(sync~spin) Octet ${steps}`];
      if (job.epoch !== undefined) parts.push(`ep ${job.epoch.toFixed(2)}`);
      if (job.etaMs !== undefined) parts.push(`ETA ${formatDuration(job.etaMs)}`);
      const loss = job.loss !== undefined ? `, loss ${job.loss.toFixed(4)}` : '';
      return { text: parts.join(' · '), tooltip: `Octet: ${what}: step ${steps}${loss}${metricText ? `, ${metricText}` : ''}. Click to open the dashboard.` };
    }
    case 'completed':
      return { text: `$(check) Octet${metricText ? `: ${metricText}` : ': done'}`, tooltip: `Octet: ${what} finished${metricText ? ` (${metricText})` : ''}. Click to open the dashboard.` };
    case 'cancelled':
      return { text: `$(debug-pause) Octet: stopped${steps ? ` at ${steps}` : ''}`, tooltip: `Octet: ${what} was cancelled${job.message ? `: ${job.message}` : ''}` };
    case 'failed':
      return { text: '$(error) Octet: failed', tooltip: `Octet: ${what} failed${job.message ? `: ${job.message}` : ''}` };
  }
}

/** "octet.json" in "its-folder": short enough for a status bar tooltip or a notification. */
export function manifestLabel(manifestUri: string): string {
  const parts = decodeURIComponentSafe(manifestUri).split('/').filter((p) => p !== '');
  return parts.length >= 2 ? `${parts.at(-2)}/${parts.at(-1)}` : (parts.at(-1) ?? manifestUri);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
