// "New Octet manifest": scaffolds octet.json from a model folder and data files chosen in
// pickers, with the text and label columns picked from the data file's header.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { dataColumns, dataFormatOf, guessColumns, scaffoldManifest, type ScaffoldAnswers } from './manifest-scaffold';

export async function newManifest(): Promise<vscode.Uri | undefined> {
  const folder = await pickWorkspaceFolder();
  if (folder === undefined) return undefined;
  const model = await vscode.window.showOpenDialog({
    title: 'Octet: the model folder (a Hugging Face BERT: config.json, model.safetensors, vocab.txt)',
    canSelectFolders: true,
    canSelectFiles: false,
    defaultUri: folder.uri,
    openLabel: 'Use this model',
  });
  if (model?.[0] === undefined) return undefined;
  if (!(await exists(path.join(model[0].fsPath, 'config.json')))) {
    const goOn = 'Use it anyway';
    if ((await vscode.window.showWarningMessage(`Octet: ${model[0].fsPath} has no config.json; it may not be a model folder.`, goOn)) !== goOn) return undefined;
  }
  const dataFilters = { 'Data (TSV, CSV, JSON lines)': ['tsv', 'csv', 'jsonl', 'ndjson'] };
  const train = await vscode.window.showOpenDialog({ title: 'Octet: the training data', canSelectFiles: true, filters: dataFilters, defaultUri: folder.uri, openLabel: 'Train on this' });
  if (train?.[0] === undefined) return undefined;
  const format = dataFormatOf(train[0].fsPath);
  if (format === undefined) {
    void vscode.window.showErrorMessage('Octet: the training data must be a .tsv, .csv or .jsonl file.');
    return undefined;
  }
  const evalChoice = await vscode.window.showQuickPick(['Pick an evaluation file…', 'No evaluation file'], { placeHolder: 'Evaluate during training? (needed for F1 / accuracy per epoch)' });
  if (evalChoice === undefined) return undefined;
  let evalFile: string | undefined;
  if (evalChoice.startsWith('Pick')) {
    const picked = await vscode.window.showOpenDialog({ title: 'Octet: the evaluation data', canSelectFiles: true, filters: dataFilters, defaultUri: vscode.Uri.file(path.dirname(train[0].fsPath)), openLabel: 'Evaluate on this' });
    if (picked?.[0] === undefined) return undefined;
    evalFile = picked[0].fsPath;
  }
  const columns = dataColumns(await firstLine(train[0].fsPath), format);
  const guess = guessColumns(columns);
  const text = await pickColumn(columns, 'Which column holds the text?', guess.text);
  if (text === undefined) return undefined;
  const label = await pickColumn(columns.filter((c) => c !== text), 'Which column holds the label?', guess.label);
  if (label === undefined) return undefined;
  const pairOptions = ['(none: single sentences)', ...columns.filter((c) => c !== text && c !== label)];
  const pair = columns.length > 2 ? await vscode.window.showQuickPick(pairOptions, { placeHolder: 'A second text column (sentence pairs)?' }) : pairOptions[0];
  if (pair === undefined) return undefined;
  const task = await vscode.window.showQuickPick(['classification', 'regression'], { placeHolder: 'Task: predict a class, or a number?' });
  if (task === undefined) return undefined;

  const target = await freeManifestPath(folder.uri.fsPath);
  if (target === undefined) return undefined;
  const answers: ScaffoldAnswers = {
    manifestDir: path.dirname(target),
    modelDir: model[0].fsPath,
    trainFile: train[0].fsPath,
    ...(evalFile !== undefined && { evalFile }),
    text,
    ...(pair !== pairOptions[0] && { textPair: pair }),
    label,
    task: task as ScaffoldAnswers['task'],
  };
  const uri = vscode.Uri.file(target);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(scaffoldManifest(answers), null, 2) + '\n', 'utf8'));
  await vscode.window.showTextDocument(uri);
  return uri;
}

async function pickWorkspaceFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showErrorMessage('Octet: open a folder first; the manifest is written into it.');
    return undefined;
  }
  return folders.length === 1 ? folders[0] : vscode.window.showWorkspaceFolderPick({ placeHolder: 'Where to create octet.json?' });
}

async function pickColumn(columns: string[], placeHolder: string, guess: string | undefined): Promise<string | undefined> {
  if (columns.length === 0) return vscode.window.showInputBox({ prompt: `${placeHolder} (the file has no header line: a name or a 0-based index)` });
  const ordered = guess !== undefined ? [guess, ...columns.filter((c) => c !== guess)] : columns;
  return vscode.window.showQuickPick(ordered, { placeHolder });
}

/** octet.json in the folder, or `<name>.octet.json` when there is one already. */
async function freeManifestPath(dir: string): Promise<string | undefined> {
  const plain = path.join(dir, 'octet.json');
  if (!(await exists(plain))) return plain;
  const name = await vscode.window.showInputBox({
    prompt: 'octet.json exists here. Name of the new manifest (saved as <name>.octet.json):',
    validateInput: (v) => (/^[\w.-]+$/.test(v) ? undefined : 'letters, digits, dot, dash and underscore only'),
  });
  return name === undefined ? undefined : path.join(dir, `${name}.octet.json`);
}

async function firstLine(file: string): Promise<string> {
  const handle = await fsp.open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}
