// validateManifestText: every class of mistake yields a problem naming the right field and
// pointing at the right place, all problems come at once, and nothing makes it throw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateManifestText } from '../../../engine/manifest';
import { EXAMPLE_MANIFEST, minimalManifest, positionOf, problemsFor } from './fixtures';

function problemsOf(json: unknown): ReturnType<typeof validateManifestText> {
  return validateManifestText(JSON.stringify(json, null, 2));
}

test('the example manifest has no problems', () => {
  assert.deepEqual(validateManifestText(EXAMPLE_MANIFEST), []);
});

test('a JSON syntax error is reported at its line and column', () => {
  const text = '{\n  "version": 1,\n  "model": "m"\n  "data": {}\n}';
  const problems = validateManifestText(text);
  assert.equal(problems.length, 1);
  const at = positionOf(text, '"data"');
  assert.equal(problems[0].line, at.line);
  assert.equal(problems[0].column, at.column);
  assert.equal(problems[0].offset, at.offset);
  assert.match(problems[0].message, /expected ","/);
});

test('line and column count CRLF line ends and a byte-order mark correctly', () => {
  const text = '\ufeff{\r\n  "version": 1,\r\n  "model": @\r\n}';
  const [p] = validateManifestText(text);
  assert.equal(p.line, 3);
  assert.equal(p.column, 12);
  assert.equal(text[p.offset!], '@');
});

test('trailing commas and comments are syntax errors pointing at the culprit', () => {
  const trailing = '{\n  "version": 1,\n}';
  const [comma] = validateManifestText(trailing);
  assert.match(comma.message, /trailing comma/);
  assert.deepEqual([comma.line, comma.column], [2, 15]);
  const commented = '{\n  // the model\n  "version": 1\n}';
  const [comment] = validateManifestText(commented);
  assert.match(comment.message, /comments are not allowed/);
  assert.equal(comment.line, 2);
});

test('an empty file and a non-object are reported', () => {
  assert.match(validateManifestText('  \n')[0].message, /empty/);
  const [p] = validateManifestText('[1, 2]');
  assert.equal(p.field, '');
  assert.match(p.message, /expected an object, found an array/);
});

test('a wrong type names the field and what was found, at the value', () => {
  const json = minimalManifest();
  json.train = { batchSize: '32' };
  const text = JSON.stringify(json, null, 2);
  const [p] = problemsFor(validateManifestText(text), 'train.batchSize');
  assert.equal(p.message, 'expected an integer, found the string "32"');
  assert.equal(p.offset, positionOf(text, '"32"').offset);
  assert.equal(p.length, 4);
});

test('an unknown property is reported at its key, with a suggestion', () => {
  const json = minimalManifest();
  json.train = { batchsize: 16 };
  json.modle = 'x';
  const text = JSON.stringify(json, null, 2);
  const problems = validateManifestText(text);
  const [nested] = problemsFor(problems, 'train.batchsize');
  assert.match(nested.message, /unknown property "batchsize" in train \(did you mean "batchSize"\?\)/);
  assert.equal(nested.offset, positionOf(text, '"batchsize"').offset);
  const [top] = problemsFor(problems, 'modle');
  assert.match(top.message, /did you mean "model"/);
});

test('unknown properties are caught at every level', () => {
  const json = minimalManifest();
  json.precision = { rounding: { forwards: 'nearest' } };
  json.layers = { classifier: { mod: 'fp32' } };
  json.profile = { criteria: { sqnr: 3 } };
  json.data.labels = 'label';
  json.task = { type: 'classification', label: ['a'] };
  const problems = problemsOf(json);
  for (const field of ['precision.rounding.forwards', 'layers.classifier.mod', 'profile.criteria.sqnr', 'data.labels', 'task.label']) {
    assert.match(problemsFor(problems, field)[0].message, /unknown property/);
  }
});

test('a bad enum value lists the allowed values and suggests the close one', () => {
  const json = minimalManifest();
  json.precision = { mode: 'int8_outlier' };
  json.layers = { 'encoder.**': { thresholdUnits: 'sigma' } };
  const problems = problemsOf(json);
  assert.equal(
    problemsFor(problems, 'precision.mode')[0].message,
    'expected one of "fp32", "int8" or "int8-outlier", found the string "int8_outlier"; did you mean "int8-outlier"?',
  );
  assert.match(problemsFor(problems, 'layers["encoder.**"].thresholdUnits')[0].message, /expected one of "absolute" or "std"/);
});

test('missing required properties are reported under their own name', () => {
  const text = JSON.stringify({ version: 1, data: { text: 'a', label: 'b' } }, null, 2);
  const problems = validateManifestText(text);
  const [model] = problemsFor(problems, 'model');
  assert.equal(model.message, 'missing required property "model"');
  assert.equal(model.offset, 0);
  const [train] = problemsFor(problems, 'data.train');
  // Underlines the key of the object that lacks it.
  assert.equal(train.offset, positionOf(text, '"data"').offset);
});

test('version must be 1', () => {
  const json = minimalManifest();
  json.version = 2;
  assert.match(problemsFor(problemsOf(json), 'version')[0].message, /unsupported manifest version 2/);
});

test('number bounds and alternatives are explained', () => {
  const json = minimalManifest();
  json.train = { learningRate: 0, evalEvery: 0, warmupRatio: 1 };
  const problems = problemsOf(json);
  assert.equal(problemsFor(problems, 'train.learningRate')[0].message, 'must be greater than 0, found 0');
  assert.equal(problemsFor(problems, 'train.warmupRatio')[0].message, 'must be less than 1, found 1');
  const interval = problemsFor(problems, 'train.evalEvery');
  assert.equal(interval.length, 1, 'one message for the whole anyOf, not one per branch');
  assert.equal(interval[0].message, 'expected "epoch" or an integer of at least 1, found 0');
});

test('array items: duplicates and types name the item', () => {
  const json = minimalManifest();
  json.task = { type: 'classification', labels: ['neg', 'pos', 'neg'] };
  assert.match(problemsFor(problemsOf(json), 'task.labels[2]')[0].message, /duplicate item "neg"/);
  json.task = { type: 'classification', labels: ['neg', 1] };
  assert.match(problemsFor(problemsOf(json), 'task.labels[1]')[0].message, /expected a string, found 1/);
});

test('all problems are collected, in document order', () => {
  const text = [
    '{',
    '  "version": 1,',
    '  "model": 7,',
    '  "data": { "train": "t.tsv", "text": "s", "label": "l" },',
    '  "train": { "epochs": "3", "seed": -1 },',
    '  "precision": { "mode": "int4" }',
    '}',
  ].join('\n');
  const problems = validateManifestText(text);
  assert.deepEqual(
    problems.map((p) => [p.field, p.line]),
    [
      ['model', 3],
      ['train.epochs', 5],
      ['train.seed', 5],
      ['precision.mode', 6],
    ],
  );
});

test('duplicate keys are reported at the second one', () => {
  const text = '{ "version": 1, "model": "a", "model": "b", "data": { "train": "t.tsv", "text": "s", "label": "l" } }';
  const [p] = problemsFor(validateManifestText(text), 'model');
  assert.match(p.message, /duplicate property "model"/);
  assert.equal(p.offset, positionOf(text, '"model"', 2).offset);
});

test('warmupRatio and warmupSteps together are refused', () => {
  const json = minimalManifest();
  json.train = { warmupRatio: 0.1, warmupSteps: 10 };
  assert.match(problemsFor(problemsOf(json), 'train.warmupSteps')[0].message, /not both/);
});

test('label settings must agree with each other and with the task', () => {
  const json = minimalManifest();
  json.task = { type: 'classification', labels: ['a', 'b'], numLabels: 3, positiveLabel: 'c' };
  let problems = problemsOf(json);
  assert.match(problemsFor(problems, 'task.numLabels')[0].message, /numLabels is 3 but labels lists 2/);
  assert.match(problemsFor(problems, 'task.positiveLabel')[0].message, /not one of labels/);
  json.task = { type: 'regression', labels: ['a', 'b'], numLabels: 2 };
  problems = problemsOf(json);
  assert.match(problemsFor(problems, 'task.labels')[0].message, /only to classification/);
  assert.match(problemsFor(problems, 'task.numLabels')[0].message, /must be 1/);
  json.task = { type: 'classification', numLabels: 1 };
  assert.match(problemsFor(problemsOf(json), 'task.numLabels')[0].message, /at least 2/);
});

test('the metric for the best model must fit the task and needs eval data', () => {
  const json = minimalManifest();
  json.train = { metricForBestModel: 'pearson' };
  assert.match(problemsFor(problemsOf(json), 'train.metricForBestModel')[0].message, /not measured for classification/);
  delete json.data.eval;
  json.train = { metricForBestModel: 'f1', earlyStoppingPatience: 2 };
  const problems = problemsOf(json);
  assert.match(problemsFor(problems, 'train.metricForBestModel')[0].message, /needs evaluation data/);
  assert.match(problemsFor(problems, 'train.earlyStoppingPatience')[0].message, /needs evaluation data/);
});

test('data columns must suit the format', () => {
  const json = minimalManifest();
  json.data = { train: 'd.jsonl', text: 0, label: 'label', header: true };
  let problems = problemsOf(json);
  assert.match(problemsFor(problems, 'data.text')[0].message, /name the field/);
  assert.match(problemsFor(problems, 'data.header')[0].message, /only to tsv and csv/);
  json.data = { train: 'd.tsv', header: false, text: 0, textPair: 'b', label: 2 };
  problems = problemsOf(json);
  assert.match(problemsFor(problems, 'data.textPair')[0].message, /0-based column index/);
  assert.equal(problems.length, 1);
});

test('the data format must be knowable', () => {
  const json = minimalManifest();
  json.data = { train: 'data/train.txt', text: 'a', label: 'b' };
  assert.match(problemsFor(problemsOf(json), 'data.train')[0].message, /set data.format/);
  json.data = { train: 'data/train.tsv', eval: 'data/dev.csv', text: 'a', label: 'b' };
  assert.match(problemsFor(problemsOf(json), 'data.eval')[0].message, /says csv but the train file's says tsv/);
});

test('malformed layer patterns are problems at their key', () => {
  const json = minimalManifest();
  json.layers = {
    'encoder..dense': {},
    'encoder.layer.***': {},
    'encoder.layer*.dense': {},
    '': {},
    'bert.encoder.layer.*.output.dense': {},
    'encoder.**.dense': { mode: 'fp32' },
  };
  const text = JSON.stringify(json, null, 2);
  const problems = validateManifestText(text);
  assert.match(problemsFor(problems, 'layers["encoder..dense"]')[0].message, /empty segment/);
  assert.match(problemsFor(problems, 'layers["encoder.layer.***"]')[0].message, /not a wildcard/);
  assert.match(problemsFor(problems, 'layers["encoder.layer*.dense"]')[0].message, /whole segment/);
  assert.match(problemsFor(problems, 'layers[""]')[0].message, /must not be empty/);
  const [bert] = problemsFor(problems, 'layers["bert.encoder.layer.*.output.dense"]');
  assert.match(bert.message, /write "encoder\.layer\.\*\.output\.dense"/);
  assert.equal(bert.offset, positionOf(text, '"bert.encoder').offset);
  assert.equal(problems.length, 5, 'the valid pattern has no problem');
});

test('validateManifestText never throws, whatever the text', () => {
  // Every prefix of a real manifest: truncated strings, objects, numbers, keys.
  const samples = [EXAMPLE_MANIFEST, '{"layers": {"a": null, "b": [], "c": 1}}', '{"version": 1, "task": "x", "data": []}'];
  for (const sample of samples) {
    for (let cut = 0; cut <= sample.length; cut++) {
      const problems = validateManifestText(sample.slice(0, cut));
      assert.ok(Array.isArray(problems));
      for (const p of problems) assert.equal(typeof p.message, 'string');
    }
  }
  for (const odd of ['null', '1', '"x"', 'true', '{"__proto__": {"version": 1}}', '{"constructor": 1}']) {
    assert.ok(validateManifestText(odd).length > 0, odd);
  }
});
