import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from '../../../engine/fs/atomic';
import { expectOctetError, withTempDir } from './helpers';

test('writeFileAtomic writes the data and leaves no temp file', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'out.bin');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...(await fsp.readFile(file))], [1, 2, 3]);
    await writeFileAtomic(file, 'replaced');
    assert.equal(await fsp.readFile(file, 'utf8'), 'replaced');
    assert.deepEqual(await fsp.readdir(dir), ['out.bin']);
  }));

test('writeFileAtomic accepts chunks, sync and async', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'chunks.bin');
    await writeFileAtomic(file, [new Uint8Array([1]), new Uint8Array([2, 3])]);
    assert.deepEqual([...(await fsp.readFile(file))], [1, 2, 3]);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array([9]);
      yield new Uint8Array([8, 7]);
    }
    await writeFileAtomic(file, chunks());
    assert.deepEqual([...(await fsp.readFile(file))], [9, 8, 7]);
  }));

test('a write that fails midway keeps the old file and removes its temp file', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'model.safetensors');
    await writeFileAtomic(file, 'old contents');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('new contents, part one');
      throw new Error('disk on fire');
    }
    await assert.rejects(writeFileAtomic(file, failing()), /disk on fire/);
    assert.equal(await fsp.readFile(file, 'utf8'), 'old contents');
    assert.deepEqual(await fsp.readdir(dir), ['model.safetensors']);
  }));

test('writeFileAtomic into a missing folder is file-not-found naming the path', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'nope', 'out.txt');
    await expectOctetError(() => writeFileAtomic(file, 'x'), 'file-not-found', file);
  }));

test('writeJsonAtomic writes indented JSON and rejects unserialisable values', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'a.json');
    await writeJsonAtomic(file, { a: [1, 2] });
    assert.equal(await fsp.readFile(file, 'utf8'), '{\n  "a": [\n    1,\n    2\n  ]\n}\n');
    await expectOctetError(() => writeJsonAtomic(file, undefined), 'invalid-argument', file);
    assert.deepEqual(JSON.parse(await fsp.readFile(file, 'utf8')), { a: [1, 2] });
    assert.deepEqual(await fsp.readdir(dir), ['a.json']);
  }));

test('writeDirAtomic creates a folder and leaves nothing beside it', () =>
  withTempDir(async (dir) => {
    const target = path.join(dir, 'ckpt');
    await writeDirAtomic(target, async (tmp) => {
      assert.notEqual(tmp, target);
      await fsp.writeFile(path.join(tmp, 'a.txt'), 'A');
      await fsp.mkdir(path.join(tmp, 'sub'));
      await fsp.writeFile(path.join(tmp, 'sub', 'b.txt'), 'B');
    });
    assert.equal(await fsp.readFile(path.join(target, 'sub', 'b.txt'), 'utf8'), 'B');
    assert.deepEqual(await fsp.readdir(dir), ['ckpt']);
  }));

test('writeDirAtomic replaces an existing folder as a whole', () =>
  withTempDir(async (dir) => {
    const target = path.join(dir, 'ckpt');
    await fsp.mkdir(target);
    await fsp.writeFile(path.join(target, 'stale.txt'), 'old');
    await writeDirAtomic(target, (tmp) => fsp.writeFile(path.join(tmp, 'fresh.txt'), 'new'));
    assert.deepEqual(await fsp.readdir(target), ['fresh.txt']);
    assert.deepEqual(await fsp.readdir(dir), ['ckpt']);
  }));

test('writeDirAtomic handles a target written with a trailing slash', () =>
  withTempDir(async (dir) => {
    const target = path.join(dir, 'ckpt');
    await fsp.mkdir(target);
    await fsp.writeFile(path.join(target, 'stale.txt'), 'old');
    await writeDirAtomic(
      target + path.sep,
      (tmp) => fsp.writeFile(path.join(tmp, 'fresh.txt'), 'new'),
    );
    assert.deepEqual(await fsp.readdir(target), ['fresh.txt']);
    assert.deepEqual(await fsp.readdir(dir), ['ckpt']);
  }));

test('a failing fill keeps the old folder and removes the temp folder', () =>
  withTempDir(async (dir) => {
    const target = path.join(dir, 'ckpt');
    await fsp.mkdir(target);
    await fsp.writeFile(path.join(target, 'keep.txt'), 'old');
    await assert.rejects(
      writeDirAtomic(target, async (tmp) => {
        await fsp.writeFile(path.join(tmp, 'half.txt'), 'partial');
        throw new Error('fill failed');
      }),
      /fill failed/,
    );
    assert.deepEqual(await fsp.readdir(dir), ['ckpt']);
    assert.deepEqual(await fsp.readdir(target), ['keep.txt']);
  }));

test('writeDirAtomic refuses to replace a file with a folder', () =>
  withTempDir(async (dir) => {
    const target = path.join(dir, 'ckpt');
    await fsp.writeFile(target, 'a file');
    await expectOctetError(
      () => writeDirAtomic(target, async () => undefined),
      'invalid-argument',
      target,
    );
    assert.equal(await fsp.readFile(target, 'utf8'), 'a file');
    assert.deepEqual(await fsp.readdir(dir), ['ckpt']);
  }));
