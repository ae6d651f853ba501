import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readTable } from '../../../engine/data/table';
import { resolveDataFormat } from '../../../engine/data/formats';
import { makeTempFolder } from './temp-files';

const tmp = makeTempFolder();
after(() => tmp.remove());

describe('resolveDataFormat', () => {
  it('maps extensions case-insensitively', () => {
    assert.equal(resolveDataFormat('a/train.TSV'), 'tsv');
    assert.equal(resolveDataFormat('a/train.csv'), 'csv');
    assert.equal(resolveDataFormat('a/train.jsonl'), 'jsonl');
    assert.equal(resolveDataFormat('a/train.ndjson'), 'jsonl');
  });

  it('lets an explicit format override the extension', () => {
    assert.equal(resolveDataFormat('a/train.txt', 'tsv'), 'tsv');
  });

  it('rejects an unknown extension and an unknown explicit format', () => {
    assert.throws(() => resolveDataFormat('a/train.txt'), { code: 'unsupported', message: /"\.txt"/ });
    assert.throws(() => resolveDataFormat('a/train.tsv', 'xlsx'), {
      code: 'invalid-argument',
      message: 'a/train.tsv: unknown data format "xlsx" (known: tsv, csv, jsonl)',
    });
  });
});

describe('readTable', () => {
  it('reads TSV quotes as text, not as quoting (GLUE rows contain stray quotes)', () => {
    const file = tmp.write('quotes.tsv', 'sentence\tlabel\n" the witness " said\t1\nit\'s "fine\t0\n');
    const table = readTable(file);
    assert.deepEqual(table.columns, ['sentence', 'label']);
    assert.deepEqual(table.rows, [
      { line: 2, fields: ['" the witness " said', '1'] },
      { line: 3, fields: ['it\'s "fine', '0'] },
    ]);
  });

  it('handles a BOM, CRLF line ends and a trailing empty line', () => {
    const file = tmp.write('crlf.tsv', '\uFEFFQuality\t#1 String\r\n1\ta\r\n0\tb\r\n\r\n');
    const table = readTable(file);
    assert.deepEqual(table.columns, ['Quality', '#1 String']);
    assert.deepEqual(table.rows.map((r) => r.fields), [['1', 'a'], ['0', 'b']]);
  });

  it('reads a headerless file when header is false', () => {
    const file = tmp.write('noheader.tsv', 'a\t1\nb\t0\n');
    const table = readTable(file, { header: false });
    assert.equal(table.columns, null);
    assert.equal(table.width, 2);
    assert.deepEqual(table.rows.map((r) => r.line), [1, 2]);
  });

  it('reports a row with the wrong number of fields with file and line', () => {
    const file = tmp.write('ragged.tsv', 'sentence\tlabel\nok\t1\ntoo\tmany\t1\n');
    assert.throws(() => readTable(file), {
      code: 'malformed-file',
      message: `${file}, line 3: expected 2 fields (as in the header row), found 3 (fields are separated by tabs)`,
    });
  });

  it('measures a headerless file against its first row', () => {
    const file = tmp.write('ragged.csv', 'a,1\nb\n');
    assert.throws(() => readTable(file, { header: false }), {
      message: `${file}, line 2: expected 2 fields (as on line 1), found 1`,
    });
  });

  it('rejects an empty file and a file with only whitespace lines', () => {
    for (const [name, content] of [['empty.tsv', ''], ['blank.tsv', '\n\r\n'], ['bom-only.csv', '\uFEFF']] as const) {
      const file = tmp.write(name, content);
      assert.throws(() => readTable(file), { code: 'malformed-file', message: `${file}: the file is empty (no data rows)` });
    }
  });

  it('rejects a file that has only a header row', () => {
    const file = tmp.write('header-only.csv', 'text,label\r\n');
    assert.throws(() => readTable(file), {
      code: 'malformed-file',
      message: `${file}, line 1: the file has a header row but no data rows`,
    });
  });

  it('reads CSV through the RFC 4180 reader', () => {
    const file = tmp.write('q.csv', 'text,label\n"a, b",1\n');
    assert.deepEqual(readTable(file).rows, [{ line: 2, fields: ['a, b', '1'] }]);
  });

  it('uses an explicit format regardless of the extension', () => {
    const file = tmp.write('data.txt', 'text,label\n"a\tb",1\n');
    assert.deepEqual(readTable(file, { format: 'csv' }).rows[0]!.fields, ['a\tb', '1']);
  });
});
