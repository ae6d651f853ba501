// How diagnostics reach the client: pull answers at once with the current text's syntax/schema
// problems plus the latest semantic findings (placed on the current text); push clients get
// publishDiagnostics; cached file results are dropped when the file changes on disk.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR, assertNoDiagnostic, findDiagnostic, listing } from './diagnostic-assertions';
import { LspTestClient, plainDiagnostics } from './lsp-test-client';
import { TinyProject, TRAIN_TSV, manifestText, rangeOf } from './tiny-project';

describe('pull diagnostics', () => {
  let project: TinyProject;
  let client: LspTestClient;

  before(async () => {
    project = await TinyProject.create();
    // A long delay: semantic checks run on open, but never after the edits below, so every
    // answer after an edit shows what pull returns without waiting for them.
    client = await LspTestClient.start({ initializationOptions: { semanticCheckDelayMs: 10_000 } });
  });

  after(async () => {
    await client?.stop();
    project?.remove();
  });

  it('advertises pull diagnostics to a client that supports them', () => {
    assert.ok(client.initializeResult.capabilities.diagnosticProvider, 'diagnosticProvider missing');
  });

  it('answers with the current text at once, with earlier semantic findings moved along', async () => {
    const uri = project.uri('moving.octet.json');
    const text = manifestText({ model: 'models/missing' });
    const settled = await client.openAndSettle(uri, text);
    assert.deepEqual(findDiagnostic(settled, 'model folder not found').range, rangeOf(text, '"models/missing"'));

    // Insert a line above `model`: the finding must follow its value to the next line.
    const edited = text.replace('{\n', '{\n  "output": "runs/moved",\n');
    client.change(uri, 2, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '  "output": "runs/moved",\n' }]);
    const started = Date.now();
    const afterEdit = await client.pull(uri);
    const elapsed = Date.now() - started;
    assert.deepEqual(findDiagnostic(afterEdit, 'model folder not found').range, rangeOf(edited, '"models/missing"'));
    assert.ok(elapsed < 2000, `pull took ${elapsed} ms`);

    // Break the syntax: the next pull already reports it.
    const broken = edited.replace('"version": 1,', '"version": 1');
    client.change(uri, 3, [{ text: broken }]);
    const afterBreak = await client.pull(uri);
    const syntax = findDiagnostic(afterBreak, 'JSON syntax error');
    assert.equal(syntax.severity, ERROR);
    assert.deepEqual(syntax.range, rangeOf(broken, '"model"'));
    client.close(uri); // cancels the check the edits scheduled, so no later test sees its refresh
  });

  it('drops a semantic finding once the value it was about is edited', async () => {
    const uri = project.uri('edited-value.octet.json');
    const text = manifestText({ model: 'models/missing' });
    await client.openAndSettle(uri, text);
    client.change(uri, 2, [{ text: text.replace('models/missing', 'models/tiny') }]);
    assertNoDiagnostic(await client.pull(uri), 'model folder not found');
    client.close(uri);
  });

  it('answers a pull in well under 50 ms (median of 30)', async () => {
    const uri = project.uri('latency.octet.json');
    await client.openAndSettle(uri, manifestText({ layers: { 'encoder.layer.*.output.dense': { mode: 'int8' } } }));
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = process.hrtime.bigint();
      await client.pull(uri);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    times.sort((a, b) => a - b);
    const median = times[15];
    assert.ok(median < 50, `median pull latency ${median.toFixed(1)} ms (all: ${times.map((t) => t.toFixed(1)).join(', ')})`);
  });

  it('returns nothing for a document that is not a manifest', async () => {
    const uri = project.uri('package.json');
    client.open(uri, '{"name": 3, "oops"}');
    assert.deepEqual(await client.pull(uri), []);
  });
});

describe('cached file results', () => {
  let project: TinyProject;
  let client: LspTestClient;

  before(async () => {
    project = await TinyProject.create();
    client = await LspTestClient.start();
  });

  after(async () => {
    await client?.stop();
    project?.remove();
  });

  it('see a data file that changed on disk when the manifest is reopened', async () => {
    const uri = project.uri('reopen.octet.json');
    const text = manifestText({ data: { train: 'data/train.tsv', text: 'sentence', textPair: 'sentence2', label: 'label' } });
    findDiagnostic(await client.openAndSettle(uri, text), 'column "sentence2" is not in data/train.tsv');
    client.close(uri);

    project.write('data/train.tsv', 'sentence\tsentence2\tlabel\na\tb\t1\nc\td\t0\n');
    const reopened = await client.openAndSettle(uri, text);
    assertNoDiagnostic(reopened, 'sentence2');
    client.close(uri);
    project.write('data/train.tsv', TRAIN_TSV);
  });

  it('are checked again when the client reports changed files', async () => {
    const uri = project.uri('watched.octet.json');
    const text = manifestText({ model: 'models/later' });
    findDiagnostic(await client.openAndSettle(uri, text), 'model folder not found: models/later');

    await project.writeModel('models/later');
    const before = client.refreshes;
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: project.uri('models/later/config.json'), type: 1 }],
    });
    await client.waitFor(() => client.refreshes > before, 'a refresh after the file change');
    const diagnostics = await client.pull(uri);
    assert.deepEqual(diagnostics, [], listing(diagnostics));
  });
});

describe('push diagnostics', () => {
  let project: TinyProject;
  let client: LspTestClient;

  before(async () => {
    project = await TinyProject.create();
    client = await LspTestClient.start({ pull: false });
  });

  after(async () => {
    await client?.stop();
    project?.remove();
  });

  it('does not advertise pull diagnostics to a client without them', () => {
    assert.equal(client.initializeResult.capabilities.diagnosticProvider, undefined);
  });

  it('publishes syntax and semantic diagnostics, and clears them on close', async () => {
    const uri = project.uri('pushed.octet.json');
    const text = manifestText({ data: { train: 'data/absent.tsv', text: 'sentence', label: 'label' }, train: { epochs: 0 } });
    client.open(uri, text);
    const latest = () => plainDiagnostics(client.published.get(uri)?.at(-1)?.diagnostics ?? []);
    await client.waitFor(() => latest().some((d) => d.message.includes('data file not found')), 'the semantic diagnostics to be published');
    const diagnostics = latest();
    assert.deepEqual(findDiagnostic(diagnostics, 'data file not found: data/absent.tsv').range, rangeOf(text, '"data/absent.tsv"'));
    assert.deepEqual(findDiagnostic(diagnostics, 'must be at least 1').range, rangeOf(text, '0'));
    assert.equal(client.published.get(uri)?.at(-1)?.version, 1);

    client.close(uri);
    await client.waitFor(() => client.published.get(uri)?.at(-1)?.diagnostics.length === 0, 'the diagnostics to be cleared');
  });
});
