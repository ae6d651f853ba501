// Paths and errors as the user should read them in a diagnostic: relative to the manifest's
// folder (as the manifest writes them), not as long absolute paths.
import * as path from 'node:path';
import { OctetError } from '../engine/errors';
import { errnoCode } from '../engine/fs/errno';

export function displayPath(file: string, baseDir: string): string {
  const relative = path.relative(baseDir, file);
  // Another drive (Windows), or far outside the project: the absolute path is clearer.
  if (relative === '' || path.isAbsolute(relative) || relative.startsWith(`..${path.sep}..${path.sep}..`)) return file;
  return relative.split(path.sep).join('/');
}

/** An engine or file-system error as one line naming the file relative to `baseDir`. */
export function describeError(e: unknown, baseDir: string): string {
  if (e instanceof OctetError) {
    const file = e.location.file;
    return file === undefined ? e.message : e.message.split(file).join(displayPath(file, baseDir));
  }
  const code = errnoCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'EACCES' || code === 'EPERM') return `permission denied: ${message}`;
  return message;
}
