// Hugging Face `tokenizer.json` for a BERT WordPiece tokenizer: vocabulary, normalizer settings,
// WordPiece parameters, added tokens and the [CLS]/[SEP] names of the post-processor. Anything
// that is not BERT's pipeline is refused as 'unsupported' rather than tokenized differently.

import { OctetError } from '../errors';
import type { BertTokenizerOptions } from './bert-tokenizer-options';
import {
  expectObject,
  expectTokenId,
  isJsonObject,
  optionalBoolean,
  optionalBooleanOrNull,
  optionalPositiveInteger,
  optionalString,
  type JsonObject,
} from './json-fields';

export interface TokenizerJsonContents {
  /** Index = id; includes added tokens. */
  readonly idToToken: string[];
  readonly options: Partial<BertTokenizerOptions>;
  readonly unkToken: string;
  /** From the post-processor, when it names them. */
  readonly clsToken?: string;
  readonly sepToken?: string;
}

export function parseTokenizerJson(json: unknown, file: string): TokenizerJsonContents {
  const root = expectObject(json, file, '(root)');
  const model = expectObject(root['model'], file, 'model');
  if (model['type'] !== undefined && model['type'] !== 'WordPiece') {
    throw new OctetError('unsupported', `model type ${JSON.stringify(model['type'])} is not WordPiece (BERT)`, {
      file,
      field: 'model.type',
    });
  }
  const idToToken = readVocab(model, file);
  const literalTokens = readAddedTokens(root, idToToken, file);
  checkNoGaps(idToToken, file);
  checkPreTokenizer(root, file);
  const { clsToken, sepToken } = readPostProcessor(root, file);
  const options: Partial<BertTokenizerOptions> = {
    ...readNormalizer(root, file),
    continuingSubwordPrefix: optionalString(model, 'continuing_subword_prefix', '##', file, 'model.continuing_subword_prefix'),
    maxInputCharsPerWord: optionalPositiveInteger(
      model,
      'max_input_chars_per_word',
      100,
      file,
      'model.max_input_chars_per_word',
    ),
    literalTokens,
  };
  const unkToken = optionalString(model, 'unk_token', '[UNK]', file, 'model.unk_token');
  return {
    idToToken,
    options,
    unkToken,
    ...(clsToken !== undefined ? { clsToken } : {}),
    ...(sepToken !== undefined ? { sepToken } : {}),
  };
}

function readVocab(model: JsonObject, file: string): string[] {
  const vocab = expectObject(model['vocab'], file, 'model.vocab');
  const idToToken: string[] = [];
  for (const [token, rawId] of Object.entries(vocab)) {
    const field = `model.vocab[${JSON.stringify(token)}]`;
    const id = expectTokenId(rawId, file, field);
    const holder = idToToken[id];
    if (holder !== undefined) {
      throw new OctetError('malformed-file', `id ${id} is given to both ${JSON.stringify(holder)} and ${JSON.stringify(token)}`, {
        file,
        field,
      });
    }
    idToToken[id] = token;
  }
  if (idToToken.length === 0) throw new OctetError('malformed-file', 'the vocabulary is empty', { file, field: 'model.vocab' });
  return idToToken;
}

/** Added tokens may extend the vocabulary; the ones already in it must agree with it. */
function readAddedTokens(root: JsonObject, idToToken: string[], file: string): string[] {
  const added = root['added_tokens'];
  if (added === undefined || added === null) return [];
  if (!Array.isArray(added)) throw new OctetError('malformed-file', 'expected an array', { file, field: 'added_tokens' });
  const contents: string[] = [];
  added.forEach((entry: unknown, i) => {
    const field = `added_tokens[${i}]`;
    const token = expectObject(entry, file, field);
    const id = expectTokenId(token['id'], file, `${field}.id`);
    const content = token['content'];
    if (typeof content !== 'string' || content.length === 0) {
      throw new OctetError('malformed-file', 'expected a non-empty string', { file, field: `${field}.content` });
    }
    const holder = idToToken[id];
    if (holder !== undefined && holder !== content) {
      throw new OctetError(
        'malformed-file',
        `added token ${JSON.stringify(content)} has id ${id}, which model.vocab gives to ${JSON.stringify(holder)}`,
        { file, field: `${field}.id` },
      );
    }
    idToToken[id] = content;
    contents.push(content);
  });
  return contents;
}

function checkNoGaps(idToToken: string[], file: string): void {
  for (let id = 0; id < idToToken.length; id++) {
    if (idToToken[id] === undefined) {
      throw new OctetError('malformed-file', `no token has id ${id} (ids must run 0..${idToToken.length - 1})`, {
        file,
        field: 'model.vocab',
      });
    }
  }
}

function readNormalizer(root: JsonObject, file: string): Partial<BertTokenizerOptions> {
  const normalizer = root['normalizer'];
  if (normalizer === undefined || normalizer === null) {
    return { cleanText: false, handleChineseChars: false, lowercase: false, stripAccents: false };
  }
  const n = expectObject(normalizer, file, 'normalizer');
  if (n['type'] !== 'BertNormalizer') {
    throw new OctetError('unsupported', `normalizer ${JSON.stringify(n['type'])} is not supported (only BertNormalizer)`, {
      file,
      field: 'normalizer.type',
    });
  }
  return {
    cleanText: optionalBoolean(n, 'clean_text', true, file, 'normalizer.clean_text'),
    handleChineseChars: optionalBoolean(n, 'handle_chinese_chars', true, file, 'normalizer.handle_chinese_chars'),
    lowercase: optionalBoolean(n, 'lowercase', true, file, 'normalizer.lowercase'),
    stripAccents: optionalBooleanOrNull(n, 'strip_accents', null, file, 'normalizer.strip_accents'),
  };
}

function checkPreTokenizer(root: JsonObject, file: string): void {
  const pre = root['pre_tokenizer'];
  const type = isJsonObject(pre) ? pre['type'] : pre;
  if (type !== 'BertPreTokenizer') {
    throw new OctetError('unsupported', `pre_tokenizer ${JSON.stringify(type)} is not supported (only BertPreTokenizer)`, {
      file,
      field: 'pre_tokenizer',
    });
  }
}

/** Accepts only BERT's layout, `[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]`, and returns its names. */
function readPostProcessor(root: JsonObject, file: string): { clsToken?: string; sepToken?: string } {
  const post = root['post_processor'];
  if (post === undefined || post === null) return {};
  const p = expectObject(post, file, 'post_processor');
  if (p['type'] === 'BertProcessing') {
    return {
      clsToken: tokenOfPair(p['cls'], file, 'post_processor.cls'),
      sepToken: tokenOfPair(p['sep'], file, 'post_processor.sep'),
    };
  }
  if (p['type'] === 'TemplateProcessing') {
    const single = templateSteps(p['single']);
    const pair = templateSteps(p['pair']);
    const cls = single?.[0]?.special;
    const sep = single?.[2]?.special;
    const bertLayout =
      single !== undefined &&
      pair !== undefined &&
      cls !== undefined &&
      sep !== undefined &&
      sameSteps(single, [step(cls, 0), step('A', 0, false), step(sep, 0)]) &&
      sameSteps(pair, [step(cls, 0), step('A', 0, false), step(sep, 0), step('B', 1, false), step(sep, 1)]);
    if (!bertLayout) {
      throw new OctetError('unsupported', 'post_processor template is not BERT\'s "[CLS] A [SEP] B [SEP]" layout', {
        file,
        field: 'post_processor',
      });
    }
    return { clsToken: cls, sepToken: sep };
  }
  throw new OctetError('unsupported', `post_processor ${JSON.stringify(p['type'])} is not supported`, {
    file,
    field: 'post_processor.type',
  });
}

function tokenOfPair(value: unknown, file: string, field: string): string {
  if (!Array.isArray(value) || typeof value[0] !== 'string') {
    throw new OctetError('malformed-file', 'expected ["token", id]', { file, field });
  }
  return value[0];
}

interface TemplateStep {
  /** Special token name, or the sequence letter. */
  readonly name: string;
  readonly special?: string;
  readonly typeId: number;
}

function step(name: string, typeId: number, special = true): TemplateStep {
  return special ? { name, special: name, typeId } : { name, typeId };
}

function templateSteps(value: unknown): TemplateStep[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const steps: TemplateStep[] = [];
  for (const entry of value) {
    if (!isJsonObject(entry)) return undefined;
    const special = entry['SpecialToken'];
    const sequence = entry['Sequence'];
    const body = isJsonObject(special) ? special : isJsonObject(sequence) ? sequence : undefined;
    if (body === undefined || typeof body['id'] !== 'string') return undefined;
    const typeId = typeof body['type_id'] === 'number' ? body['type_id'] : 0;
    steps.push(step(body['id'], typeId, body === special));
  }
  return steps;
}

function sameSteps(actual: TemplateStep[], expected: TemplateStep[]): boolean {
  return (
    actual.length === expected.length &&
    actual.every(
      (s, i) => s.name === expected[i]!.name && s.special === expected[i]!.special && s.typeId === expected[i]!.typeId,
    )
  );
}
