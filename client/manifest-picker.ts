// Which manifest a command runs: the one given (a code lens, the explorer's context menu), the
// one in the active editor, the only one in the workspace, or the one the user picks.
import * as vscode from 'vscode';

export const MANIFEST_GLOB = '**/{octet.json,*.octet.json}';
const EXCLUDE_GLOB = '**/{node_modules,.git,runs,.tools}/**';

export function isManifestUri(uri: vscode.Uri): boolean {
  const name = uri.path.slice(uri.path.lastIndexOf('/') + 1).toLowerCase();
  return name === 'octet.json' || name.endsWith('.octet.json');
}

export async function pickManifest(given: unknown, placeHolder: string): Promise<vscode.Uri | undefined> {
  if (given instanceof vscode.Uri && isManifestUri(given)) return given;
  if (typeof given === 'string' && given !== '') {
    const uri = vscode.Uri.parse(given);
    if (isManifestUri(uri)) return uri;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active !== undefined && active.scheme === 'file' && isManifestUri(active)) return active;
  const found = (await vscode.workspace.findFiles(MANIFEST_GLOB, EXCLUDE_GLOB, 200)).filter((u) => u.scheme === 'file');
  if (found.length === 0) {
    const create = 'New Octet manifest';
    if ((await vscode.window.showWarningMessage('Octet: no octet.json in this workspace.', create)) === create) await vscode.commands.executeCommand('octet.newManifest');
    return undefined;
  }
  if (found.length === 1) return found[0];
  const items = found
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri, true), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.uri;
}

/** Saves the manifest if it is open with unsaved changes: jobs run the file on disk. */
export async function saveIfDirty(uri: vscode.Uri): Promise<boolean> {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return document === undefined || !document.isDirty || document.save();
}
