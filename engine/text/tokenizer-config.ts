// `tokenizer_config.json`, the transformers-side settings. Its normalization keys, when present,
// win over tokenizer.json's normalizer: transformers' BertTokenizerFast rebuilds the normalizer
// from them, so a model saved with do_lower_case=false really is cased.

import { OctetError } from '../errors';
import type { BertTokenizerOptions } from './bert-tokenizer-options';
import {
  expectObject,
  expectTokenId,
  isJsonObject,
  optionalBoolean,
  optionalBooleanOrNull,
  type JsonObject,
} from './json-fields';
import type { SpecialTokens } from './vocab';

export interface TokenizerConfigContents {
  /** Only the keys the file actually sets. */
  readonly options: Partial<BertTokenizerOptions>;
  readonly specialTokens: Partial<SpecialTokens<string>>;
  /** `added_tokens_decoder` as id -> content, for folders that have no tokenizer.json. */
  readonly addedTokens: ReadonlyMap<number, string>;
}

const SPECIAL_KEYS: ReadonlyArray<[keyof SpecialTokens<string>, string]> = [
  ['cls', 'cls_token'],
  ['sep', 'sep_token'],
  ['pad', 'pad_token'],
  ['unk', 'unk_token'],
  ['mask', 'mask_token'],
];

export function parseTokenizerConfig(json: unknown, file: string): TokenizerConfigContents {
  const root = expectObject(json, file, '(root)');
  const options: { -readonly [K in keyof BertTokenizerOptions]?: BertTokenizerOptions[K] } = {};
  if ('do_lower_case' in root) options.lowercase = optionalBoolean(root, 'do_lower_case', true, file, 'do_lower_case');
  if ('strip_accents' in root) options.stripAccents = optionalBooleanOrNull(root, 'strip_accents', null, file, 'strip_accents');
  if ('tokenize_chinese_chars' in root) {
    options.handleChineseChars = optionalBoolean(root, 'tokenize_chinese_chars', true, file, 'tokenize_chinese_chars');
  }

  const specialTokens: { -readonly [K in keyof SpecialTokens<string>]?: string } = {};
  for (const [role, key] of SPECIAL_KEYS) {
    const name = tokenName(root[key], file, key);
    if (name !== undefined) specialTokens[role] = name;
  }
  return { options, specialTokens, addedTokens: readAddedTokensDecoder(root, file) };
}

/** Special tokens are written either as a plain string or as `{ "content": "[CLS]", ... }`. */
function tokenName(value: unknown, file: string, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (isJsonObject(value) && typeof value['content'] === 'string') return value['content'];
  throw new OctetError('malformed-file', 'expected a token string or an object with "content"', { file, field });
}

function readAddedTokensDecoder(root: JsonObject, file: string): Map<number, string> {
  const added = new Map<number, string>();
  const decoder = root['added_tokens_decoder'];
  if (decoder === undefined || decoder === null) return added;
  const entries = expectObject(decoder, file, 'added_tokens_decoder');
  for (const [key, value] of Object.entries(entries)) {
    const field = `added_tokens_decoder[${JSON.stringify(key)}]`;
    const id = expectTokenId(/^\d+$/.test(key) ? Number(key) : key, file, field);
    const content = tokenName(value, file, field);
    if (content !== undefined) added.set(id, content);
  }
  return added;
}
