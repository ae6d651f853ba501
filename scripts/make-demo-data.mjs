// Makes the embedded demo's data (examples/) from GLUE SST-2 and the bert-base-uncased
// vocabulary in the shared data folder. Deterministic: the same input files give the same
// output files byte for byte, so the committed files can be checked by running it again.
//
//   node scripts/make-demo-data.mjs [--shared DIR] [--vocab-out FILE]
//
// DIR defaults to $OCTET_SHARED_DATA, else ../shared/data. Needs the compiled engine in out/
// (npx tsc -p .). Writes:
//   examples/data/train.tsv   3,000 labelled rows drawn from SST-2 train
//   examples/data/dev.tsv       500 labelled rows drawn from SST-2 dev
//   examples/text/sst2-phrases.txt  6,000 other SST-2 train phrases of 4+ words, unlabelled:
//                                   the pretraining text (none of them is in train.tsv)
//   examples/text/sst2-phrases-heldout.txt  500 more, for the pretraining's eval loss
//   --vocab-out FILE (default runs/demo-model-build/vocab.txt): the reduced vocabulary
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { loadBertTokenizer } = require(path.join(root, 'out/engine/text/index.js'));

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const shared = path.resolve(opt('--shared', process.env.OCTET_SHARED_DATA ?? path.join(root, '..', 'shared', 'data')));
const vocabOut = path.resolve(opt('--vocab-out', path.join(root, 'runs', 'demo-model-build', 'vocab.txt')));

const SEED = 20240613;
const TRAIN_ROWS = 3000;
const DEV_ROWS = 500;
const TEXT_LINES = 6000;
const HELDOUT_LINES = 500;
const MIN_TEXT_WORDS = 4;
/** Entries of the reduced vocabulary: specials, characters, then the most frequent pieces. */
const VOCAB_SIZE = 4000;

/** mulberry32: a tiny seeded generator, so the draw needs nothing but this file. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(items, seed) {
  const next = generator(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** SST-2 rows: `sentence<TAB>label`, the header dropped; the trailing space GLUE leaves is trimmed. */
function readSst2(file) {
  const lines = readFileSync(file, 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '');
  return lines.map((l) => {
    const [sentence, label] = l.split('\t');
    return { sentence: sentence.trim(), label: label.trim() };
  });
}

const tsv = (rows) => 'sentence\tlabel\n' + rows.map((r) => `${r.sentence}\t${r.label}`).join('\n') + '\n';

const sst2 = path.join(shared, 'glue', 'SST-2');
const train = shuffled(readSst2(path.join(sst2, 'train.tsv')), SEED);
const dev = shuffled(readSst2(path.join(sst2, 'dev.tsv')), SEED + 1);
const labelled = train.slice(0, TRAIN_ROWS);
const taken = new Set(labelled.map((r) => r.sentence));
const text = [];
for (const r of train.slice(TRAIN_ROWS)) {
  if (text.length === TEXT_LINES + HELDOUT_LINES) break;
  if (taken.has(r.sentence) || r.sentence.split(' ').length < MIN_TEXT_WORDS) continue;
  taken.add(r.sentence);
  text.push(r.sentence);
}

for (const dir of ['examples/data', 'examples/text']) mkdirSync(path.join(root, dir), { recursive: true });
writeFileSync(path.join(root, 'examples/data/train.tsv'), tsv(labelled));
writeFileSync(path.join(root, 'examples/data/dev.tsv'), tsv(dev.slice(0, DEV_ROWS)));
writeFileSync(path.join(root, 'examples/text/sst2-phrases.txt'), text.slice(0, TEXT_LINES).join('\n') + '\n');
writeFileSync(path.join(root, 'examples/text/sst2-phrases-heldout.txt'), text.slice(TEXT_LINES).join('\n') + '\n');

// The reduced vocabulary: bert-base-uncased's pieces, filtered. WordPiece matches the longest
// piece first, so a subset that keeps every piece a word was split into splits it the same way;
// words whose pieces were dropped fall back to shorter pieces and, at worst, single characters
// (all of the texts' characters are kept, alone and as ##continuations), never to [UNK].
const tokenizer = loadBertTokenizer(path.join(shared, 'bert-base-uncased'));
const full = tokenizer.vocab.idToToken;
const counts = new Map();
const chars = new Set();
// The pieces of the pretraining text and the labelled training rows (not the held-out or dev text).
for (const s of [...text.slice(0, TEXT_LINES), ...labelled.map((r) => r.sentence)]) {
  for (const id of tokenizer.tokenizeWithOffsets(s).ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const ch of s.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')) chars.add(ch);
}
const keep = new Set(Object.values(tokenizer.vocab.special));
for (let c = 0x21; c < 0x7f; c++) chars.add(String.fromCharCode(c));
for (const ch of chars) {
  for (const piece of [ch, `##${ch}`]) {
    const id = tokenizer.vocab.tokenToId.get(piece);
    if (id !== undefined) keep.add(id);
  }
}
const byFrequency = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
for (const [id] of byFrequency) {
  if (keep.size >= VOCAB_SIZE) break;
  keep.add(id);
}
const vocab = [...keep].sort((a, b) => a - b).map((id) => full[id]);
mkdirSync(path.dirname(vocabOut), { recursive: true });
writeFileSync(vocabOut, vocab.join('\n') + '\n');

const covered = byFrequency.filter(([id]) => keep.has(id)).reduce((a, [, n]) => a + n, 0);
const total = byFrequency.reduce((a, [, n]) => a + n, 0);
console.log(`train ${labelled.length}, dev ${Math.min(DEV_ROWS, dev.length)}, text ${TEXT_LINES} + ${text.length - TEXT_LINES} held-out lines`);
const seenKept = [...counts.keys()].filter((id) => keep.has(id)).length;
console.log(`vocabulary ${vocab.length} entries (${seenKept} of the ${counts.size} pieces the text uses), covering ${(100 * covered / total).toFixed(1)}% of its pieces -> ${path.relative(root, vocabOut)}`);
