// Reading a manifest for the engine and the CLI: either a typed, fully resolved Manifest, or an
// OctetError that lists every problem (the message names the first, with file, line and field).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OctetError } from '../errors';
import { resolveManifest } from './resolve-manifest';
import type { Manifest, ManifestJson, ManifestProblem } from './types';
import { analyzeManifestText } from './validate';

export const MANIFEST_FILE_NAME = 'octet.json';

/** A manifest that cannot be used. `issues` holds every problem found, in document order. */
export class ManifestError extends OctetError {
  readonly issues: readonly ManifestProblem[];

  constructor(file: string, issues: readonly ManifestProblem[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    super('malformed-file', `${first.message}${more}`, {
      file,
      line: first.line,
      field: first.field === '' ? undefined : first.field,
    });
    this.name = 'ManifestError';
    this.issues = issues;
  }
}

/**
 * Parses manifest text. Relative paths are resolved against the folder of `manifestPath`, which
 * is also the file named in errors.
 * @throws ManifestError (code 'malformed-file') when there is any problem
 */
export function parseManifest(text: string, manifestPath: string): Manifest {
  const file = path.resolve(manifestPath);
  const { doc, value, problems } = analyzeManifestText(text);
  if (problems.length > 0) throw new ManifestError(file, problems);
  // Key order from the text, not the parsed object, which moves integer-like keys first.
  const layersNode = doc.root?.children?.find((p) => p.children?.[0]?.value === 'layers')?.children?.[1];
  const layerOrder = layersNode?.children?.map((p) => String(p.children?.[0]?.value));
  return resolveManifest(value as ManifestJson, file, layerOrder);
}

/**
 * Reads and parses a manifest. A folder stands for the octet.json inside it.
 * @throws OctetError 'file-not-found' when there is no such file; ManifestError when it is invalid
 */
export function loadManifest(manifestPath: string): Manifest {
  let file = path.resolve(manifestPath);
  if (isDirectory(file)) file = path.join(file, MANIFEST_FILE_NAME);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OctetError('file-not-found', 'manifest not found', { file });
    throw new OctetError('malformed-file', `cannot read the manifest: ${(e as Error).message}`, { file });
  }
  return parseManifest(text, file);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
