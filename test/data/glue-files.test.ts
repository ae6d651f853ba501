// The loaders against the real GLUE files in the shared data folder: row counts, column names,
// label orders and load time. Location: $OCTET_SHARED_DATA, else ../shared/data next to the repo.
// A missing folder fails the tests (with the path tried) rather than skipping them.

import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExamples, type ExampleSpec } from '../../engine/data';

// Compiled to out/test/data/, three levels below the repository root.
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SHARED_DATA = process.env.OCTET_SHARED_DATA ?? path.resolve(REPO_ROOT, '..', 'shared', 'data');

function glueFile(task: string, split: 'train' | 'dev'): string {
  const file = path.join(SHARED_DATA, 'glue', task, `${split}.tsv`);
  assert.ok(fs.existsSync(file), `shared GLUE file not found: ${file} (set OCTET_SHARED_DATA)`);
  return file;
}

type Columns = Omit<ExampleSpec, 'path' | 'kind'>;

function loadClassification(task: string, split: 'train' | 'dev', columns: Columns) {
  return loadExamples({ ...columns, path: glueFile(task, split), kind: 'classification' });
}

describe('GLUE SST-2', () => {
  const columns: Columns = { text: 'sentence', label: 'label' };

  it('train: 67,349 rows, labels 0/1, loads well under a second', () => {
    const started = performance.now();
    const data = loadClassification('SST-2', 'train', columns);
    const elapsedMs = performance.now() - started;
    assert.equal(data.examples.length, 67_349);
    assert.deepEqual(data.id2label, ['0', '1']);
    assert.equal(data.labelCounts[0]! + data.labelCounts[1]!, 67_349);
    assert.ok(data.labelCounts.every((c) => c > 20_000), `both classes well represented: ${data.labelCounts}`);
    assert.deepEqual(data.examples[0], { text: 'hide new secretions from the parental units ', label: 0, line: 2 });
    assert.ok(elapsedMs < 1000, `SST-2 train took ${elapsedMs.toFixed(0)} ms`);
  });

  it('dev: 872 rows', () => {
    const data = loadClassification('SST-2', 'dev', columns);
    assert.equal(data.examples.length, 872);
    assert.deepEqual(data.id2label, ['0', '1']);
    assert.equal(data.examples[871]!.line, 873);
  });
});

describe('GLUE MRPC', () => {
  // The header starts with a byte-order mark; "Quality" only matches if it was removed.
  const columns: Columns = { text: '#1 String', textPair: '#2 String', label: 'Quality' };

  it('train: 3,668 sentence pairs; quotes inside sentences are text', () => {
    const data = loadClassification('MRPC', 'train', columns);
    assert.equal(data.examples.length, 3_668);
    assert.deepEqual(data.id2label, ['0', '1']);
    const first = data.examples[0]!;
    assert.equal(first.label, 1);
    assert.ok(first.text.includes('" the witness "'), first.text);
    assert.ok(first.textPair!.startsWith('Referring to him as only " the witness "'), first.textPair);
  });

  it('dev: 408 sentence pairs', () => {
    const data = loadClassification('MRPC', 'dev', columns);
    assert.equal(data.examples.length, 408);
    assert.equal(data.emptyTexts + data.emptyTextPairs, 0);
  });
});

describe('GLUE RTE', () => {
  const columns: Columns = { text: 'sentence1', textPair: 'sentence2', label: 'label' };

  it('train: 2,490 pairs; word labels sorted to entailment=0, not_entailment=1', () => {
    const data = loadClassification('RTE', 'train', columns);
    assert.equal(data.examples.length, 2_490);
    assert.deepEqual(data.id2label, ['entailment', 'not_entailment']);
    assert.equal(data.examples[0]!.label, 1); // first row is not_entailment
  });

  it('dev: 277 pairs', () => {
    const data = loadClassification('RTE', 'dev', columns);
    assert.equal(data.examples.length, 277);
    assert.deepEqual(data.id2label, ['entailment', 'not_entailment']);
  });
});

describe('GLUE STS-B', () => {
  const spec = { text: 'sentence1', textPair: 'sentence2', label: 'score', kind: 'regression' } as const;

  for (const [split, rows] of [['train', 5_749], ['dev', 1_500]] as const) {
    it(`${split}: ${rows} pairs with float scores in 0..5`, () => {
      const data = loadExamples({ ...spec, path: glueFile('STS-B', split) });
      assert.equal(data.examples.length, rows);
      assert.ok(data.labelRange.min >= 0 && data.labelRange.max <= 5, JSON.stringify(data.labelRange));
      assert.ok(data.labelRange.max - data.labelRange.min > 4, 'scores span the scale');
      assert.ok(data.examples.some((e) => !Number.isInteger(e.label)), 'fractional scores survive');
    });
  }

  it('dev starts with the 5.000 pair', () => {
    const data = loadExamples({ ...spec, path: glueFile('STS-B', 'dev') });
    assert.deepEqual(data.examples[0], {
      text: 'A man with a hard hat is dancing.',
      textPair: 'A man wearing a hard hat is dancing.',
      label: 5,
      line: 2,
    });
  });
});
