import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OctetError } from '../../../engine/errors';
import { loadBertTokenizer } from '../../../engine/text';
import { TINY_TOKENS } from './tiny-vocab';
import { makeTempModelFolder } from './temp-model-folder';

const VOCAB_TXT = TINY_TOKENS.join('\n') + '\n';

function tokenizerJson(lowercase: boolean): object {
  const vocab: Record<string, number> = {};
  TINY_TOKENS.forEach((t, i) => (vocab[t] = i));
  return {
    added_tokens: [2, 3].map((id) => ({ id, content: TINY_TOKENS[id], special: true, normalized: false })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

function withFolder(body: (folder: ReturnType<typeof makeTempModelFolder>) => void): void {
  const folder = makeTempModelFolder();
  try {
    body(folder);
  } finally {
    folder.remove();
  }
}

test('a folder with only vocab.txt gets BertTokenizer defaults (uncased, accents stripped)', () => {
  withFolder((folder) => {
    folder.write('vocab.txt', VOCAB_TXT);
    const tok = loadBertTokenizer(folder.dir);
    assert.equal(tok.vocab.size, TINY_TOKENS.length);
    assert.deepEqual(tok.encode('Hello Café [MASK]').tokens, ['[CLS]', 'hello', 'cafe', '[MASK]', '[SEP]']);
  });
});

test('tokenizer_config.json do_lower_case=false makes a vocab.txt tokenizer cased', () => {
  withFolder((folder) => {
    folder.write('vocab.txt', VOCAB_TXT);
    folder.write('tokenizer_config.json', { do_lower_case: false });
    assert.deepEqual(loadBertTokenizer(folder.dir).tokenizeWithOffsets('Hello Café').tokens, ['Hello', 'Café']);
  });
});

test('tokenizer.json wins over vocab.txt, and tokenizer_config.json overrides its normalizer', () => {
  withFolder((folder) => {
    folder.write('vocab.txt', 'not\nthe\nsame\n');
    folder.write('tokenizer.json', tokenizerJson(false));
    const cased = loadBertTokenizer(folder.dir);
    assert.deepEqual(cased.tokenizeWithOffsets('Hello hello').tokens, ['Hello', 'hello']);
    // Only [CLS] and [SEP] are added tokens in this file, so "[MASK]" in text is not special.
    assert.deepEqual(cased.tokenizeWithOffsets('[SEP][MASK]').tokens, ['[SEP]', '[', '[UNK]', ']']);
    folder.write('tokenizer_config.json', { do_lower_case: true });
    assert.deepEqual(loadBertTokenizer(folder.dir).tokenizeWithOffsets('Hello hello').tokens, ['hello', 'hello']);
  });
});

test('missing folder, folder without tokenizer files, and a file instead of a folder', () => {
  withFolder((folder) => {
    const missing = path.join(folder.dir, 'nope');
    assert.throws(() => loadBertTokenizer(missing), (e: unknown) => {
      assert.ok(e instanceof OctetError);
      assert.equal(e.code, 'file-not-found');
      assert.equal(e.location.file, missing);
      return true;
    });
    assert.throws(() => loadBertTokenizer(folder.dir), (e: unknown) => {
      assert.ok(e instanceof OctetError);
      assert.equal(e.code, 'file-not-found');
      assert.match(e.message, /expected tokenizer\.json or vocab\.txt/);
      return true;
    });
    const file = folder.write('vocab.txt', VOCAB_TXT);
    assert.throws(() => loadBertTokenizer(file), /expected a model folder/);
  });
});

test('corrupt files are reported with file name (and line)', () => {
  withFolder((folder) => {
    const jsonFile = folder.write('tokenizer.json', '{\n  "model": {\n    "vocab": {,\n  }\n}\n');
    assert.throws(() => loadBertTokenizer(folder.dir), (e: unknown) => {
      assert.ok(e instanceof OctetError);
      assert.equal(e.code, 'malformed-file');
      assert.equal(e.location.file, jsonFile);
      assert.equal(e.location.line, 3);
      return true;
    });
  });
  withFolder((folder) => {
    const vocabFile = folder.write('vocab.txt', '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nx\nx\n');
    assert.throws(() => loadBertTokenizer(folder.dir), (e: unknown) => {
      assert.ok(e instanceof OctetError);
      assert.deepEqual(e.location, { file: vocabFile, line: 7 });
      return true;
    });
  });
  withFolder((folder) => {
    const vocabFile = folder.write('vocab.txt', 'a\nb\n');
    assert.throws(() => loadBertTokenizer(folder.dir), (e: unknown) => {
      assert.ok(e instanceof OctetError);
      assert.equal(e.location.file, vocabFile);
      assert.match(e.message, /"\[CLS\]" is not in the vocabulary/);
      return true;
    });
  });
  withFolder((folder) => {
    folder.write('vocab.txt', VOCAB_TXT);
    const configFile = folder.write('tokenizer_config.json', { added_tokens_decoder: { '5': { content: '<x>' } } });
    assert.throws(() => loadBertTokenizer(folder.dir), (e: unknown) => {
      assert.ok(e instanceof OctetError);
      assert.equal(e.location.file, configFile);
      return true;
    });
  });
});

test('a file that is not UTF-8 is refused', () => {
  withFolder((folder) => {
    fs.writeFileSync(path.join(folder.dir, 'vocab.txt'), Buffer.from([0x5b, 0x50, 0xff, 0xfe, 0x0a]));
    assert.throws(() => loadBertTokenizer(folder.dir), /not valid UTF-8/);
  });
});
