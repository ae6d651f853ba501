// The hand-written BERT tokenizer against the reference implementation (@huggingface/tokenizers)
// on real text: SST-2 and MRPC (GLUE) and SQuAD questions/contexts, with bert-base-uncased.
// Ids must be identical; every token's offsets must slice the original text back to the token.
// Location: $OCTET_SHARED_DATA, else ../shared/data next to the repo. A missing folder fails the
// tests (with the path tried) rather than skipping them.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { loadBertTokenizer, type BertTokenizer, type Encoding } from '../../engine/text';

// Compiled to out/test/data/, three levels below the repository root.
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SHARED_DATA = process.env.OCTET_SHARED_DATA ?? path.resolve(REPO_ROOT, '..', 'shared', 'data');

function sharedFile(...parts: string[]): string {
  const file = path.join(SHARED_DATA, ...parts);
  assert.ok(fs.existsSync(file), `shared data file not found: ${file} (set OCTET_SHARED_DATA)`);
  return file;
}

/** Rows of a TSV as plain tab-separated lines (GLUE quotes are text, not CSV quoting). */
function readTsv(file: string): { header: string[]; rows: string[][] } {
  const lines = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
  const [header, ...rows] = lines.filter((l) => l.length > 0).map((l) => l.split('\t'));
  return { header: header!, rows };
}

function column(table: { header: string[]; rows: string[][] }, name: string): string[] {
  const index = table.header.indexOf(name);
  assert.ok(index >= 0, `column ${name} not in ${table.header.join(', ')}`);
  return table.rows.map((r) => r[index]!);
}

interface SquadFile {
  data: Array<{ paragraphs: Array<{ context: string; qas: Array<{ question: string }> }> }>;
}

interface Case {
  readonly text: string;
  readonly pair?: string;
}

/** What BERT's uncased normalizer makes of a slice of original text, written independently. */
function normalizeSlice(slice: string): string {
  let out = '';
  for (const ch of slice) {
    if (/[\p{C}\uFFFD]/u.test(ch) && !/[\t\n\r]/.test(ch)) continue;
    out += ch.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
  }
  return out;
}

function firstMismatch(ours: ArrayLike<number>, theirs: ArrayLike<number>): number {
  const n = Math.max(ours.length, theirs.length);
  for (let i = 0; i < n; i++) if (ours[i] !== theirs[i]) return i;
  return -1;
}

function checkOffsets(c: Case, enc: Encoding): void {
  let previousEnd = [0, 0];
  for (let i = 0; i < enc.ids.length; i++) {
    const sequence = enc.sequenceIds[i];
    const [start, end] = enc.offsets[i]!;
    if (sequence === null) {
      assert.deepEqual([start, end], [0, 0]);
      continue;
    }
    const source = sequence === 0 ? c.text : c.pair!;
    assert.ok(0 <= start && start < end && end <= source.length, `offsets [${start}, ${end}) out of range`);
    assert.ok(start >= previousEnd[sequence]!, `token ${i} starts before the previous one ends`);
    previousEnd[sequence] = end;
    const token = enc.tokens[i]!;
    if (token === '[UNK]') continue;
    const slice = source.slice(start, end);
    assert.equal(
      normalizeSlice(slice),
      token.startsWith('##') ? token.slice(2) : token,
      `token ${i} ${JSON.stringify(token)} has offsets [${start}, ${end}) = ${JSON.stringify(slice)} in ${JSON.stringify(source)}`,
    );
  }
}

describe('BERT tokenizer vs @huggingface/tokenizers on bert-base-uncased', () => {
  let ours: BertTokenizer;
  let reference: Tokenizer;
  const cases: Case[] = [];
  let sst2Train: string[] = [];

  before(() => {
    const modelDir = path.dirname(sharedFile('bert-base-uncased', 'tokenizer.json'));
    ours = loadBertTokenizer(modelDir);
    reference = new Tokenizer(
      JSON.parse(fs.readFileSync(path.join(modelDir, 'tokenizer.json'), 'utf8')),
      JSON.parse(fs.readFileSync(path.join(modelDir, 'tokenizer_config.json'), 'utf8')),
    );

    for (const sentence of column(readTsv(sharedFile('glue', 'SST-2', 'dev.tsv')), 'sentence')) {
      cases.push({ text: sentence });
    }
    const mrpc = readTsv(sharedFile('glue', 'MRPC', 'dev.tsv'));
    const first = column(mrpc, '#1 String');
    const second = column(mrpc, '#2 String');
    first.forEach((text, i) => cases.push({ text, pair: second[i]! }));
    const squad = JSON.parse(fs.readFileSync(sharedFile('squad', 'dev-half-a.json'), 'utf8')) as SquadFile;
    for (const article of squad.data) {
      for (const paragraph of article.paragraphs) {
        cases.push({ text: paragraph.context });
        paragraph.qas.forEach((qa, i) => {
          cases.push({ text: qa.question });
          if (i === 0) cases.push({ text: qa.question, pair: paragraph.context });
        });
      }
    }
    sst2Train = column(readTsv(sharedFile('glue', 'SST-2', 'train.tsv')), 'sentence');
  });

  it('loads the vocabulary with the right special ids', () => {
    assert.equal(ours.vocab.size, 30_522);
    assert.deepEqual(ours.vocab.special, { pad: 0, unk: 100, cls: 101, sep: 102, mask: 103 });
    assert.equal(ours.options.lowercase, true);
  });

  it('gives identical ids and token type ids on SST-2, MRPC pairs and SQuAD (thousands of texts)', () => {
    assert.ok(cases.length > 7000, `only ${cases.length} texts`);
    const nonAscii = cases.filter((c) => /[^\x00-\x7f]/.test(c.text + (c.pair ?? ''))).length;
    assert.ok(nonAscii > 100, `only ${nonAscii} texts with non-ASCII characters`);
    for (const c of cases) {
      const enc = ours.encode(c.text, c.pair);
      const ref = reference.encode(c.text, { text_pair: c.pair ?? null, return_token_type_ids: true });
      const at = firstMismatch(enc.ids, ref.ids);
      assert.equal(
        at,
        -1,
        `ids differ at token ${at} (ours ${enc.tokens[at]}, reference ${ref.tokens[at]}) for ${JSON.stringify(c)}`,
      );
      assert.equal(firstMismatch(enc.tokenTypeIds, ref.token_type_ids), -1, `token type ids differ for ${JSON.stringify(c)}`);
      assert.deepEqual(enc.tokens, ref.tokens);
      assert.ok(enc.attentionMask.every((m) => m === 1));
    }
  });

  it('offsets slice every token back out of the original text', () => {
    for (const c of cases) checkOffsets(c, ours.encode(c.text, c.pair));
  });

  it('gives identical ids on all 67,349 SST-2 training sentences', () => {
    assert.equal(sst2Train.length, 67_349);
    for (const text of sst2Train) {
      const ids = ours.encode(text).ids;
      const ref = reference.encode(text).ids;
      assert.equal(firstMismatch(ids, ref), -1, `ids differ for ${JSON.stringify(text)}`);
    }
  });

  it('tokenizes all of SST-2 train in a few seconds', () => {
    const started = performance.now();
    let tokens = 0;
    for (const text of sst2Train) tokens += ours.encode(text).ids.length;
    const elapsedMs = performance.now() - started;
    assert.ok(tokens > 800_000, `${tokens} tokens`);
    assert.ok(elapsedMs < 5000, `SST-2 train took ${elapsedMs.toFixed(0)} ms`);
  });

  it('truncates pairs to maxLength with longest_first and keeps offsets valid', () => {
    let truncated = 0;
    for (const c of cases) {
      if (c.pair === undefined) continue;
      const enc = ours.encode(c.text, c.pair, { maxLength: 64 });
      const full = ours.encode(c.text, c.pair);
      assert.equal(enc.ids.length, Math.min(64, full.ids.length));
      assert.equal(enc.truncatedTokens, full.ids.length - enc.ids.length);
      if (enc.truncatedTokens > 0) truncated++;
      checkOffsets(c, enc);
    }
    assert.ok(truncated > 500, `only ${truncated} pairs needed truncation`);
  });
});
