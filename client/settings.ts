// The extension's settings (package.json contributes.configuration), as the server's
// initializationOptions. Later changes reach the server through workspace/configuration.
import * as vscode from 'vscode';
import type { OctetInitializationOptions } from '../server/protocol';

export function initializationOptions(): OctetInitializationOptions {
  const config = vscode.workspace.getConfiguration('octet');
  const threads = config.get<number | null>('threads', null);
  return {
    schemaContributedByClient: config.get<boolean>('schemaContributedByClient', true),
    ...(typeof threads === 'number' && threads > 0 && { threads }),
    maxConcurrentJobs: config.get<number>('maxConcurrentJobs', 1),
    // Profiling loads the workspace's model and data: not in an untrusted workspace.
    profileOnSave: vscode.workspace.isTrusted && config.get<boolean>('profileOnSave', true),
    outlierCriteria: { sqnrGapDb: config.get<number>('outlierCriteria.sqnrGapDb', 6) },
    // The extension draws its own progress notification (with Cancel) and status bar item.
    jobProgress: false,
  };
}
