// The manifest's JSON Schema as text, for vscode-json-languageservice. It is read from the
// package's schemas/ folder (next to dist/, where the bundle runs), the same file VS Code's
// `jsonValidation` points at; the copy compiled into the engine is the fallback, so the server
// still works when run from another layout (e.g. tsc's out/ folder).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_SCHEMA_ID, manifestSchema } from '../engine/manifest';

/** The URI the schema is registered under; it is the schema's own `$id`. */
export const MANIFEST_SCHEMA_URI = MANIFEST_SCHEMA_ID;

/** The file name any `$schema` reference to Octet's schema ends with. */
export const MANIFEST_SCHEMA_FILE_NAME = 'octet.schema.json';

let cached: string | undefined;

export function manifestSchemaText(log: (message: string) => void = () => {}): string {
  if (cached === undefined) {
    const file = path.join(__dirname, '..', 'schemas', MANIFEST_SCHEMA_FILE_NAME);
    try {
      const text = fs.readFileSync(file, 'utf8');
      JSON.parse(text); // a damaged file must not replace a good built-in copy
      cached = text;
    } catch (e) {
      log(`using the built-in manifest schema; could not read ${file}: ${(e as Error).message}`);
      cached = JSON.stringify(manifestSchema);
    }
  }
  return cached;
}
