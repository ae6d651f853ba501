// Crash-safe writes. A model file or checkpoint folder is either the old version or the new one,
// never half of each: we write beside the target, fsync, then rename (rename is atomic within one
// file system, which is why the temporary always lives in the target's own directory).
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { OctetError } from '../errors';
import { errnoCode } from './errno';

/** Bytes to write: whole, or as a sequence of chunks so large files need not be concatenated. */
export type FileData = string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** Writes `data` to `target` so a crash leaves either the old file or the complete new one. */
export async function writeFileAtomic(target: string, data: FileData): Promise<void> {
  const tmp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await openForWrite(tmp, target);
    await writeAll(handle, data);
    // Without fsync a power cut after the rename can leave a renamed but empty file.
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(tmp, target);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDirectory(path.dirname(target));
}

/** Writes `value` as pretty-printed JSON (2-space indent, trailing newline), atomically. */
export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) {
    throw new OctetError('invalid-argument', 'value cannot be written as JSON', { file: target });
  }
  await writeFileAtomic(target, text + '\n');
}

/**
 * Builds a whole folder (e.g. a checkpoint) and swaps it in at `target` in one step.
 * `fill` writes into a fresh sibling `target.tmp-<random>`; every file in it is then fsynced and
 * the folder renamed into place. An existing `target` is first renamed away to `target.old-<random>`
 * and deleted only after the new folder is in place, so a failure at any point before that keeps
 * the old folder. A crash between the two renames leaves the old version in `target.old-<random>`.
 */
export async function writeDirAtomic(
  targetDir: string,
  fill: (tmpDir: string) => Promise<void>,
): Promise<void> {
  // Resolving drops a trailing slash, which would otherwise put "ckpt/.tmp-…" inside the target.
  const target = path.resolve(targetDir);
  const existing = await statOrUndefined(target);
  if (existing && !existing.isDirectory()) {
    throw new OctetError('invalid-argument', 'exists and is not a folder; refusing to replace it', {
      file: target,
    });
  }
  const parent = path.dirname(target);
  const tmp = await mkdtempIn(`${target}.tmp-`, parent);
  try {
    await fill(tmp);
    await syncTree(tmp);
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }

  if (!existing) {
    await renameOrCleanup(tmp, target);
    await syncDirectory(parent);
    return;
  }
  // rename() cannot replace a non-empty directory, so move the old one aside first.
  const old = `${target}.old-${randomBytes(4).toString('hex')}`;
  await renameOrCleanup(target, old, tmp);
  try {
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rename(old, target).catch(() => undefined);
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
  await syncDirectory(parent);
  await fsp.rm(old, { recursive: true, force: true });
}

async function openForWrite(tmp: string, target: string): Promise<fsp.FileHandle> {
  try {
    // 'wx': never reuse (and so never clobber) a file that happens to have the same random name.
    return await fsp.open(tmp, 'wx');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') {
      throw new OctetError('file-not-found', `folder ${path.dirname(target)} does not exist`, {
        file: target,
      });
    }
    throw e;
  }
}

async function writeAll(handle: fsp.FileHandle, data: FileData): Promise<void> {
  if (typeof data === 'string' || data instanceof Uint8Array) {
    await handle.writeFile(data);
    return;
  }
  for await (const chunk of data) {
    let done = 0;
    while (done < chunk.byteLength) {
      const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done);
      done += bytesWritten;
    }
  }
}

async function mkdtempIn(prefix: string, parent: string): Promise<string> {
  try {
    return await fsp.mkdtemp(prefix);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') {
      throw new OctetError('file-not-found', 'folder does not exist', { file: parent });
    }
    throw e;
  }
}

async function renameOrCleanup(from: string, to: string, cleanup: string = from): Promise<void> {
  try {
    await fsp.rename(from, to);
  } catch (e) {
    await fsp.rm(cleanup, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}

/** fsyncs every file below `dir`, then the directories themselves, so the rename publishes data. */
async function syncTree(dir: string): Promise<void> {
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      await syncTree(full);
    } else if (entry.isFile()) {
      const handle = await fsp.open(full, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
  await syncDirectory(dir);
}

/** Makes a rename durable on POSIX. Windows cannot open directories, and needs no such step. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function statOrUndefined(p: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fsp.stat(p);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

// JSON-lines helpers live in their own file; re-exported so callers have one fs entry point.
export { appendJsonLine, readJsonLines } from './json-lines';
