// The extension's package.json: every palette command is contributed (with an id of its own,
// not one the language client registers for the server), the settings the client reads exist,
// the schema it contributes is the one the server uses, and the extension is declared a
// workspace extension with limited support for untrusted workspaces.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ClientCommands } from '../../../client/command-ids';
import { OctetCommands } from '../../../server/protocol';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('extension manifest', () => {
  it('contributes every palette command with a title, none with a server command id', () => {
    const contributed = new Map<string, { title: string }>(pkg.contributes.commands.map((c: { command: string; title: string }) => [c.command, c]));
    for (const id of Object.values(ClientCommands)) assert.ok(contributed.get(id)?.title, `${id} is contributed`);
    for (const id of Object.values(OctetCommands)) assert.ok(!contributed.has(id), `${id} belongs to the language client`);
    assert.equal(contributed.get(ClientCommands.fineTune)?.title, 'Fine-tune with int8 outliers');
    assert.equal(contributed.get(ClientCommands.compare)?.title, 'Compare precisions (fp32 / int8 / int8 + outliers)');
    for (const menu of Object.values(pkg.contributes.menus) as { command: string }[][]) for (const item of menu) assert.ok(contributed.has(item.command), `${item.command} in a menu is contributed`);
  });

  it('declares the settings, the schema, activation, extension kind and trust', () => {
    const settings = Object.keys(pkg.contributes.configuration.properties);
    for (const s of ['octet.threads', 'octet.maxConcurrentJobs', 'octet.profileOnSave', 'octet.outlierCriteria.sqnrGapDb', 'octet.schemaContributedByClient']) assert.ok(settings.includes(s), s);
    assert.equal(pkg.contributes.configuration.properties['octet.schemaContributedByClient'].default, true);
    const validation = pkg.contributes.jsonValidation[0];
    assert.deepEqual(validation.fileMatch, ['octet.json', '*.octet.json']);
    assert.ok(fs.existsSync(path.join(root, validation.url)), validation.url);
    assert.ok(pkg.activationEvents.includes('workspaceContains:**/octet.json'));
    assert.ok(pkg.activationEvents.includes('onLanguage:json'));
    assert.deepEqual(pkg.extensionKind, ['workspace']);
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(pkg.main, 'dist/extension.js');
    assert.equal(pkg.bin['octet-server'], 'bin/octet-server.js');
  });
});
