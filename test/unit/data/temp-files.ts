// Small data files for unit tests, written to a fresh folder under the OS temp dir so tests
// never depend on the shared GLUE data or on each other.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TempFolder {
  /** Writes `content` (string as UTF-8, or raw bytes) to `name` in the folder and returns its path. */
  write(name: string, content: string | Uint8Array): string;
  path(name: string): string;
  remove(): void;
}

export function makeTempFolder(prefix = 'octet-data-'): TempFolder {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    write(name, content) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      return file;
    },
    path: (name) => path.join(dir, name),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
