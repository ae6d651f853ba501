import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseJsonlTable } from '../../../engine/data/jsonl';

const FILE = 'd/train.jsonl';

describe('parseJsonlTable', () => {
  it('turns object lines into named string fields, skipping blank lines', () => {
    const table = parseJsonlTable('{"text":"hi","label":1}\n\n{"label":0.5,"text":"yo"}\r\n', FILE);
    assert.deepEqual(table.columns, ['text', 'label']);
    assert.deepEqual(table.records, [
      { line: 1, fields: ['hi', '1'] },
      { line: 3, fields: ['yo', '0.5'] },
    ]);
  });

  it('turns array lines into positional fields; booleans and null become text', () => {
    const table = parseJsonlTable('["a", true]\n["b", null]\n', FILE);
    assert.equal(table.columns, null);
    assert.deepEqual(table.records.map((r) => r.fields), [['a', 'true'], ['b', '']]);
  });

  it('reports invalid JSON with its line', () => {
    assert.throws(() => parseJsonlTable('{"text":"a"}\n{"text": oops}\n', FILE), {
      code: 'malformed-file',
      location: { file: FILE, line: 2 },
      message: /not valid JSON/,
    });
  });

  it('reports a missing and an unexpected field by name', () => {
    assert.throws(() => parseJsonlTable('{"text":"a","label":1}\n{"text":"b"}\n', FILE), {
      location: { file: FILE, line: 2, field: 'label' },
      message: /missing field "label"/,
    });
    assert.throws(() => parseJsonlTable('{"text":"a"}\n{"text":"b","extra":2}\n', FILE), {
      location: { file: FILE, line: 2, field: 'extra' },
      message: /unexpected field "extra"/,
    });
  });

  it('rejects nested values, scalars per line and mixed objects/arrays', () => {
    assert.throws(() => parseJsonlTable('{"text":{"a":1}}\n', FILE), { location: { file: FILE, line: 1, field: 'text' } });
    assert.throws(() => parseJsonlTable('"just a string"\n', FILE), { message: /JSON object or a JSON array/ });
    assert.throws(() => parseJsonlTable('{"t":1}\n[1]\n', FILE), {
      location: { file: FILE, line: 2 },
      message: /JSON array but earlier lines are objects/,
    });
  });
});
