import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseCsvRecords } from '../../../engine/data/csv';

const FILE = 'data/x.csv';

describe('parseCsvRecords (RFC 4180)', () => {
  it('splits plain fields on commas and records on LF or CRLF', () => {
    assert.deepEqual(parseCsvRecords('a,b\r\n1,2\n3,4', FILE), [
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and empty values', () => {
    const records = parseCsvRecords('"hello, world","say ""hi""",""\n', FILE);
    assert.deepEqual(records, [{ line: 1, fields: ['hello, world', 'say "hi"', ''] }]);
  });

  it('keeps line breaks inside quoted fields and numbers records by the line they start on', () => {
    const records = parseCsvRecords('text,label\n"two\nlines",1\nnext,0\n', FILE);
    assert.deepEqual(records, [
      { line: 1, fields: ['text', 'label'] },
      { line: 2, fields: ['two\nlines', '1'] },
      { line: 4, fields: ['next', '0'] },
    ]);
  });

  it('keeps empty fields at the ends of a record', () => {
    assert.deepEqual(parseCsvRecords(',x,\n', FILE), [{ line: 1, fields: ['', 'x', ''] }]);
  });

  it('drops trailing blank lines but keeps a final quoted empty field as a row', () => {
    assert.deepEqual(parseCsvRecords('t\na\n\n\r\n', FILE), [
      { line: 1, fields: ['t'] },
      { line: 2, fields: ['a'] },
    ]);
    assert.deepEqual(parseCsvRecords('t\n""\n', FILE), [
      { line: 1, fields: ['t'] },
      { line: 2, fields: [''] },
    ]);
  });

  it('rejects a quote inside an unquoted field, naming line and field', () => {
    assert.throws(() => parseCsvRecords('a,b\nx,say "hi"\n', FILE), {
      code: 'malformed-file',
      location: { file: FILE, line: 2 },
      message: /^data\/x\.csv, line 2: field 2: quote character inside an unquoted field/,
    });
  });

  it('rejects text after a closing quote', () => {
    assert.throws(() => parseCsvRecords('a,b\n"x"y,1\n', FILE), {
      code: 'malformed-file',
      location: { file: FILE, line: 2 },
      message: /field 1: unexpected text after a closing quote/,
    });
  });

  it('rejects an unterminated quoted field, naming the line where it opened', () => {
    assert.throws(() => parseCsvRecords('a,b\n1,2\n3,"never\nclosed\n', FILE), {
      code: 'malformed-file',
      location: { file: FILE, line: 3 },
      message: /field 2: quoted field is never closed/,
    });
  });
});
