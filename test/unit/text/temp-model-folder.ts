// A throw-away model folder under the OS temp dir, for loader tests.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TempModelFolder {
  readonly dir: string;
  write(name: string, content: string | object): string;
  remove(): void;
}

export function makeTempModelFolder(): TempModelFolder {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octet-tokenizer-'));
  return {
    dir,
    write(name, content) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return file;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
