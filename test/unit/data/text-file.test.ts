import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { readTextFile, splitLines } from '../../../engine/data/text-file';
import { makeTempFolder } from './temp-files';

const tmp = makeTempFolder();
after(() => tmp.remove());

describe('readTextFile', () => {
  it('removes a UTF-8 byte-order mark', () => {
    const file = tmp.write('bom.tsv', '\uFEFFQuality\tx\n1\ty\n');
    assert.equal(readTextFile(file), 'Quality\tx\n1\ty\n');
  });

  it('keeps a BOM-less file unchanged, including non-ASCII text', () => {
    const file = tmp.write('plain.tsv', 'café\t1\n');
    assert.equal(readTextFile(file), 'café\t1\n');
  });

  it('reports a missing file as file-not-found with the path', () => {
    const file = tmp.path('absent.tsv');
    assert.throws(() => readTextFile(file), {
      name: 'OctetError',
      code: 'file-not-found',
      message: `${file}: file not found`,
    });
  });

  it('reports invalid UTF-8 with the line it is on', () => {
    const bytes = Buffer.concat([Buffer.from('a\tb\nok\t1\nbad'), Buffer.from([0xff, 0xfe]), Buffer.from('\t0\n')]);
    const file = tmp.write('latin.tsv', bytes);
    assert.throws(() => readTextFile(file), {
      code: 'malformed-file',
      location: { file, line: 3 },
    });
  });
});

describe('splitLines', () => {
  it('splits LF and CRLF lines and drops the trailing empty line', () => {
    assert.deepEqual(splitLines('a\r\nb\nc\r\n'), ['a', 'b', 'c']);
  });

  it('drops several trailing empty lines but keeps empty lines in the middle', () => {
    assert.deepEqual(splitLines('a\n\nb\n\n\r\n'), ['a', '', 'b']);
  });

  it('keeps the last line when the file does not end with a newline', () => {
    assert.deepEqual(splitLines('a\nb'), ['a', 'b']);
  });

  it('gives no lines for an empty text', () => {
    assert.deepEqual(splitLines(''), []);
  });
});
