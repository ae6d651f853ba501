// Builds a BertTokenizer from a model folder the way transformers would: tokenizer.json when it is
// there (it carries the exact normalizer settings), otherwise vocab.txt with BertTokenizer's
// defaults; tokenizer_config.json, when present, overrides lower-casing/accents/CJK handling and
// names the special tokens.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { OctetError } from '../errors';
import { errnoCode } from '../fs/errno';
import { BertTokenizer } from './bert-tokenizer';
import type { BertTokenizerOptions } from './bert-tokenizer-options';
import { parseJsonFile, readOptionalTextFile } from './model-file';
import { parseTokenizerConfig, type TokenizerConfigContents } from './tokenizer-config';
import { parseTokenizerJson } from './tokenizer-json';
import { createVocab, DEFAULT_SPECIAL_TOKENS, type SpecialTokens } from './vocab';
import { parseVocabTxt } from './vocab-txt';

export const TOKENIZER_JSON_FILE = 'tokenizer.json';
export const VOCAB_TXT_FILE = 'vocab.txt';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

export function loadBertTokenizer(modelDir: string): BertTokenizer {
  checkDirectory(modelDir);
  const configFile = path.join(modelDir, TOKENIZER_CONFIG_FILE);
  const configText = readOptionalTextFile(configFile);
  const config =
    configText === undefined ? undefined : parseTokenizerConfig(parseJsonFile(configText, configFile), configFile);

  const jsonFile = path.join(modelDir, TOKENIZER_JSON_FILE);
  const jsonText = readOptionalTextFile(jsonFile);
  if (jsonText !== undefined) return fromTokenizerJson(jsonText, jsonFile, config);

  const vocabFile = path.join(modelDir, VOCAB_TXT_FILE);
  const vocabText = readOptionalTextFile(vocabFile);
  if (vocabText !== undefined) return fromVocabTxt(vocabText, vocabFile, config, configFile);

  throw new OctetError(
    'file-not-found',
    `no tokenizer in this folder: expected ${TOKENIZER_JSON_FILE} or ${VOCAB_TXT_FILE}`,
    { file: modelDir },
  );
}

function fromTokenizerJson(text: string, file: string, config: TokenizerConfigContents | undefined): BertTokenizer {
  const contents = parseTokenizerJson(parseJsonFile(text, file), file);
  const names: SpecialTokens<string> = {
    ...DEFAULT_SPECIAL_TOKENS,
    ...config?.specialTokens,
    // The model and post-processor are what actually emit these, so they win over the config.
    unk: contents.unkToken,
    ...(contents.clsToken !== undefined ? { cls: contents.clsToken } : {}),
    ...(contents.sepToken !== undefined ? { sep: contents.sepToken } : {}),
  };
  const vocab = createVocab(contents.idToToken, names, { file });
  return new BertTokenizer(vocab, { ...contents.options, ...config?.options });
}

function fromVocabTxt(
  text: string,
  file: string,
  config: TokenizerConfigContents | undefined,
  configFile: string,
): BertTokenizer {
  const tokens = parseVocabTxt(text, file);
  const names: SpecialTokens<string> = { ...DEFAULT_SPECIAL_TOKENS, ...config?.specialTokens };
  const vocab = createVocab(tokens, names, { file });
  const literals = new Set<string>(Object.values(names));
  for (const [id, content] of config?.addedTokens ?? []) {
    if (tokens[id] !== content) {
      throw new OctetError(
        id >= tokens.length ? 'unsupported' : 'malformed-file',
        `added token ${JSON.stringify(content)} (id ${id}) is not line ${id + 1} of ${VOCAB_TXT_FILE}; ` +
          `add it there or provide ${TOKENIZER_JSON_FILE}`,
        { file: configFile, field: `added_tokens_decoder["${id}"]` },
      );
    }
    literals.add(content);
  }
  const options: Partial<BertTokenizerOptions> = { ...config?.options, literalTokens: [...literals] };
  return new BertTokenizer(vocab, options);
}

function checkDirectory(modelDir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(modelDir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') throw new OctetError('file-not-found', 'model folder not found', { file: modelDir });
    throw new OctetError('file-not-found', `cannot open the model folder: ${(e as Error).message}`, { file: modelDir });
  }
  if (!stat.isDirectory()) {
    throw new OctetError('invalid-argument', 'expected a model folder, got a file', { file: modelDir });
  }
}
