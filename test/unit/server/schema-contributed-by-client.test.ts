// With `octet.schemaContributedByClient`, the client's own JSON support validates against the
// schema, so the server must not repeat those errors, but must still report Octet's own checks.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNoDiagnostic, findDiagnostic } from './diagnostic-assertions';
import { LspTestClient } from './lsp-test-client';
import { TinyProject, manifestText, positionAt, rangeOf } from './tiny-project';

const TEXT = manifestText({
  model: 'models/missing',
  color: 'blue',
  train: { epochs: 'three', warmupRatio: 0.1, warmupSteps: 10 },
});

describe('schema contributed by the client', () => {
  let project: TinyProject;
  let client: LspTestClient;

  before(async () => {
    project = await TinyProject.create();
    client = await LspTestClient.start({ initializationOptions: { schemaContributedByClient: true } });
  });

  after(async () => {
    await client?.stop();
    project?.remove();
  });

  it('leaves schema errors to the client and keeps Octet-specific ones', async () => {
    const uri = project.uri('contributed.octet.json');
    const diagnostics = await client.openAndSettle(uri, TEXT);
    assertNoDiagnostic(diagnostics, 'color');
    assertNoDiagnostic(diagnostics, 'three');
    assert.deepEqual(findDiagnostic(diagnostics, 'model folder not found').range, rangeOf(TEXT, '"models/missing"'));
    assert.deepEqual(findDiagnostic(diagnostics, 'not both').range, rangeOf(TEXT, '"warmupSteps"'));
    assert.equal(diagnostics.length, 2);
  });

  it('leaves JSON syntax errors to the client too', async () => {
    const uri = project.uri('contributed-syntax.octet.json');
    assert.deepEqual(await client.openAndSettle(uri, '{ "version": 1 "model": 2 }'), []);
  });

  it('leaves schema hovers to the client but still explains the model', async () => {
    const uri = project.uri('contributed-hover.octet.json');
    const text = manifestText();
    await client.openAndSettle(uri, text);
    assert.equal(await client.hover(uri, positionAt(text, text.indexOf('"version"') + 2)), null);
    const hover = await client.hover(uri, positionAt(text, text.indexOf('"models/tiny"') + 2));
    assert.ok(hover !== null);
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /2 layers, hidden size 4/);
    assert.doesNotMatch(value, /Hub names/, 'the schema description should come from the client');
  });

  it('reports schema errors again when the setting is turned off', async () => {
    const uri = project.uri('contributed.octet.json');
    const before = client.refreshes;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { octet: { schemaContributedByClient: false } } });
    await client.waitFor(() => client.refreshes > before, 'a refresh after the settings change');
    const diagnostics = await client.pull(uri);
    findDiagnostic(diagnostics, 'unknown property "color"');
    findDiagnostic(diagnostics, 'three');
    findDiagnostic(diagnostics, 'model folder not found');
  });
});
