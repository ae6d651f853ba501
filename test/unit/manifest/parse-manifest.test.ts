// parseManifest / loadManifest: the example parses, defaults are filled, paths are absolute,
// and invalid manifests raise one OctetError listing every problem.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { isOctetError } from '../../../engine/errors';
import { ManifestError, loadManifest, parseManifest } from '../../../engine/manifest';
import { EXAMPLE_MANIFEST, MANIFEST_PATH, minimalManifest } from './fixtures';

const DIR = path.dirname(MANIFEST_PATH);

function parseObject(json: unknown, manifestPath = MANIFEST_PATH) {
  return parseManifest(JSON.stringify(json, null, 2), manifestPath);
}

test('the example manifest parses into the resolved form', () => {
  const m = parseManifest(EXAMPLE_MANIFEST, MANIFEST_PATH);
  assert.equal(m.version, 1);
  assert.equal(m.manifestPath, MANIFEST_PATH);
  assert.equal(m.model, path.join(DIR, 'models/my-bert'));
  assert.deepEqual(m.task, { type: 'classification' });
  assert.deepEqual(m.data, {
    train: path.join(DIR, 'data/SST-2/train.tsv'),
    eval: path.join(DIR, 'data/SST-2/dev.tsv'),
    format: 'tsv',
    header: true,
    text: 'sentence',
    textPair: null,
    label: 'label',
  });
  assert.equal(m.train.learningRate, 2e-5);
  assert.equal(m.precision.mode, 'int8-outlier');
  assert.deepEqual(m.layers, [{ pattern: 'encoder.layer.*.output.dense', override: { mode: 'int8', threshold: 4 } }]);
  assert.equal(m.output, path.join(DIR, 'runs/sst2'));
});

test('a minimal manifest gets every default', () => {
  const m = parseObject(minimalManifest());
  assert.deepEqual(m.task, { type: 'classification' });
  assert.deepEqual(m.train, {
    epochs: 3,
    batchSize: 32,
    learningRate: 2e-5,
    weightDecay: 0.01,
    warmupRatio: 0,
    maxSeqLength: 128,
    gradientAccumulationSteps: 1,
    maxGradNorm: 1,
    seed: 42,
    evalEvery: 'epoch',
    saveEvery: 'epoch',
    keepCheckpoints: 2,
    metricForBestModel: 'accuracy',
  });
  assert.deepEqual(m.precision, {
    mode: 'int8-outlier',
    threshold: 5,
    thresholdUnits: 'absolute',
    rounding: { forward: 'nearest', backward: 'stochastic' },
    weightGradReusesSplit: true,
    granularity: 'tensor',
    outlierExponent: 'own',
  });
  assert.deepEqual(m.layers, []);
  assert.deepEqual(m.profile, { batches: 8, criteria: { sqnrGapDb: 6 } });
  assert.equal(m.data.header, true);
  assert.equal(m.data.textPair, null);
});

test('output defaults to runs/<name of the manifest folder>', () => {
  const m = parseObject(minimalManifest(), '/work/glue/mrpc/octet.json');
  assert.equal(m.output, '/work/glue/mrpc/runs/mrpc');
});

test('relative paths are resolved against the manifest folder, absolute ones kept', () => {
  const json = minimalManifest();
  json.model = '../shared/bert-base';
  json.data.train = '/data/train.tsv';
  json.output = 'out/run1';
  const m = parseObject(json, 'projects/a/octet.json');
  const dir = path.resolve('projects/a');
  assert.equal(m.manifestPath, path.join(dir, 'octet.json'));
  assert.equal(m.model, path.resolve(dir, '../shared/bert-base'));
  assert.equal(m.data.train, '/data/train.tsv');
  assert.equal(m.data.eval, path.join(dir, 'data/dev.tsv'));
  assert.equal(m.output, path.join(dir, 'out/run1'));
});

test('partial nested objects are completed from the defaults', () => {
  const json = minimalManifest();
  json.precision = { threshold: 2.5, thresholdUnits: 'std', rounding: { forward: 'stochastic' } };
  json.profile = { criteria: {} };
  const m = parseObject(json);
  assert.equal(m.precision.mode, 'int8-outlier');
  assert.equal(m.precision.threshold, 2.5);
  assert.equal(m.precision.thresholdUnits, 'std');
  assert.deepEqual(m.precision.rounding, { forward: 'stochastic', backward: 'stochastic' });
  assert.deepEqual(m.profile, { batches: 8, criteria: { sqnrGapDb: 6 } });
});

test('saveEvery follows evalEvery unless given', () => {
  const json = minimalManifest();
  json.train = { evalEvery: 250 };
  assert.equal(parseObject(json).train.saveEvery, 250);
  json.train.saveEvery = 'epoch';
  assert.equal(parseObject(json).train.saveEvery, 'epoch');
});

test('warmupSteps is kept and the ratio stays 0', () => {
  const json = minimalManifest();
  json.train = { warmupSteps: 100 };
  const m = parseObject(json);
  assert.equal(m.train.warmupSteps, 100);
  assert.equal(m.train.warmupRatio, 0);
});

test('the metric for the best model defaults by task', () => {
  const json = minimalManifest();
  json.task = { type: 'regression' };
  assert.equal(parseObject(json).train.metricForBestModel, 'pearson');
  json.task = { type: 'classification' };
  assert.equal(parseObject(json).train.metricForBestModel, 'accuracy');
});

test('regression has one output; explicit labels give the label count', () => {
  const json = minimalManifest();
  json.task = { type: 'regression' };
  assert.deepEqual(parseObject(json).task, { type: 'regression', numLabels: 1 });
  json.task = { type: 'classification', labels: ['neg', 'pos'], positiveLabel: 'pos' };
  assert.deepEqual(parseObject(json).task, { type: 'classification', labels: ['neg', 'pos'], numLabels: 2, positiveLabel: 'pos' });
});

test('the data format comes from the train file extension; jsonl has no header', () => {
  const json = minimalManifest();
  json.data = { train: 'd/train.jsonl', text: 'text', label: 'label' };
  let m = parseObject(json);
  assert.equal(m.data.format, 'jsonl');
  assert.equal(m.data.header, false);
  json.data = { train: 'd/train.CSV', text: 0, label: 1, header: false };
  m = parseObject(json);
  assert.equal(m.data.format, 'csv');
  assert.equal(m.data.header, false);
  json.data = { train: 'd/train.txt', format: 'tsv', text: 'a', label: 'b' };
  assert.equal(parseObject(json).data.format, 'tsv');
});

test('layer rules keep the order written, even for integer-like keys', () => {
  // A plain JS object would list "7" first; the order matters for ties between patterns.
  const text = JSON.stringify(minimalManifest()).replace(/}$/, ', "layers": { "classifier": { "mode": "fp32" }, "7": { "mode": "int8" } } }');
  const m = parseManifest(text, MANIFEST_PATH);
  assert.deepEqual(
    m.layers.map((r) => r.pattern),
    ['classifier', '7'],
  );
});

test('a "$schema" link is accepted and not part of the result', () => {
  const m = parseObject({ $schema: './octet.schema.json', ...minimalManifest() });
  assert.equal('$schema' in m, false);
});

test('an invalid manifest throws one malformed-file error listing every problem', () => {
  const text = '{\n  "version": 1,\n  "model": "m",\n  "data": { "train": "t.tsv", "text": "s", "label": "l" },\n  "train": { "epochs": 0, "batchsize": 8 }\n}\n';
  assert.throws(
    () => parseManifest(text, MANIFEST_PATH),
    (e: unknown) => {
      assert.ok(e instanceof ManifestError);
      assert.ok(isOctetError(e));
      assert.equal(e.code, 'malformed-file');
      assert.deepEqual(e.location, { file: MANIFEST_PATH, line: 5, field: 'train.epochs' });
      assert.equal(e.issues.length, 2);
      assert.deepEqual(
        e.issues.map((i) => i.field),
        ['train.epochs', 'train.batchsize'],
      );
      assert.match(e.message, /^\/projects\/sst2\/octet\.json, line 5, train\.epochs: must be at least 1, found 0 \(and 1 more problem\)$/);
      return true;
    },
  );
});

test('loadManifest reads a file, or the octet.json in a folder', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octet-manifest-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'octet.json'), '\ufeff' + EXAMPLE_MANIFEST);
  const fromFile = loadManifest(path.join(dir, 'octet.json'));
  assert.equal(fromFile.model, path.join(dir, 'models/my-bert'));
  const fromFolder = loadManifest(dir);
  assert.deepEqual(fromFolder, fromFile);
});

test('loadManifest reports a missing file as file-not-found', () => {
  const missing = path.join(os.tmpdir(), 'octet-no-such-dir', 'octet.json');
  assert.throws(
    () => loadManifest(missing),
    (e: unknown) => isOctetError(e) && e.code === 'file-not-found' && e.location.file === missing,
  );
});
