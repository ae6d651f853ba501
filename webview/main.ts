// The training dashboard webview: receives the host's messages (protocol.ts), keeps the runs'
// events, and redraws at most once per animation frame.

import { CompareView } from './compare';
import { h, replaceChildren } from './dom';
import { HeaderView } from './header';
import { HistoryView } from './history';
import { OutliersView } from './outliers';
import { isHostToWebviewMessage, type ComparisonRow, type HostToWebviewMessage, type LayerProfile, type RunSummary } from './protocol';
import { appendEvents, createRunTrack, DEFAULT_CHART_OPTIONS, runStatus, type ChartOptions, type RunTrack } from './series';
import { readPalette, watchTheme } from './theme';
import { TrainingView } from './training';
import { createTabs, registerComponents } from './ui';
import { Host, type UiState } from './vscode';

type Part = 'header' | 'training' | 'outliers' | 'compare' | 'history' | 'badges';
type TabId = 'training' | 'outliers' | 'compare' | 'runs';

const TAB_PARTS: Record<TabId, Part> = { training: 'training', outliers: 'outliers', compare: 'compare', runs: 'history' };

class Dashboard {
  private readonly host = new Host();
  private ui: UiState = this.host.loadState();
  private runs: RunSummary[] = [];
  private readonly tracks = new Map<string, RunTrack>();
  private profile: LayerProfile[] | null = null;
  private comparison: ComparisonRow[] | null = null;
  private palette = readPalette();
  private readonly dirty = new Set<Part>();
  private frame = 0;
  private frames = 0;

  private readonly root: HTMLElement;
  private readonly header: HeaderView;
  private readonly training: TrainingView;
  private readonly outliers: OutliersView;
  private readonly compare: CompareView;
  private readonly history: HistoryView;
  private readonly tabs: ReturnType<typeof createTabs>;

  constructor(root: HTMLElement) {
    this.root = root;
    this.header = new HeaderView((runId) => this.host.post({ type: 'cancel', runId }));
    this.training = new TrainingView(this.palette, this.ui.smoothing, (value) => {
      this.ui.smoothing = value;
      this.save();
      this.invalidate('training', 'compare', 'header');
    });
    this.outliers = new OutliersView((sort) => {
      this.ui.outlierSort = sort;
      this.save();
      this.invalidate('outliers');
    });
    this.compare = new CompareView(this.palette);
    this.history = new HistoryView((runId) => this.openRun(runId));
    const tabIds: TabId[] = ['training', 'outliers', 'compare', 'runs'];
    const active = (tabIds as string[]).includes(this.ui.tab) ? (this.ui.tab as TabId) : 'training';
    this.ui.tab = active;
    this.tabs = createTabs(
      [
        { id: 'training', label: 'Training' },
        { id: 'outliers', label: 'Outliers' },
        { id: 'compare', label: 'Compare' },
        { id: 'runs', label: 'Runs' },
      ],
      active,
      (id) => {
        this.ui.tab = id;
        this.save();
        this.invalidate(TAB_PARTS[id as TabId]);
      },
    );
    this.tabs.view('training').append(this.training.el);
    this.tabs.view('outliers').append(this.outliers.el);
    this.tabs.view('compare').append(this.compare.el);
    this.tabs.view('runs').append(this.history.el);
    replaceChildren(root, this.header.el, this.tabs.el);
    root.dataset.theme = this.palette.kind;

    window.addEventListener('message', (event: MessageEvent) => {
      if (isHostToWebviewMessage(event.data)) this.receive(event.data);
    });
    watchTheme(() => this.retheme());
    this.invalidate('header', 'training', 'outliers', 'compare', 'history', 'badges');
    this.host.post({ type: 'ready' });
  }

  // ---- messages ----

  private receive(msg: HostToWebviewMessage): void {
    switch (msg.type) {
      case 'reset':
        this.runs = msg.runs.slice();
        this.tracks.clear();
        this.profile = null;
        this.comparison = null;
        this.invalidate('header', 'training', 'outliers', 'compare', 'history', 'badges');
        break;
      case 'events': {
        let track = this.tracks.get(msg.runId);
        if (!track) {
          track = createRunTrack(msg.runId);
          this.tracks.set(msg.runId, track);
        }
        appendEvents(track, msg.events);
        this.ensureSummary(track);
        const selected = this.selectedRunId() === msg.runId;
        if (selected) this.invalidate('header', 'training', 'outliers');
        if (this.comparison) this.invalidate('compare');
        if (msg.events.some((e) => e.type !== 'train') || !selected) this.invalidate('history', 'badges', 'header');
        break;
      }
      case 'profile':
        this.profile = msg.layers.slice();
        this.invalidate('outliers', 'badges');
        break;
      case 'comparison':
        this.comparison = msg.rows.slice();
        this.invalidate('compare');
        break;
      case 'theme':
        this.retheme();
        break;
    }
  }

  /** A run that sends events but was not in the last reset joins the history. */
  private ensureSummary(track: RunTrack): void {
    const existing = this.runs.find((r) => r.runId === track.runId);
    if (existing || !track.start) return;
    this.runs.push({
      runId: track.runId,
      mode: track.start.mode,
      task: track.start.task,
      state: track.end?.state ?? 'running',
      startedAt: track.startedAt ?? track.start.time,
    });
  }

  private openRun(runId: string): void {
    this.ui.selectedRunId = runId;
    this.ui.tab = 'training';
    this.tabs.select('training');
    this.save();
    this.host.post({ type: 'openRun', runId });
    this.invalidate('header', 'training', 'outliers', 'history');
  }

  private retheme(): void {
    this.palette = readPalette();
    this.root.dataset.theme = this.palette.kind;
    this.training.setPalette(this.palette);
    this.compare.setPalette(this.palette);
  }

  private save(): void {
    this.host.saveState(this.ui);
  }

  // ---- selection ----

  private selectedRunId(): string | null {
    const id = this.ui.selectedRunId;
    if (id && (this.tracks.has(id) || this.runs.some((r) => r.runId === id))) return id;
    // Follow the newest running run, else the newest run.
    const sorted = [...this.runs].sort((a, b) => b.startedAt - a.startedAt);
    const state = (r: RunSummary) => {
      const t = this.tracks.get(r.runId);
      return t?.lastEvent ? runStatus(t, r.state).state : r.state;
    };
    return (sorted.find((r) => state(r) === 'running') ?? sorted[0])?.runId ?? null;
  }

  // ---- drawing ----

  private invalidate(...parts: Part[]): void {
    for (const p of parts) this.dirty.add(p);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  private chartOptions(): ChartOptions {
    return { ...DEFAULT_CHART_OPTIONS, smoothing: this.ui.smoothing };
  }

  private render(): void {
    this.frame = 0;
    this.frames++;
    this.root.dataset.frames = String(this.frames);
    const id = this.selectedRunId();
    const summary = id ? this.runs.find((r) => r.runId === id) ?? null : null;
    const track = id ? this.tracks.get(id) ?? null : null;
    const take = (p: Part) => this.dirty.delete(p);

    if (take('header')) {
      const status = summary || track ? runStatus(track ?? createRunTrack(id!), summary?.state) : null;
      this.header.update(summary, track, status, this.ui.smoothing);
    }
    if (take('badges')) {
      this.tabs.setBadge('runs', this.runs.length > 0 ? String(this.runs.length) : null);
      const heavy = this.profile?.filter((l) => l.verdict === 'outlier-heavy').length ?? 0;
      this.tabs.setBadge('outliers', heavy > 0 ? String(heavy) : null);
    }
    // Only the visible tab is drawn; the others keep their dirty mark until shown.
    const visible = TAB_PARTS[this.tabs.active() as TabId];
    if (visible === 'training' && take('training')) {
      const empty = id
        ? track
          ? 'Waiting for the first step…'
          : 'Loading the run’s events…'
        : 'Start a run with “Octet: Train” or `octet train`.';
      this.training.update(track, this.chartOptions(), empty);
    }
    if (visible === 'outliers' && take('outliers')) this.outliers.update(this.profile, track, this.ui.outlierSort);
    if (visible === 'compare' && take('compare')) {
      this.compare.update(this.comparison, this.runs, this.tracks, this.chartOptions());
    }
    if (visible === 'history' && take('history')) this.history.update(this.runs, this.tracks, id, Date.now());
  }
}

function start(): void {
  registerComponents();
  const root = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app', class: 'app' }));
  new Dashboard(root);
}

start();
