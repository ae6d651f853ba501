// Outlier annotations of the language server, over real JSON-RPC to the built server: a tiny model
// with SYNTHETIC planted outliers (engine/fixtures/plant-outliers.ts) is profiled in the server's
// child process; the outlier-heavy layers must be exactly those `octet profile --json` names for
// the same batches, each reported on the `layers` entry that decides its precision (or on
// `model`), with the severity its mode calls for. Hover, code actions, settings and the cache
// are checked through the protocol too.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, MarkupContent, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { validateManifestText } from '../../../engine/manifest';
import type { ActivationProfile } from '../../../engine/profile/types';
import { runCli } from '../../helpers/cli';
import { createPlantedProject, type PlantedProject } from '../../helpers/planted-project';
import { listing } from './diagnostic-assertions';
import { LspTestClient, type TestDiagnostic } from './lsp-test-client';
import { positionAt, rangeOf } from './tiny-project';

const WARNING = 2;
const INFORMATION = 3;
const HINT = 4;
const READY = 'outlier annotations ready for ';
/** What the server profiles for annotations: min(profile.batches, 4) batches. */
const BATCHES = '4';

/**
 * Plain int8 everywhere except: layer 0's attention inputs run int8-outlier, but its query stays
 * fp32 and its value plain int8; a layer-1 pattern changes only the threshold (the mode stays int8).
 */
const LAYERS = {
  'encoder.layer.0.attention.self.*': { mode: 'int8-outlier' },
  'encoder.layer.0.attention.self.query': { mode: 'fp32' },
  'encoder.layer.0.attention.self.value': { mode: 'int8' },
  'encoder.layer.1.**': { threshold: 5 },
};

/** Which entry each layer's diagnostic belongs on, and its severity, written out by hand. */
function expectedPlacement(layer: string): { anchor: string; severity: number } {
  if (layer === 'encoder.layer.0.attention.self.query') return { anchor: '"encoder.layer.0.attention.self.query"', severity: HINT };
  if (layer === 'encoder.layer.0.attention.self.value') return { anchor: '"encoder.layer.0.attention.self.value"', severity: WARNING };
  if (layer.startsWith('encoder.layer.0.attention.self.')) return { anchor: '"encoder.layer.0.attention.self.*"', severity: INFORMATION };
  if (layer.startsWith('encoder.layer.1.')) return { anchor: '"encoder.layer.1.**"', severity: WARNING };
  return { anchor: '"planted-model"', severity: WARNING };
}

const outlierDiagnostics = (items: TestDiagnostic[]): TestDiagnostic[] => items.filter((d) => d.code === 'outlier-heavy');
const layerOf = (d: TestDiagnostic): string => d.message.split(' ')[0];

function applyEdits(text: string, uri: string, action: CodeAction): string {
  const edits: TextEdit[] = action.edit?.changes?.[uri] ?? [];
  assert.ok(edits.length > 0, `${action.title} has edits for ${uri}`);
  return TextDocument.applyEdits(TextDocument.create(uri, 'json', 1, text), edits);
}

describe('outlier annotations', () => {
  let project: PlantedProject;
  let cacheDir: string;
  let manifestText: string;
  /** Outlier-heavy layers by `octet profile --json` on the same manifest and batches. */
  let heavy: string[];
  let client: LspTestClient;
  let counter = 0;

  before(async () => {
    project = await createPlantedProject();
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'octet-profile-cache-test-'));
    const planted = JSON.parse(fs.readFileSync(project.plantedManifestPath, 'utf8')) as Record<string, unknown>;
    manifestText = JSON.stringify({ ...planted, precision: { mode: 'int8', threshold: 5 }, layers: LAYERS }, null, 2) + '\n';
    const cliManifest = path.join(project.dir, 'cli.octet.json');
    fs.writeFileSync(cliManifest, manifestText);
    const cli = runCli(['profile', cliManifest, '--batches', BATCHES, '--json', '--threads', '1']);
    assert.equal(cli.status, 0, cli.stderr);
    heavy = (JSON.parse(cli.stdout) as ActivationProfile).outlierHeavyLayers;
    // The fixture must exercise every severity: fp32, int8-outlier and plain int8 layers among the heavy ones.
    const needed = ['encoder.layer.0.attention.self.query', 'encoder.layer.0.attention.self.key', 'encoder.layer.0.attention.self.value', 'encoder.layer.1.attention.self.value'];
    for (const layer of needed) {
      assert.ok(heavy.includes(layer), `${layer} is outlier-heavy in the planted model: ${heavy.join(', ')}`);
    }
    client = await LspTestClient.start({ initializationOptions: { profileOnSave: true }, env: { OCTET_PROFILE_CACHE_DIR: cacheDir } });
  });

  after(async () => {
    await client?.stop();
    fs.rmSync(project.dir, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  /** A new manifest file (on disk, as a saved manifest is) with `text`, its URI. */
  function writeManifest(text: string): string {
    const file = path.join(project.dir, `annotated${++counter}.octet.json`);
    fs.writeFileSync(file, text);
    return pathToFileURL(file).href;
  }

  async function openAndAnnotate(c: LspTestClient, uri: string, text: string): Promise<TestDiagnostic[]> {
    const before = c.logCount(READY + uri);
    c.open(uri, text);
    await c.waitFor(() => c.logCount(READY + uri) > before, `outlier annotations for ${uri}`, 60_000);
    return c.pull(uri);
  }

  async function saveAndAnnotate(c: LspTestClient, uri: string, version: number, text: string): Promise<TestDiagnostic[]> {
    fs.writeFileSync(new URL(uri), text);
    const before = c.logCount(READY + uri);
    c.change(uri, version, [{ text }]);
    c.save(uri);
    await c.waitFor(() => c.logCount(READY + uri) > before, `outlier annotations after saving ${uri}`, 60_000);
    return c.pull(uri);
  }

  it('reports each outlier-heavy layer once, on the entry that decides its precision, with the severity of its mode', async () => {
    const uri = writeManifest(manifestText);
    const all = await openAndAnnotate(client, uri, manifestText);
    const found = outlierDiagnostics(all);
    assert.deepEqual(found.map(layerOf).sort(), [...heavy].sort(), listing(all));
    for (const d of found) {
      const layer = layerOf(d);
      const expected = expectedPlacement(layer);
      assert.deepEqual(d.range, rangeOf(manifestText, expected.anchor), `${layer} on ${expected.anchor}`);
      assert.equal(d.severity, expected.severity, `${layer}: ${d.message}`);
      assert.equal(d.source, 'octet');
      assert.match(d.message, /% of its input exceeds 5\.00 \(max \|x\| [\d.]+, \d+ columns?: dims [\d, ]+(and \d+ more)?\); output SQNR [\d.]+ dB plain int8 vs [\d.]+ dB tiled/);
    }
    const byLayer = new Map(found.map((d) => [layerOf(d), d.message]));
    assert.match(byLayer.get('encoder.layer.1.attention.self.value')!, /runs plain int8: precision will be lost/);
    assert.match(byLayer.get('encoder.layer.0.attention.self.key')!, /int8-outlier handles it: \d+ columns tiled/);
    assert.match(byLayer.get('encoder.layer.0.attention.self.query')!, /stays fp32/);
    // The planted dimensions are named in the numbers.
    assert.match(byLayer.get('encoder.layer.0.attention.self.query')!, /dims (5, 17|17, 5)/);
    // Merged with the semantic checks' diagnostics: none here, the manifest is valid.
    assert.deepEqual(all.filter((d) => d.code !== 'outlier-heavy'), [], listing(all));
    client.close(uri);
  });

  it('shows the per-layer table on hover over `model` and over a `layers` entry', async () => {
    const uri = writeManifest(manifestText);
    await openAndAnnotate(client, uri, manifestText);
    const onModel = await client.hover(uri, positionAt(manifestText, manifestText.indexOf('"planted-model"') + 3));
    const modelValue = (onModel?.contents as MarkupContent).value;
    assert.match(modelValue, /\*\*Activation profile\*\* \(4 calibration batches, \d+ tokens\): \d+ of 14 layers outlier-heavy/);
    assert.match(modelValue, /\| layer \| mode \| > threshold \| max \\\|x\\\| \| columns \| SQNR int8 \(dB\) \| SQNR tiled \(dB\) \| verdict \|/);
    assert.match(modelValue, /\| `encoder\.layer\.0\.attention\.self\.query` \| fp32 \| [\d.]+% \| [\d.]+ \| (5, 17|17, 5) \| [\d.]+ \| [\d.]+ \| \*\*outlier-heavy\*\* \|/);
    assert.match(modelValue, /\| `classifier` \| int8 \| 0 \| [\d.]+ \| - \| [\d.]+ \| [\d.]+ \| clean \|/);
    const onPattern = await client.hover(uri, positionAt(manifestText, manifestText.indexOf('"encoder.layer.1.**"') + 3));
    const patternValue = (onPattern?.contents as MarkupContent).value;
    const rows = patternValue.split('\n').filter((l) => l.startsWith('| `'));
    assert.equal(rows.length, 6, patternValue);
    assert.ok(rows.every((r) => r.startsWith('| `encoder.layer.1.')), patternValue);
    assert.match(patternValue, /\| `encoder\.layer\.1\.attention\.self\.value` \| int8 \|.*\*\*outlier-heavy\*\* \|/);
    client.close(uri);
  });

  it('a code action\'s edit, applied and saved, leaves a valid manifest without that warning', async () => {
    const uri = writeManifest(manifestText);
    const before = outlierDiagnostics(await openAndAnnotate(client, uri, manifestText));
    const warning = before.find((d) => layerOf(d) === 'encoder.layer.1.attention.self.value');
    assert.ok(warning, listing(before));
    assert.equal(warning.severity, WARNING);
    const actions = (await client.codeActions(uri, [warning])) ?? [];
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Keep encoder.layer.1.attention.self.value in fp32'), titles.join('\n'));
    const useOutlier = actions.find((a) => a.title === 'Use int8-outlier for encoder.layer.1.attention.self.value');
    assert.ok(useOutlier, titles.join('\n'));
    assert.equal(useOutlier.isPreferred, true);

    const edited = applyEdits(manifestText, uri, useOutlier);
    assert.deepEqual(validateManifestText(edited), [], edited);
    assert.deepEqual((JSON.parse(edited) as { layers: Record<string, unknown> }).layers['encoder.layer.1.attention.self.value'], { mode: 'int8-outlier' });
    const after = outlierDiagnostics(await saveAndAnnotate(client, uri, 2, edited));
    const fixed = after.filter((d) => layerOf(d) === 'encoder.layer.1.attention.self.value');
    assert.equal(fixed.length, 1, listing(after));
    assert.equal(fixed[0].severity, INFORMATION, fixed[0].message);
    assert.deepEqual(fixed[0].range, rangeOf(edited, '"encoder.layer.1.attention.self.value"'));
    // The other warnings are untouched.
    const remaining = after.filter((d) => d.severity === WARNING);
    assert.deepEqual(remaining.map(layerOf).sort(), before.filter((d) => d.severity === WARNING && d !== warning).map(layerOf).sort());
    client.close(uri);

    // Keeping a layer in fp32 makes its diagnostic a hint (on a fresh copy of the manifest).
    const other = writeManifest(manifestText);
    const info = outlierDiagnostics(await openAndAnnotate(client, other, manifestText)).find((d) => layerOf(d) === 'encoder.layer.0.attention.self.key');
    assert.equal(info?.severity, INFORMATION);
    const keepFp32 = ((await client.codeActions(other, [info])) ?? []).find((a) => a.title === 'Keep encoder.layer.0.attention.self.key in fp32');
    assert.ok(keepFp32);
    const fp32Text = applyEdits(manifestText, other, keepFp32);
    const fp32 = outlierDiagnostics(await saveAndAnnotate(client, other, 2, fp32Text)).filter((d) => layerOf(d) === 'encoder.layer.0.attention.self.key');
    assert.equal(fp32.length, 1);
    assert.equal(fp32[0].severity, HINT);
    client.close(other);

    // Fix all: every plain-int8 outlier-heavy layer gets int8-outlier at once; no warning is left.
    const all = writeManifest(manifestText);
    const warnings = outlierDiagnostics(await openAndAnnotate(client, all, manifestText)).filter((d) => d.severity === WARNING);
    assert.ok(warnings.length >= 2, listing(warnings));
    const fixAll = ((await client.codeActions(all, [warnings[0]])) ?? []).find((a) => a.title === `Use int8-outlier for all ${warnings.length} outlier-heavy layers that run plain int8`);
    assert.ok(fixAll, 'a fix-all action');
    const allFixed = applyEdits(manifestText, all, fixAll);
    assert.deepEqual(validateManifestText(allFixed), [], allFixed);
    const final = outlierDiagnostics(await saveAndAnnotate(client, all, 2, allFixed));
    assert.deepEqual(final.filter((d) => d.severity === WARNING), [], listing(final));
    assert.equal(final.length, heavy.length);
    client.close(all);
  });

  it('serves a reopened manifest from the cache, in memory and on disk across servers', async () => {
    const uri = writeManifest(manifestText);
    const profiledBefore = client.logCount(': profiled ');
    const first = outlierDiagnostics(await openAndAnnotate(client, uri, manifestText));
    // Same model, data and settings as the earlier tests' manifests: no new profile at all.
    assert.equal(client.logCount(': profiled '), profiledBefore);
    client.close(uri);
    const hits = client.logCount('cache hit (memory)');
    const reopened = outlierDiagnostics(await openAndAnnotate(client, uri, manifestText));
    assert.equal(client.logCount('cache hit (memory)'), hits + 1);
    assert.deepEqual(reopened, first);
    client.close(uri);

    const second = await LspTestClient.start({ initializationOptions: { profileOnSave: true }, env: { OCTET_PROFILE_CACHE_DIR: cacheDir } });
    try {
      const fromDisk = outlierDiagnostics(await openAndAnnotate(second, uri, manifestText));
      assert.equal(second.logCount('cache hit (disk)'), 1, second.logs.join('\n'));
      assert.equal(second.logCount(': profiled '), 0);
      assert.deepEqual(fromDisk, first);
    } finally {
      await second.stop();
    }
  });

  it('profileOnSave=false gives no outlier diagnostics; the criterion comes from the manifest, else the setting', async () => {
    const quiet = await LspTestClient.start({
      initializationOptions: { profileOnSave: false, outlierCriteria: { sqnrGapDb: 100 } },
      env: { OCTET_PROFILE_CACHE_DIR: cacheDir },
    });
    try {
      const uri = writeManifest(manifestText);
      const settled = await quiet.openAndSettle(uri, manifestText);
      assert.deepEqual(outlierDiagnostics(settled), []);
      await quiet.roundTrip();
      assert.equal(quiet.logCount('outlier profile'), 0, quiet.logs.join('\n'));

      // Turned on: profiled, but nothing gains more than 100 dB.
      const before = quiet.logCount(READY + uri);
      await quiet.connection.sendNotification('workspace/didChangeConfiguration', { settings: { octet: { profileOnSave: true } } });
      await quiet.waitFor(() => quiet.logCount(READY + uri) > before, 'annotations once profiling is on', 60_000);
      assert.deepEqual(outlierDiagnostics(await quiet.pull(uri)), []);

      // The manifest's own criterion takes precedence over the setting.
      const withCriteria = JSON.stringify({ ...JSON.parse(manifestText), profile: { criteria: { sqnrGapDb: 6 } } }, null, 2) + '\n';
      const edited = outlierDiagnostics(await quiet.replaceAndSettle(uri, 2, withCriteria));
      assert.deepEqual(edited.map(layerOf).sort(), [...heavy].sort(), listing(edited));
    } finally {
      await quiet.stop();
    }
  });

  it('pushes outlier diagnostics to a client without pull diagnostics', async () => {
    const push = await LspTestClient.start({ pull: false, initializationOptions: { profileOnSave: true }, env: { OCTET_PROFILE_CACHE_DIR: cacheDir } });
    try {
      const uri = writeManifest(manifestText);
      push.open(uri, manifestText);
      await push.waitFor(() => (push.published.get(uri) ?? []).some((p) => p.diagnostics.some((d) => d.code === 'outlier-heavy')), 'published outlier diagnostics', 60_000);
      const last = push.published.get(uri)!.at(-1)!;
      assert.deepEqual(last.diagnostics.filter((d) => d.code === 'outlier-heavy').map((d) => String(d.message).split(' ')[0]).sort(), [...heavy].sort());
    } finally {
      await push.stop();
    }
  });
});
