import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { appendJsonLine, readJsonLines } from '../../../engine/fs/atomic';
import { expectOctetError, withTempDir } from './helpers';

test('appended lines read back in order', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'log.jsonl');
    await appendJsonLine(file, { step: 1, text: 'a\nb' });
    await appendJsonLine(file, { step: 2 });
    assert.equal((await fsp.readFile(file, 'utf8')).split('\n').length, 3);
    assert.deepEqual(await readJsonLines(file), [{ step: 1, text: 'a\nb' }, { step: 2 }]);
  }));

test('a torn (unterminated, unparseable) last line is dropped', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'log.jsonl');
    await fsp.writeFile(file, '{"step":1}\n{"step":2}\n{"st');
    assert.deepEqual(await readJsonLines(file), [{ step: 1 }, { step: 2 }]);
  }));

test('an unterminated last line that parses is kept', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'log.jsonl');
    await fsp.writeFile(file, '{"step":1}\r\n\n{"step":2}');
    assert.deepEqual(await readJsonLines(file), [{ step: 1 }, { step: 2 }]);
  }));

test('a corrupt line in the middle names the file and line', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'log.jsonl');
    await fsp.writeFile(file, '{"step":1}\n{"st\n{"step":3}\n');
    const err = await expectOctetError(() => readJsonLines(file), 'malformed-file', file, 'line 2');
    assert.equal(err.location.line, 2);
  }));

test('a corrupt last line that IS terminated is corruption, not a torn write', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'log.jsonl');
    await fsp.writeFile(file, '{"step":1}\n{"st\n');
    await expectOctetError(() => readJsonLines(file), 'malformed-file', file, 'line 2');
  }));

test('appending after a torn line cuts the torn line off', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'log.jsonl');
    await fsp.writeFile(file, '{"step":1}\n{"st');
    await appendJsonLine(file, { step: 2 });
    assert.equal(await fsp.readFile(file, 'utf8'), '{"step":1}\n{"step":2}\n');
  }));

test('appending after a complete unterminated line keeps it', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'log.jsonl');
    await fsp.writeFile(file, '{"step":1}');
    await appendJsonLine(file, { step: 2 });
    assert.deepEqual(await readJsonLines(file), [{ step: 1 }, { step: 2 }]);
  }));

test('a torn line longer than the scan chunk is still found and cut', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'log.jsonl');
    await fsp.writeFile(file, `{"step":1}\n{"blob":"${'x'.repeat(200_000)}`);
    await appendJsonLine(file, { step: 2 });
    assert.equal(await fsp.readFile(file, 'utf8'), '{"step":1}\n{"step":2}\n');
  }));

test('missing file and unserialisable values are OctetErrors', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'none.jsonl');
    await expectOctetError(() => readJsonLines(file), 'file-not-found', file);
    await expectOctetError(() => appendJsonLine(file, undefined), 'invalid-argument', file);
    await expectOctetError(
      () => appendJsonLine(path.join(dir, 'no', 'x.jsonl'), {}),
      'file-not-found',
      path.join(dir, 'no', 'x.jsonl'),
    );
  }));
