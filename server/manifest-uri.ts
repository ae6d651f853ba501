// Which documents are Octet manifests, and where they live on disk. Manifests are recognised by
// name (`octet.json`, or `<name>.octet.json` for several projects in one folder) so that any
// editor can send us every JSON file and we stay out of the others.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export function isManifestUri(uri: string): boolean {
  const name = baseName(uri).toLowerCase();
  return name === 'octet.json' || name.endsWith('.octet.json');
}

/** The manifest's path on disk, or undefined for documents that are not files (untitled:, etc.). */
export function manifestFilePath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.resolve(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

function baseName(uri: string): string {
  const withoutQuery = uri.replace(/[?#].*$/, '');
  const last = withoutQuery.slice(withoutQuery.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
