// The status bar item: the current job's step, epoch and ETA (or its outcome); a click opens
// the dashboard. Hidden until the first job of the session.
import * as vscode from 'vscode';
import type { JobStore } from './job-store';
import { statusText } from './status-text';

export function createJobStatusBar(store: JobStore, openDashboardCommand: string): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('octet.job', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Octet training';
  item.command = openDashboardCommand;
  let timer: NodeJS.Timeout | undefined;
  const render = (): void => {
    timer = undefined;
    const text = statusText(store.current());
    if (text === undefined) {
      item.hide();
      return;
    }
    item.text = text.text;
    item.tooltip = text.tooltip;
    item.show();
  };
  const subscription = store.onChange(({ kind }) => {
    if (kind === 'state') render();
    else timer ??= setTimeout(render, 250);
  });
  return new vscode.Disposable(() => {
    clearTimeout(timer);
    subscription.dispose();
    item.dispose();
  });
}
