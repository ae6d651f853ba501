// How a run reports itself on the command line: a one-line progress bar with ETA on a terminal,
// plain lines when stderr is a file, JSON lines on stdout with --json.
import type { RunEvent } from '../train/events';

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

function formatMetrics(m: Record<string, number>): string {
  return Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ');
}

export class ProgressReporter {
  private totalSteps = 0;
  private barShown = false;

  constructor(
    private readonly json: boolean,
    private readonly tty: boolean = process.stderr.isTTY === true,
  ) {}

  onEvent(e: RunEvent): void {
    if (this.json) {
      process.stdout.write(JSON.stringify(e) + '\n');
      return;
    }
    switch (e.type) {
      case 'start':
        this.totalSteps = e.totalSteps;
        this.line(`${e.resumedFrom !== null ? `resuming at step ${e.resumedFrom}` : 'training'}: ${e.totalSteps} steps, mode ${e.mode}, ${e.trainExamples} train / ${e.evalExamples} eval examples${e.truncated ? `, ${e.truncated} truncated to maxSeqLength` : ''}`);
        break;
      case 'train':
        if (this.tty) this.bar(e.step, `loss ${e.loss.toFixed(4)}  lr ${e.learningRate.toExponential(2)}  ${Math.round(e.tokensPerSecond)} tok/s  ETA ${formatDuration(e.etaMs)}`);
        else if (e.step % 50 === 0 || e.step === this.totalSteps) this.line(`s:${e.step} trl:${e.loss.toFixed(4)} lr:${e.learningRate.toExponential(2)} tok/s:${Math.round(e.tokensPerSecond)}`);
        break;
      case 'eval':
        this.line(`eval at step ${e.step} (epoch ${e.epoch.toFixed(2)}): loss ${e.loss.toFixed(4)}  ${formatMetrics(e.metrics)}${e.best ? '  (best)' : ''}`);
        break;
      case 'checkpoint':
        if (!this.tty) this.line(`checkpoint: ${e.path}`);
        break;
      case 'end':
        this.line(`${e.state} at step ${e.step}${e.message ? `: ${e.message}` : ''}${e.metrics ? `\nfinal: ${formatMetrics(e.metrics)}` : ''}`);
        break;
      default:
        break;
    }
  }

  private bar(step: number, text: string): void {
    const width = 24;
    const done = this.totalSteps ? Math.round((step / this.totalSteps) * width) : 0;
    process.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${step}/${this.totalSteps}  ${text}\x1b[K`);
    this.barShown = true;
  }

  line(text: string): void {
    if (this.barShown) process.stderr.write('\n');
    this.barShown = false;
    process.stderr.write(text + '\n');
  }
}
