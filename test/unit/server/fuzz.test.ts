// Robustness: a few hundred random edits and mangled manifests (truncations, random characters,
// deep nesting, huge numbers, long strings), interleaved with requests. Afterwards the server must
// still be alive and answer a diagnostic and a hover request correctly. The loop is bounded and
// seeded, so a failure reproduces.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspTestClient } from './lsp-test-client';
import { TinyProject, manifestText, positionAt } from './tiny-project';

const ITERATIONS = 300;
/** Every this many edits, the server must answer a pull and a hover. */
const PROBE_EVERY = 15;

/** Small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// BMP characters only: a lone surrogate would be re-encoded in transit and the client's and
// server's copies of the text would drift apart.
const ALPHABET = ['{', '}', '[', ']', ':', ',', '"', '\\', ' ', '\n', '\r', '\t', '0', '1', '-', 'e', '.', 'a', 'z', '*', 'é', '中', '\u2028', '\u0000', '\u0007', 'true', 'null', '"layers"', '"model"', '"data"'];

describe('fuzzing the server with broken manifests', () => {
  let project: TinyProject;
  let client: LspTestClient;

  before(async () => {
    project = await TinyProject.create();
    client = await LspTestClient.start({ initializationOptions: { semanticCheckDelayMs: 5 } });
  });

  after(async () => {
    await client?.stop();
    project?.remove();
  });

  it(`survives ${ITERATIONS} random edits and still answers`, async () => {
    const next = random(20240611);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const uri = project.uri('fuzz.octet.json');
    const base = manifestText({ layers: { 'encoder.layer.*.output.dense': { mode: 'int8' } }, train: { epochs: 2 } });
    let doc = TextDocument.create(uri, 'json', 1, base);
    client.open(uri, base);

    const mangled = (): string => {
      const text = doc.getText();
      switch (Math.floor(next() * 7)) {
        case 0:
          return base.slice(0, Math.floor(next() * base.length));
        case 1:
          return `{"layers": ${'['.repeat(2000 + Math.floor(next() * 20000))}`;
        case 2:
          return `{"version": 1e999999, "model": ${'9'.repeat(5000)}, "train": {"epochs": -1e308, "seed": 123456789012345678901234567890}}`;
        case 3:
          return `{"model": "${'x'.repeat(200_000)}", "layers": {"${'a.'.repeat(5000)}b": {}}}`;
        case 4:
          return Array.from({ length: 200 }, () => pick(ALPHABET)).join('');
        case 5:
          return `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
        default:
          return text + pick(ALPHABET);
      }
    };

    for (let i = 0; i < ITERATIONS; i++) {
      const version = doc.version + 1;
      if (next() < 0.7) {
        // An incremental edit: delete a random stretch and insert random characters there.
        const length = doc.getText().length;
        const start = Math.floor(next() * (length + 1));
        const end = Math.min(length, start + Math.floor(next() * 20));
        const inserted = Array.from({ length: Math.floor(next() * 6) }, () => pick(ALPHABET)).join('');
        const change = { range: { start: doc.positionAt(start), end: doc.positionAt(end) }, text: inserted };
        doc = TextDocument.update(doc, [change], version);
        client.change(uri, version, [change]);
      } else {
        const text = mangled();
        doc = TextDocument.update(doc, [{ text }], version);
        client.change(uri, version, [{ text }]);
      }
      if (i % PROBE_EVERY === 0) {
        const position = doc.positionAt(Math.floor(next() * (doc.getText().length + 1)));
        await Promise.all([client.pull(uri), client.hover(uri, position), client.completion(uri, position)]);
      }
      if (client.hasExited) break;
    }
    assert.ok(!client.hasExited, `the server died:\n${client.errorOutput}`);

    // Back to a good manifest: the answers are right again, for the same document...
    const good = manifestText();
    const version = doc.version + 1;
    client.change(uri, version, [{ text: good }]);
    const hover = await client.hover(uri, positionAt(good, good.indexOf('"models/tiny"') + 3));
    assert.match((hover?.contents as { value: string }).value, /2 layers, hidden size 4/);
    assert.deepEqual((await client.pull(uri)).filter((d) => typeof d.code !== 'string'), [], 'syntax/schema diagnostics of the good text');
    // ... and, with the fuzzed document closed (which cancels its pending checks), for a new one.
    client.close(uri);
    const fresh = project.uri('after-fuzz.octet.json');
    const diagnostics = await client.openAndSettle(fresh, good);
    assert.deepEqual(diagnostics, []);
    assert.doesNotMatch(client.errorOutput, /uncaught exception|unhandled rejection/);
  });
});
