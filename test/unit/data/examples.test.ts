import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { loadExamples } from '../../../engine/data/examples';
import { makeTempFolder } from './temp-files';

const tmp = makeTempFolder();
after(() => tmp.remove());

describe('loadExamples: classification', () => {
  it('infers numeric label order and returns examples with their lines', () => {
    const file = tmp.write('sst.tsv', 'sentence\tlabel\ngood film \t1\nbad\t0\nfine\t1\n');
    const data = loadExamples({ path: file, text: 'sentence', label: 'label', kind: 'classification' });
    assert.deepEqual(data.id2label, ['0', '1']);
    assert.deepEqual(data.labelCounts, [1, 2]);
    assert.deepEqual(data.examples, [
      { text: 'good film ', label: 1, line: 2 },
      { text: 'bad', label: 0, line: 3 },
      { text: 'fine', label: 1, line: 4 },
    ]);
    assert.equal('textPair' in data.examples[0]!, false);
  });

  it('reads sentence pairs and sorts word labels (entailment=0, not_entailment=1)', () => {
    const file = tmp.write('rte.tsv', 'index\ts1\ts2\tlabel\n0\ta\tb\tnot_entailment\n1\tc\td\tentailment\n');
    const data = loadExamples({ path: file, text: 's1', textPair: 's2', label: 'label', kind: 'classification' });
    assert.deepEqual(data.id2label, ['entailment', 'not_entailment']);
    assert.deepEqual(data.examples[0], { text: 'a', textPair: 'b', label: 1, line: 2 });
    assert.deepEqual(data.examples[1], { text: 'c', textPair: 'd', label: 0, line: 3 });
  });

  it('uses an explicit label list as the id order', () => {
    const file = tmp.write('words.csv', 'text,label\nhi,positive\nho,negative\n');
    const data = loadExamples({
      path: file, text: 'text', label: 'label', kind: 'classification', labels: ['positive', 'negative'],
    });
    assert.deepEqual(data.id2label, ['positive', 'negative']);
    assert.deepEqual(data.examples.map((e) => e.label), [0, 1]);
  });

  it('uses an explicit label map', () => {
    const file = tmp.write('map.csv', 'text,label\nhi,yes\nho,no\n');
    const data = loadExamples({ path: file, text: 'text', label: 'label', kind: 'classification', labels: { no: 0, yes: 1 } });
    assert.deepEqual(data.examples.map((e) => e.label), [1, 0]);
  });

  it('names file, line, column, value and known labels for an unknown label', () => {
    const file = tmp.write('unknown.tsv', 'text\tlabel\na\tpositive\nb\tmaybe\n');
    assert.throws(
      () => loadExamples({ path: file, text: 'text', label: 'label', kind: 'classification', labels: ['negative', 'positive'] }),
      {
        name: 'OctetError',
        code: 'malformed-file',
        location: { file, line: 3, field: 'label' },
        message: `${file}, line 3, label: unknown label "maybe" (known: negative, positive)`,
      },
    );
  });

  it('trims labels so a stray space does not create a class', () => {
    const file = tmp.write('spaces.tsv', 'text\tlabel\na\t1 \nb\t 0\n');
    const data = loadExamples({ path: file, text: 'text', label: 'label', kind: 'classification' });
    assert.deepEqual(data.id2label, ['0', '1']);
  });

  it('rejects an empty label', () => {
    const file = tmp.write('nolabel.tsv', 'text\tlabel\na\t1\nb\t\n');
    assert.throws(() => loadExamples({ path: file, text: 'text', label: 'label', kind: 'classification' }), {
      location: { file, line: 3, field: 'label' },
      message: /the label is empty/,
    });
  });
});

describe('loadExamples: regression', () => {
  it('parses float labels and reports their range', () => {
    const file = tmp.write('sts.tsv', 's1\ts2\tscore\na\tb\t5.000\nc\td\t0.25\n');
    const data = loadExamples({ path: file, text: 's1', textPair: 's2', label: 'score', kind: 'regression' });
    assert.deepEqual(data.examples.map((e) => e.label), [5, 0.25]);
    assert.deepEqual(data.labelRange, { min: 0.25, max: 5 });
  });

  it('rejects a label that is not a finite number', () => {
    for (const bad of ['high', 'NaN', '1e999']) {
      const file = tmp.write('bad-score.tsv', `s\tscore\na\t1.5\nb\t${bad}\n`);
      assert.throws(() => loadExamples({ path: file, text: 's', label: 'score', kind: 'regression' }), {
        code: 'malformed-file',
        message: `${file}, line 3, score: regression label "${bad}" is not a finite number`,
      });
    }
  });

  it('rejects an explicit label list', () => {
    const file = tmp.write('reg.tsv', 's\tscore\na\t1\n');
    assert.throws(() => loadExamples({ path: file, text: 's', label: 'score', kind: 'regression', labels: ['a'] }), {
      code: 'invalid-argument',
    });
  });
});

describe('loadExamples: columns and texts', () => {
  it('lists the available columns when a name is wrong', () => {
    const file = tmp.write('cols.tsv', 'sentence\tlabel\na\t1\n');
    assert.throws(() => loadExamples({ path: file, text: 'sentense', label: 'label', kind: 'classification' }), {
      code: 'invalid-argument',
      message: `${file}, line 1: text column "sentense" not found (available: "sentence", "label")`,
    });
  });

  it('reads a headerless file when all columns are indices (header defaults to false)', () => {
    const file = tmp.write('noheader.tsv', 'x\ta\t1\ny\tb\t0\n');
    const data = loadExamples({ path: file, text: 1, label: 2, kind: 'classification' });
    assert.deepEqual(data.examples.map((e) => [e.text, e.label, e.line]), [['a', 1, 1], ['b', 0, 2]]);
  });

  it('skips the header row with indices when header is true', () => {
    const file = tmp.write('indexed.tsv', 'id\ttext\tlabel\nx\ta\t1\n');
    const data = loadExamples({ path: file, text: 1, label: 2, kind: 'classification', header: true });
    assert.deepEqual(data.examples, [{ text: 'a', label: 0, line: 2 }]);
  });

  it('rejects a name when the file is read without a header, and an out-of-range index', () => {
    const file = tmp.write('noheader2.tsv', 'a\t1\n');
    assert.throws(() => loadExamples({ path: file, text: 'text', label: 1, kind: 'classification', header: false }), {
      message: /text column "text" is given by name, but the file is read without a header row/,
    });
    assert.throws(() => loadExamples({ path: file, text: 0, label: 2, kind: 'classification' }), {
      message: `${file}: label column index 2 is out of range: the file has 2 columns (indices 0..1)`,
    });
  });

  it('counts individual empty texts and text pairs', () => {
    const file = tmp.write('some-empty.tsv', 'a\tb\tl\nx\t\t1\n \ty\t0\nz\tw\t1\n');
    const data = loadExamples({ path: file, text: 'a', textPair: 'b', label: 'l', kind: 'classification' });
    assert.equal(data.emptyTexts, 1);
    assert.equal(data.emptyTextPairs, 1);
  });

  it('rejects a text column that is empty in every row', () => {
    const file = tmp.write('all-empty.tsv', 'a\tb\tl\nx\t\t1\ny\t \t0\n');
    assert.throws(() => loadExamples({ path: file, text: 'a', textPair: 'b', label: 'l', kind: 'classification' }), {
      code: 'malformed-file',
      location: { file, field: 'b' },
      message: /text column "b" is empty in all 2 rows/,
    });
  });

  it('loads JSONL by field name with numeric JSON labels', () => {
    const file = tmp.write('d.jsonl', '{"text":"a","label":1}\n{"text":"b","label":0}\n');
    const data = loadExamples({ path: file, text: 'text', label: 'label', kind: 'classification' });
    assert.deepEqual(data.id2label, ['0', '1']);
    assert.deepEqual(data.examples.map((e) => e.label), [1, 0]);
  });

  it('loads CSV with quoted multi-line text and keeps the starting line', () => {
    const file = tmp.write('multi.csv', 'text,label\r\n"line one\r\nline two",1\r\nsimple,0\r\n');
    const data = loadExamples({ path: file, text: 'text', label: 'label', kind: 'classification' });
    assert.deepEqual(data.examples.map((e) => e.line), [2, 4]);
    assert.equal(data.examples[0]!.text, 'line one\r\nline two');
  });
});
