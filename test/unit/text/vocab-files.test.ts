import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OctetError } from '../../../engine/errors';
import { createVocab, parseTokenizerConfig, parseTokenizerJson, parseVocabTxt } from '../../../engine/text';
import { TINY_TOKENS } from './tiny-vocab';

function octetError(code: string, check: (e: OctetError) => void = () => {}) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof OctetError, `expected OctetError, got ${String(e)}`);
    assert.equal(e.code, code);
    check(e);
    return true;
  };
}

test('vocab.txt: id = line index; CRLF, a byte-order mark and a final newline are fine', () => {
  assert.deepEqual(parseVocabTxt('[PAD]\n[UNK]\nhello\n', 'v.txt'), ['[PAD]', '[UNK]', 'hello']);
  assert.deepEqual(parseVocabTxt('\uFEFF[PAD]\r\n[UNK]\r\nhello', 'v.txt'), ['[PAD]', '[UNK]', 'hello']);
});

test('vocab.txt: a duplicate token is an error naming the file and line', () => {
  assert.throws(
    () => parseVocabTxt('a\nb\nc\nb\n', '/m/vocab.txt'),
    octetError('malformed-file', (e) => {
      assert.deepEqual(e.location, { file: '/m/vocab.txt', line: 4 });
      assert.match(e.message, /^\/m\/vocab\.txt, line 4: duplicate token "b" \(first on line 2\)/);
    }),
  );
});

test('vocab.txt: empty lines and empty files are errors', () => {
  assert.throws(() => parseVocabTxt('a\n\nb\n', 'v.txt'), octetError('malformed-file', (e) => assert.equal(e.location.line, 2)));
  assert.throws(() => parseVocabTxt('', 'v.txt'), octetError('malformed-file'));
});

test('createVocab: a missing special token or a repeated token is refused', () => {
  assert.throws(
    () => createVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]'], undefined, { file: 'x.json' }),
    octetError('malformed-file', (e) => assert.match(e.message, /the mask token "\[MASK\]" is not in the vocabulary/)),
  );
  assert.throws(() => createVocab([...TINY_TOKENS, 'hello']), /appears twice/);
});

function tinyTokenizerJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  TINY_TOKENS.forEach((t, i) => (vocab[t] = i));
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: string, typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    version: '1.0',
    added_tokens: [0, 1, 2, 3, 4].map((id) => ({ id, content: TINY_TOKENS[id], special: true, normalized: false })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0)],
      pair: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0), sequence('B', 1), special('[SEP]', 1)],
    },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
    ...overrides,
  };
}

test('tokenizer.json: vocabulary, normalizer, WordPiece settings and post-processor names', () => {
  const parsed = parseTokenizerJson(tinyTokenizerJson(), 't.json');
  assert.deepEqual(parsed.idToToken, TINY_TOKENS);
  assert.equal(parsed.unkToken, '[UNK]');
  assert.equal(parsed.clsToken, '[CLS]');
  assert.equal(parsed.sepToken, '[SEP]');
  assert.deepEqual(parsed.options, {
    cleanText: true,
    handleChineseChars: true,
    lowercase: true,
    stripAccents: null,
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: 100,
    literalTokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'],
  });
});

test('tokenizer.json: BertProcessing names [CLS]/[SEP] too; added tokens may extend the vocabulary', () => {
  const parsed = parseTokenizerJson(
    tinyTokenizerJson({
      post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
      added_tokens: [{ id: TINY_TOKENS.length, content: '<new>', special: false }],
    }),
    't.json',
  );
  assert.equal(parsed.clsToken, '[CLS]');
  assert.equal(parsed.idToToken[TINY_TOKENS.length], '<new>');
  assert.deepEqual(parsed.options.literalTokens, ['<new>']);
});

test('tokenizer.json: broken or non-BERT content is refused with the JSON field', () => {
  const json = tinyTokenizerJson();
  const model = json['model'] as Record<string, unknown>;
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ model: { ...model, type: 'BPE' } }, 'unsupported', 'model.type'],
    [{ model: { ...model, vocab: { a: 0, b: 0 } }, added_tokens: [] }, 'malformed-file', 'model.vocab["b"]'],
    [{ model: { ...model, vocab: { a: 0, b: 2 } }, added_tokens: [] }, 'malformed-file', 'model.vocab'],
    [{ model: { ...model, vocab: { a: -1 } }, added_tokens: [] }, 'malformed-file', 'model.vocab["a"]'],
    [{ model: { ...model, vocab: {} }, added_tokens: [] }, 'malformed-file', 'model.vocab'],
    [{ model: { ...model, max_input_chars_per_word: 0 } }, 'malformed-file', 'model.max_input_chars_per_word'],
    [{ normalizer: { type: 'Lowercase' } }, 'unsupported', 'normalizer.type'],
    [{ normalizer: { type: 'BertNormalizer', lowercase: 'yes' } }, 'malformed-file', 'normalizer.lowercase'],
    [{ pre_tokenizer: { type: 'Whitespace' } }, 'unsupported', 'pre_tokenizer'],
    [{ post_processor: { type: 'RobertaProcessing' } }, 'unsupported', 'post_processor.type'],
    [{ post_processor: { type: 'TemplateProcessing', single: [], pair: [] } }, 'unsupported', 'post_processor'],
    [{ added_tokens: [{ id: 5, content: '[CLS]' }] }, 'malformed-file', 'added_tokens[0].id'],
  ];
  for (const [overrides, code, field] of cases) {
    assert.throws(
      () => parseTokenizerJson(tinyTokenizerJson(overrides), 'm/tokenizer.json'),
      octetError(code, (e) => {
        assert.equal(e.location.file, 'm/tokenizer.json');
        assert.equal(e.location.field, field, e.message);
      }),
      JSON.stringify(overrides).slice(0, 80),
    );
  }
  assert.throws(() => parseTokenizerJson([], 't.json'), octetError('malformed-file'));
});

test('tokenizer_config.json: only the keys it sets, and special token names in either form', () => {
  const parsed = parseTokenizerConfig(
    {
      do_lower_case: false,
      cls_token: '[CLS]',
      mask_token: { content: '[MASK]', lstrip: false },
      added_tokens_decoder: { '0': { content: '[PAD]', special: true } },
    },
    'c.json',
  );
  assert.deepEqual(parsed.options, { lowercase: false });
  assert.deepEqual(parsed.specialTokens, { cls: '[CLS]', mask: '[MASK]' });
  assert.deepEqual([...parsed.addedTokens], [[0, '[PAD]']]);
  assert.deepEqual(parseTokenizerConfig({ strip_accents: null }, 'c.json').options, { stripAccents: null });
  assert.throws(
    () => parseTokenizerConfig({ do_lower_case: 'no' }, 'c.json'),
    octetError('malformed-file', (e) => assert.equal(e.location.field, 'do_lower_case')),
  );
});
