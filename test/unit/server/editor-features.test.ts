// Completion of layer names, hovers that need the model, code lenses and commands.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { parseBertConfig } from '../../../engine/checkpoint/bert-config';
import { bertParameterShapes } from '../../../engine/checkpoint/bert-heads';
import { LspTestClient } from './lsp-test-client';
import { TinyProject, manifestText, positionAt, rangeOf, tinyConfigJson } from './tiny-project';

function hoverValue(hover: Hover | null): string {
  assert.ok(hover !== null, 'expected a hover');
  const contents = hover.contents as MarkupContent;
  assert.equal(typeof contents.value, 'string');
  return contents.value;
}

/** Position just after the first occurrence of `needle` (plus `shift` characters). */
function positionAfter(text: string, needle: string, shift = 0): { line: number; character: number } {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `${needle} not in text`);
  return positionAt(text, offset + needle.length + shift);
}

describe('editor features', () => {
  let project: TinyProject;
  let client: LspTestClient;
  let counter = 0;
  const nextUri = (): string => project.uri(`features${++counter}.octet.json`);

  before(async () => {
    project = await TinyProject.create();
    client = await LspTestClient.start();
  });

  after(async () => {
    await client?.stop();
    project?.remove();
  });

  it('completes layer names and patterns for a key being typed in layers', async () => {
    const text = manifestText({ layers: { enc: { mode: 'int8' } } });
    const uri = nextUri();
    await client.openAndSettle(uri, text);
    const items = await client.completion(uri, positionAfter(text, '"enc'));
    const labels = items.map((i) => i.label);
    for (const expected of ['encoder.layer.*.output.dense', 'encoder.layer.*.attention.self.query', 'encoder.layer.1.**', 'encoder.layer.0.attention.self.query', 'encoder.layer.1.output.dense', 'pooler.dense', 'classifier']) {
      assert.ok(labels.includes(expected), `${expected} missing from ${labels.join(', ')}`);
    }
    // 2 blocks x 6 linear layers + pooler + classifier, no more: nothing invented.
    assert.equal(items.filter((i) => i.detail === 'linear layer of the model').length, 14);
    const pattern = items.find((i) => i.label === 'encoder.layer.*.output.dense');
    assert.equal(pattern?.detail, 'matches 2 linear layers');
    // The key is replaced as a whole; its value stays.
    assert.deepEqual(pattern?.textEdit, { range: rangeOf(text, '"enc"'), newText: '"encoder.layer.*.output.dense"' });
  });

  it('inserts a whole entry when completing at an empty place in layers', async () => {
    const text = manifestText({ layers: {} }).replace('"layers": {}', '"layers": {\n    \n  }');
    const uri = nextUri();
    await client.openAndSettle(uri, text);
    const position = positionAfter(text, '"layers": {\n    ');
    const items = await client.completion(uri, position);
    const classifier = items.find((i) => i.label === 'classifier');
    assert.deepEqual(classifier?.textEdit, { range: { start: position, end: position }, newText: '"classifier": { "mode": "$1" }' });
    assert.equal(classifier?.insertTextFormat, 2);
  });

  it('offers only patterns that fit any BERT when the model cannot be read', async () => {
    const text = manifestText({ model: 'models/missing', layers: { x: {} } });
    const uri = nextUri();
    await client.openAndSettle(uri, text);
    const labels = (await client.completion(uri, positionAfter(text, '"x'))).map((i) => i.label);
    assert.ok(labels.includes('encoder.layer.*.output.dense'), labels.join(', '));
    assert.ok(labels.includes('classifier'), labels.join(', '));
    assert.ok(!labels.some((l) => /\.\d+\./.test(l)), `block numbers offered without a model: ${labels.join(', ')}`);
  });

  it('does not offer layer names outside layers', async () => {
    const text = manifestText({ task: { type: 'classification', nu: 2 } });
    const uri = nextUri();
    await client.openAndSettle(uri, text);
    const labels = (await client.completion(uri, positionAfter(text, '"nu'))).map((i) => i.label);
    assert.ok(!labels.includes('classifier'), labels.join(', '));
    // The schema's completion is there: task properties.
    assert.ok(labels.includes('numLabels'), labels.join(', '));
  });

  it('shows the architecture when hovering over model', async () => {
    const text = manifestText();
    const uri = nextUri();
    await client.openAndSettle(uri, text);
    const hover = await client.hover(uri, positionAfter(text, '"models/t'));
    const value = hoverValue(hover);
    const config = parseBertConfig(tinyConfigJson(), 'tiny');
    const parameters = [...bertParameterShapes(config, 'sequence-classification').values()].reduce((sum, s) => sum + s.reduce((a, b) => a * b, 1), 0);
    assert.match(value, /BertForSequenceClassification/);
    assert.match(value, /2 layers, hidden size 4, 2 attention heads, feed-forward 8/);
    assert.match(value, /vocabulary of 10 tokens, up to 16 positions/);
    assert.match(value, /sequence-classification head/);
    assert.ok(value.includes(`${parameters.toLocaleString('en-US')} parameters`), value);
    assert.match(value, /14 linear layers/);
    // The schema's description of the field follows.
    assert.match(value, /Hugging Face BERT checkpoint/);
    assert.deepEqual(hover?.range, rangeOf(text, '"models/tiny"'));
  });

  it('says why there is no summary when the model folder is missing', async () => {
    const text = manifestText({ model: 'models/gone' });
    const uri = nextUri();
    await client.openAndSettle(uri, text);
    assert.match(hoverValue(await client.hover(uri, positionAfter(text, '"mod'))), /model folder not found: models\/gone/);
  });

  it('shows the layers a pattern matches and the precision each gets', async () => {
    const text = manifestText({
      precision: { mode: 'int8-outlier', threshold: 6 },
      layers: {
        'encoder.layer.*.output.dense': { mode: 'int8' },
        'encoder.layer.1.output.dense': { threshold: 3, thresholdUnits: 'std' },
      },
    });
    const uri = nextUri();
    await client.openAndSettle(uri, text);
    const value = hoverValue(await client.hover(uri, positionAfter(text, '"encoder.layer.*.out')));
    assert.match(value, /matches 2 of the model's 14 linear layers/);
    assert.ok(value.includes('`encoder.layer.0.output.dense`: int8\n'), value);
    assert.ok(value.includes('`encoder.layer.1.output.dense`: int8-outlier, threshold 3 standard deviations (overridden by `encoder.layer.1.output.dense`)'), value);
  });

  it('offers fine-tune, profile and compare lenses with the manifest URI', async () => {
    const uri = nextUri();
    await client.openAndSettle(uri, manifestText());
    const lenses = await client.codeLenses(uri);
    assert.deepEqual(
      lenses?.map((l) => [l.command?.title, l.command?.command, l.command?.arguments]),
      [
        ['Fine-tune with int8 outliers', 'octet.fineTune', [uri]],
        ['Profile activations', 'octet.profile', [uri]],
        ['Compare precisions', 'octet.compare', [uri]],
      ],
    );
    assert.deepEqual(client.initializeResult.capabilities.executeCommandProvider?.commands, ['octet.fineTune', 'octet.profile', 'octet.compare']);
  });

  it('answers a run command on a manifest that is not on disk with a clear error (jobs.test.ts runs them)', async () => {
    const uri = nextUri();
    await assert.rejects(client.executeCommand('octet.fineTune', [uri]), /there is no manifest at .*features\d+\.octet\.json \(save it first\)/);
    await assert.rejects(client.executeCommand('octet.profile', []), /takes the manifest's URI/);
  });
});
