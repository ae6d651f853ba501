// End-to-end, in a real VS Code: the extension activates on a workspace with a manifest and a
// tiny model with planted outliers, the manifests' problems show in the Problems panel, and
// "Fine-tune with int8 outliers" run from the command palette trains the model while the
// dashboard updates, to a finished run with F1.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JobStore } from '../../../client/job-store';
import { driverAvailable, requestUi } from './driver';
import { test, waitUntil } from './harness';

interface OctetApi {
  client: { isRunning(): boolean };
  jobs: JobStore;
}

const EXTENSION_ID = 'octet.octet';
const root = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;
const uriOf = (name: string): vscode.Uri => vscode.Uri.file(path.join(root(), name));
let api: OctetApi;

/** Runs a palette command by its title through the runner, or by its id without one. */
async function palette(title: string, commandId: string): Promise<void> {
  if (driverAvailable) await requestUi('palette', { title });
  else await vscode.commands.executeCommand(commandId);
}

function octetDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'octet');
}

function lineOf(file: string, needle: string): number {
  const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} in ${file}`);
  return line;
}

test('activates on the workspace\'s octet.json and starts the language server', async () => {
  const extension = vscode.extensions.getExtension<OctetApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  api = await extension.activate();
  await waitUntil(() => api.client.isRunning(), 'the language client to run');
  const commands = await vscode.commands.getCommands(true);
  for (const id of ['octet.fineTuneManifest', 'octet.openDashboard', 'octet.newManifest', 'octet.fineTune']) assert.ok(commands.includes(id), id);
  if (driverAvailable) await requestUi('prepare');
});

test('shows a manifest\'s problems in the Problems panel, at their lines, and schema errors once', async () => {
  // Octet's semantic diagnostics (a column not in the data, a layer pattern matching no layer);
  // the outlier annotations have the next test.
  const typo = uriOf('typo.octet.json');
  await vscode.window.showTextDocument(typo, { preview: false });
  const found = await waitUntil(() => {
    const d = octetDiagnostics(typo);
    return d.length >= 3 ? d : undefined;
  }, 'the semantic diagnostics of typo.octet.json', 60_000);
  const label = found.filter((d) => d.message.includes('column "labl" is not in'));
  assert.equal(label.length, 2, 'train and dev files');
  assert.equal(label[0].range.start.line, lineOf(typo.fsPath, '"labl"'));
  assert.equal(label[0].severity, vscode.DiagnosticSeverity.Error);
  const layer = found.find((d) => d.message.includes('"encoder.layer.7.*" matches no linear layer'));
  assert.ok(layer, found.map((d) => d.message).join('\n'));
  assert.equal(layer.range.start.line, lineOf(typo.fsPath, '"encoder.layer.7.*"'));
  assert.equal(layer.severity, vscode.DiagnosticSeverity.Error);

  // The schema comes from the extension's jsonValidation: VS Code's JSON support reports it, the server does not repeat it.
  const schema = uriOf('schema-error.octet.json');
  await vscode.window.showTextDocument(schema, { preview: false });
  const line = lineOf(schema.fsPath, '"eight"');
  const atLine = await waitUntil(() => {
    const d = vscode.languages.getDiagnostics(schema).filter((x) => x.range.start.line === line);
    return d.length > 0 ? d : undefined;
  }, 'the schema error of schema-error.octet.json', 60_000);
  assert.equal(atLine.length, 1, `one diagnostic for "eight", got: ${atLine.map((d) => `${d.source}: ${d.message}`).join(' | ')}`);
  assert.notEqual(atLine[0].source, 'octet');

  if (driverAvailable) {
    const answer = await requestUi('problems', { expect: ['column "labl" is not in data/train.tsv', 'matches no linear layer', 'typo.octet.json', 'schema-error.octet.json'] });
    assert.match(answer.detail, /labl/);
  }
}, 120_000);

test('annotates the outlier-heavy layers of the planted model, with the severity of each layer\'s mode', async () => {
  const int8 = uriOf('int8.octet.json');
  await vscode.window.showTextDocument(int8, { preview: false });
  const layers = ['query', 'key', 'value'].map((p) => `encoder.layer.0.attention.self.${p}`);
  const found = await waitUntil(() => {
    const d = octetDiagnostics(int8).filter((x) => x.code === 'outlier-heavy');
    return layers.every((l) => d.some((x) => x.message.startsWith(`${l} is outlier-heavy`))) ? d : undefined;
  }, 'the outlier diagnostics of int8.octet.json', 90_000);
  const of = (layer: string): vscode.Diagnostic => {
    const d = found.filter((x) => x.message.startsWith(`${layer} is outlier-heavy`));
    assert.equal(d.length, 1, `one diagnostic for ${layer}: ${found.map((x) => x.message).join('\n')}`);
    return d[0];
  };
  // fp32 and int8-outlier layers on their own `layers` entries; the plain-int8 value on `model`.
  assert.equal(of(layers[0]).severity, vscode.DiagnosticSeverity.Hint);
  assert.equal(of(layers[0]).range.start.line, lineOf(int8.fsPath, `"${layers[0]}"`));
  assert.equal(of(layers[1]).severity, vscode.DiagnosticSeverity.Information);
  assert.equal(of(layers[1]).range.start.line, lineOf(int8.fsPath, `"${layers[1]}"`));
  assert.match(of(layers[1]).message, /int8-outlier handles it: \d+ columns? tiled/);
  assert.equal(of(layers[2]).severity, vscode.DiagnosticSeverity.Warning);
  assert.equal(of(layers[2]).range.start.line, lineOf(int8.fsPath, '"model"'));
  assert.match(of(layers[2]).message, /output SQNR [\d.]+ dB plain int8 vs [\d.]+ dB tiled\. It runs plain int8: precision will be lost/);

  if (driverAvailable) {
    // The Problems panel lists warnings and information (hints are only drawn in the editor).
    const answer = await requestUi('problems', { expect: [`${layers[2]} is outlier-heavy`, `${layers[1]} is outlier-heavy`, 'int8.octet.json'] });
    assert.match(answer.detail, /outlier-heavy/);
  }
}, 120_000);

test('fine-tunes from the command palette: the dashboard updates live and the run finishes with F1', async () => {
  const manifest = uriOf('octet.json');
  await vscode.window.showTextDocument(manifest);
  assert.deepEqual(octetDiagnostics(manifest).filter((d) => d.severity === vscode.DiagnosticSeverity.Error), [], 'octet.json is valid');
  await palette('Octet: Open training dashboard', 'octet.openDashboard');
  await waitUntil(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('octet.dashboard')), 'the dashboard tab');
  await vscode.window.showTextDocument(manifest);

  await palette('Octet: Fine-tune with int8 outliers', 'octet.fineTuneManifest');
  const job = await waitUntil(() => api.jobs.all().find((j) => j.kind === 'train' && j.manifestUri.endsWith('/octet.json')), 'a fine-tuning job', 30_000);
  if (driverAvailable) {
    const live = await requestUi('dashboard-live', {}, 120_000);
    const steps = live.data?.steps as string[];
    assert.ok(steps.length >= 3, `the dashboard showed steps ${steps.join(', ')}`);
  }
  await waitUntil(() => (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled') && job, 'the job to end', 240_000, 250);
  assert.equal(job.state, 'completed', job.message);
  assert.equal(typeof job.metrics?.f1, 'number', JSON.stringify(job.metrics));
  const events = fs.readFileSync(path.join(root(), 'runs', 'sentiment', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; state?: string });
  assert.equal(events.at(-1)?.type, 'end');
  assert.equal(events.at(-1)?.state, 'completed');

  if (driverAvailable) {
    const finished = await requestUi('dashboard-finished', { f1: job.metrics!.f1 }, 60_000);
    const data = finished.data as { state: string; step: string; evalTable: string; statusBar: string };
    assert.equal(data.state, 'completed');
    // The dashboard writes counts the way the locale does ("1,024 / 1,024").
    const [done, total] = data.step.split('/').map((part) => Number(part.replace(/[^\d]/g, '')));
    assert.deepEqual([done, total], [job.totalSteps, job.totalSteps], data.step);
    assert.match(data.evalTable, /f1/i);
    assert.match(data.statusBar, /Octet: f1 \d\.\d{3}/);
  }
}, 300_000);
