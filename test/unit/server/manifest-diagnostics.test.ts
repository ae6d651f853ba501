// One bad manifest per class of problem, checked through the built server over JSON-RPC: the
// diagnostic's exact range (line/character) and its message.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ERROR, WARNING, findDiagnostic, listing } from './diagnostic-assertions';
import { LspTestClient } from './lsp-test-client';
import { TinyProject, manifestText, rangeOf } from './tiny-project';

describe('manifest diagnostics', () => {
  let project: TinyProject;
  let client: LspTestClient;
  let counter = 0;
  /** Each test gets its own manifest file in the shared project (named *.octet.json). */
  const nextUri = (): string => project.uri(`case${++counter}.octet.json`);

  before(async () => {
    project = await TinyProject.create();
    client = await LspTestClient.start();
  });

  after(async () => {
    await client?.stop();
    project?.remove();
  });

  it('reports nothing for a valid manifest', async () => {
    const diagnostics = await client.openAndSettle(project.uri('octet.json'), manifestText());
    assert.deepEqual(diagnostics, [], listing(diagnostics));
  });

  it('reports a JSON syntax error where the comma is missing', async () => {
    const text = '{\n  "version": 1\n  "model": "models/tiny"\n}\n';
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'expected ","');
    assert.equal(d.message, 'JSON syntax error: expected ","');
    assert.deepEqual(d.range, rangeOf(text, '"model"'));
    assert.equal(d.severity, ERROR);
    assert.equal(d.source, 'octet');
  });

  it('reports a value of the wrong type on the value', async () => {
    const text = manifestText({ train: { epochs: 'three' } });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'three');
    assert.equal(d.message, 'expected an integer, found the string "three"');
    assert.deepEqual(d.range, rangeOf(text, '"three"'));
    assert.equal(d.severity, ERROR);
  });

  it('reports an unknown property on its key, with a spelling suggestion and a quick fix', async () => {
    const text = manifestText({ train: { epoch: 2 } });
    const uri = nextUri();
    const diagnostics = await client.openAndSettle(uri, text);
    const d = findDiagnostic(diagnostics, 'unknown property');
    assert.equal(d.message, 'unknown property "epoch" in train (did you mean "epochs"?)');
    assert.deepEqual(d.range, rangeOf(text, '"epoch"'));
    const actions = await client.codeActions(uri, [d]);
    assert.equal(actions?.length, 1);
    assert.deepEqual(actions?.[0].edit?.changes?.[uri], [{ range: d.range, newText: '"epochs"' }]);
  });

  it('reports a missing model folder on the model value', async () => {
    const text = manifestText({ model: 'models/missing' });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'model folder');
    assert.equal(d.message, 'model folder not found: models/missing');
    assert.deepEqual(d.range, rangeOf(text, '"models/missing"'));
    assert.equal(d.code, 'model-not-found');
    assert.equal(d.severity, ERROR);
  });

  it('reports a missing data file on its path', async () => {
    const text = manifestText({ data: { train: 'data/nope.tsv', text: 'sentence', label: 'label' } });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'data file not found');
    assert.equal(d.message, 'data file not found: data/nope.tsv');
    assert.deepEqual(d.range, rangeOf(text, '"data/nope.tsv"'));
    assert.equal(d.code, 'data-not-found');
  });

  it('reports a column that is not in the header, listing the available ones', async () => {
    const text = manifestText({ data: { train: 'data/train.tsv', text: 'sentense', label: 'label' } });
    const uri = nextUri();
    const diagnostics = await client.openAndSettle(uri, text);
    const d = findDiagnostic(diagnostics, 'sentense');
    assert.equal(d.message, 'column "sentense" is not in data/train.tsv (did you mean "sentence"?); its columns are "sentence", "label"');
    assert.deepEqual(d.range, rangeOf(text, '"sentense"'));
    assert.equal(d.code, 'column-not-found');
    const actions = await client.codeActions(uri, [d]);
    assert.deepEqual(actions?.[0].edit?.changes?.[uri], [{ range: d.range, newText: '"sentence"' }]);
  });

  it('reports nothing for a squad manifest over jsonl questions with nested answers', async () => {
    project.write('data/squad.jsonl', '{"id": "a", "question": "Who?", "context": "The cat.", "answers": {"text": ["The cat"], "answer_start": [0]}}\n');
    const text = manifestText({ task: { type: 'squad' }, data: { train: 'data/squad.jsonl' } });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    assert.deepEqual(diagnostics, [], listing(diagnostics));
  });

  it('names the fields of a jsonl file when a column is not among them', async () => {
    project.write('data/train.jsonl', '{"text": "fine", "label": "1"}\n{"text": "dull", "label": "0"}\n');
    const text = manifestText({ data: { train: 'data/train.jsonl', text: 'sentence', label: 'label' } });
    const d = findDiagnostic(await client.openAndSettle(nextUri(), text), 'sentence');
    assert.equal(d.message, 'column "sentence" is not in data/train.jsonl; its fields are "text", "label"');
    assert.deepEqual(d.range, rangeOf(text, '"sentence"'));
  });

  it('reads only the start of a large data file, cutting at a line end', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `sentence number ${i} of a long file\t${i % 2}`);
    project.write('data/large.tsv', `sentence\tlabel\n${rows.join('\n')}\n`);
    const data = { train: 'data/large.tsv', text: 'sentence', label: 'label' };
    const clean = await client.openAndSettle(nextUri(), manifestText({ data, task: { type: 'classification', labels: ['0', '1'] } }));
    assert.deepEqual(clean, [], listing(clean));
    const text = manifestText({ data, task: { type: 'classification', labels: ['0', '2'] } });
    const d = findDiagnostic(await client.openAndSettle(nextUri(), text), 'not in task.labels');
    assert.equal(d.message, 'data/large.tsv has label not in task.labels: "1" (line 3) (first 5000 rows checked)');
  });

  it('reports labels in the data that task.labels does not list', async () => {
    const text = manifestText({ task: { type: 'classification', labels: ['0', '2'] } });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const trainProblem = findDiagnostic(diagnostics, 'data/train.tsv has label');
    assert.equal(trainProblem.message, 'data/train.tsv has label not in task.labels: "1" (line 2)');
    assert.deepEqual(trainProblem.range, rangeOf(text, '[\n      "0",\n      "2"\n    ]'));
    assert.equal(trainProblem.code, 'label-unknown');
    // The eval file is checked too.
    findDiagnostic(diagnostics, 'data/dev.tsv has label');
  });

  it('reports non-numeric labels for a regression task on the label column', async () => {
    const project2 = project;
    project2.write('data/words.tsv', 'sentence\tscore\nfine\t0.5\nodd\thigh\n');
    const text = manifestText({ task: { type: 'regression' }, data: { train: 'data/words.tsv', text: 'sentence', label: 'score' } });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'numeric labels');
    assert.equal(d.message, 'a regression task needs numeric labels, but data/words.tsv line 3 has "high" in this column');
    assert.deepEqual(d.range, rangeOf(text, '"score"'));
  });

  it('reports a layer pattern that matches no layer of the model as an error (runs refuse it), on its key', async () => {
    const text = manifestText({ layers: { 'encoder.layer.*.output.dense': { mode: 'int8' }, 'encoder.layer.*.outptu.dense': { mode: 'fp32' } } });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'matches no linear layer');
    assert.equal(d.message, 'layer pattern "encoder.layer.*.outptu.dense" matches no linear layer of the model (did you mean "encoder.layer.*.output.dense"?)');
    assert.deepEqual(d.range, rangeOf(text, '"encoder.layer.*.outptu.dense"'));
    assert.equal(d.severity, ERROR);
    assert.equal(d.code, 'layer-pattern-unmatched');
  });

  it('reports a corrupt config.json on the model value, naming the file', async () => {
    project.write('models/broken/config.json', '{"model_type": "bert", "hidden_size": ');
    const text = manifestText({ model: 'models/broken' });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'config.json');
    assert.match(d.message, /^models\/broken\/config\.json: not valid JSON \(/);
    assert.deepEqual(d.range, rangeOf(text, '"models/broken"'));
    assert.equal(d.code, 'model-config-invalid');
  });

  it('reports an unsupported architecture in config.json', async () => {
    project.write('models/gpt/config.json', JSON.stringify({ model_type: 'gpt2' }));
    const text = manifestText({ model: 'models/gpt' });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'gpt2');
    assert.match(d.message, /^models\/gpt\/config\.json, model_type: model_type "gpt2" is unsupported/);
    assert.deepEqual(d.range, rangeOf(text, '"models/gpt"'));
  });

  it('reports a model folder without config.json', async () => {
    fs.mkdirSync(project.path('models/empty'), { recursive: true });
    const text = manifestText({ model: 'models/empty' });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'has no config.json');
    assert.deepEqual(d.range, rangeOf(text, '"models/empty"'));
    assert.equal(d.code, 'model-config-missing');
  });

  it('reports a truncated model.safetensors, naming the file', async () => {
    await project.writeModel('models/truncated');
    const weights = project.path('models/truncated/model.safetensors');
    const bytes = fs.readFileSync(weights);
    fs.writeFileSync(weights, bytes.subarray(0, bytes.length - 40));
    const text = manifestText({ model: 'models/truncated' });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'model.safetensors');
    assert.match(d.message, /^models\/truncated\/model\.safetensors, tensor ".+": data_offsets \[\d+, \d+\] run past the end of the data/);
    assert.equal(d.code, 'model-weights-invalid');
  });

  it('reports weights whose shapes do not match config.json', async () => {
    await project.writeModel('models/mismatch');
    project.write('models/mismatch/config.json', JSON.stringify({ model_type: 'bert', hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 8, vocab_size: 10, max_position_embeddings: 16 }));
    const text = manifestText({ model: 'models/mismatch' });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'implies');
    assert.match(d.message, /does not belong|do not belong/);
    assert.equal(d.code, 'model-weights-invalid');
  });

  it('reports maxSeqLength above the model\'s max_position_embeddings', async () => {
    const text = manifestText({ train: { maxSeqLength: 64 } });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'max_position_embeddings');
    assert.equal(d.message, "maxSeqLength 64 exceeds the model's max_position_embeddings (16)");
    assert.deepEqual(d.range, rangeOf(text, '64'));
  });

  it('reports cross-field rules of the engine (no schema can express them)', async () => {
    const text = manifestText({ train: { warmupRatio: 0.1, warmupSteps: 10 } });
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'not both');
    assert.deepEqual(d.range, rangeOf(text, '"warmupSteps"'));
  });

  it('reports a duplicate key once, on the copy that would be ignored', async () => {
    const text = '{\n  "version": 1,\n  "model": "models/tiny",\n  "model": "models/tiny",\n  "data": {"train": "data/train.tsv", "text": "sentence", "label": "label"}\n}\n';
    const diagnostics = await client.openAndSettle(nextUri(), text);
    const d = findDiagnostic(diagnostics, 'duplicate');
    assert.equal(d.message, 'duplicate property "model"; only the last one would count');
    assert.deepEqual(d.range, rangeOf(text, '"model"', 2));
    assert.equal(diagnostics.length, 1, listing(diagnostics));
  });
});
