// The webview's side of the VS Code API: typed messages to the host and persisted UI state.

import type { WebviewToHostMessage } from './protocol';
import type { OutlierSort, OutlierSortKey } from './series';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): unknown;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** UI state that survives the webview being hidden and re-shown (vscode.setState). */
export interface UiState {
  tab: string;
  /** Smoothing weight for loss and throughput charts, 0..0.99. */
  smoothing: number;
  outlierSort: OutlierSort;
  /** The run picked in the history list; null follows the latest run. */
  selectedRunId: string | null;
}

export const DEFAULT_UI_STATE: UiState = {
  tab: 'training',
  smoothing: 0.6,
  outlierSort: { key: 'sqnrGap', descending: true },
  selectedRunId: null,
};

const SORT_KEYS: OutlierSortKey[] = ['index', 'sqnrGap', 'outlierFraction', 'maxAbs', 'kurtosis'];

function sanitize(raw: unknown): UiState {
  const s: UiState = structuredClone(DEFAULT_UI_STATE);
  if (typeof raw !== 'object' || raw === null) return s;
  const r = raw as Partial<UiState>;
  if (typeof r.tab === 'string') s.tab = r.tab;
  if (typeof r.smoothing === 'number' && r.smoothing >= 0 && r.smoothing < 1) s.smoothing = r.smoothing;
  if (r.outlierSort && SORT_KEYS.includes(r.outlierSort.key)) {
    s.outlierSort = { key: r.outlierSort.key, descending: !!r.outlierSort.descending };
  }
  if (typeof r.selectedRunId === 'string') s.selectedRunId = r.selectedRunId;
  return s;
}

export class Host {
  private readonly api: VsCodeApi;

  constructor() {
    this.api =
      typeof acquireVsCodeApi === 'function'
        ? acquireVsCodeApi()
        : { postMessage: () => undefined, getState: () => undefined, setState: (s) => s }; // opened outside VS Code
  }

  post(message: WebviewToHostMessage): void {
    this.api.postMessage(message);
  }

  loadState(): UiState {
    return sanitize(this.api.getState());
  }

  saveState(state: UiState): void {
    this.api.setState(state);
  }
}
