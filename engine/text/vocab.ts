// A WordPiece vocabulary: the token <-> id tables and the ids of BERT's special tokens.

import { OctetError, type ErrorLocation } from '../errors';

export interface SpecialTokens<T> {
  readonly cls: T;
  readonly sep: T;
  readonly pad: T;
  readonly unk: T;
  readonly mask: T;
}

export const DEFAULT_SPECIAL_TOKENS: SpecialTokens<string> = {
  cls: '[CLS]',
  sep: '[SEP]',
  pad: '[PAD]',
  unk: '[UNK]',
  mask: '[MASK]',
};

export interface Vocab {
  readonly size: number;
  readonly tokenToId: ReadonlyMap<string, number>;
  /** Index = id. */
  readonly idToToken: readonly string[];
  /** Ids of the special tokens. */
  readonly special: SpecialTokens<number>;
  /** Spellings of the special tokens. */
  readonly specialTokens: SpecialTokens<string>;
}

/**
 * Builds a vocabulary where token i has id i. Throws OctetError if a token repeats (the ids
 * would be ambiguous) or a special token is missing. `where` names the source in errors.
 */
export function createVocab(
  idToToken: readonly string[],
  specialTokens: SpecialTokens<string> = DEFAULT_SPECIAL_TOKENS,
  where: ErrorLocation = {},
): Vocab {
  const tokenToId = new Map<string, number>();
  for (let id = 0; id < idToToken.length; id++) {
    const token = idToToken[id];
    if (typeof token !== 'string') {
      throw new OctetError('malformed-file', `vocabulary has no token for id ${id}`, where);
    }
    const earlier = tokenToId.get(token);
    if (earlier !== undefined) {
      throw new OctetError(
        'malformed-file',
        `token ${JSON.stringify(token)} appears twice in the vocabulary (ids ${earlier} and ${id})`,
        where,
      );
    }
    tokenToId.set(token, id);
  }
  const idOf = (role: keyof SpecialTokens<string>): number => {
    const token = specialTokens[role];
    const id = tokenToId.get(token);
    if (id === undefined) {
      throw new OctetError(
        'malformed-file',
        `the ${role} token ${JSON.stringify(token)} is not in the vocabulary`,
        where,
      );
    }
    return id;
  };
  const special = { cls: idOf('cls'), sep: idOf('sep'), pad: idOf('pad'), unk: idOf('unk'), mask: idOf('mask') };
  return { size: idToToken.length, tokenToId, idToToken: [...idToToken], special, specialTokens: { ...specialTokens } };
}
