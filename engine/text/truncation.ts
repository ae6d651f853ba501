// How many tokens of each sequence survive truncation, computed the way Hugging Face's fast
// (Rust) tokenizers do, so a model fine-tuned here sees the same windows as with `transformers`.

import { OctetError } from '../errors';

export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second' | 'do_not_truncate';

export interface TruncationPlan {
  readonly keepFirst: number;
  readonly keepSecond: number;
}

/**
 * Token counts to keep from the first and (optional) second sequence so that together they fit
 * `budget` (the length limit minus the special tokens).
 *
 * `longest_first` takes tokens off the longer sequence until both are equally long, then shares
 * what is left evenly; an odd token goes to the sequence that was longer, or to the second one on
 * a tie. (That tie rule is the Rust tokenizer's; the old Python loop gave it to the first.)
 * `only_first` / `only_second` cut just that sequence and throw when it is too short to reach
 * the budget, rather than silently returning something over the limit.
 */
export function planTruncation(
  firstLength: number,
  secondLength: number | null,
  budget: number,
  strategy: TruncationStrategy,
): TruncationPlan {
  const second = secondLength ?? 0;
  const excess = firstLength + second - budget;
  if (strategy === 'only_second' && secondLength === null) {
    throw new OctetError('invalid-argument', "truncation 'only_second' needs a second text (a text pair)", {
      field: 'truncation',
    });
  }
  if (excess <= 0 || strategy === 'do_not_truncate') return { keepFirst: firstLength, keepSecond: second };
  // Room for nothing but the special tokens: Rust empties both without complaint, whatever the strategy.
  if (budget <= 0) return { keepFirst: 0, keepSecond: 0 };

  switch (strategy) {
    case 'only_first':
    case 'only_second': {
      const targetLength = strategy === 'only_first' ? firstLength : second;
      if (targetLength <= excess) {
        const which = strategy === 'only_first' ? 'first' : 'second';
        throw new OctetError(
          'invalid-argument',
          `cannot fit ${firstLength + second} tokens into ${budget} by truncating only the ${which} ` +
            `text: it has ${targetLength} tokens and ${excess} must go (raise maxLength or use 'longest_first')`,
          { field: 'truncation' },
        );
      }
      return strategy === 'only_first'
        ? { keepFirst: firstLength - excess, keepSecond: second }
        : { keepFirst: firstLength, keepSecond: second - excess };
    }
    case 'longest_first': {
      if (secondLength === null) return { keepFirst: budget, keepSecond: 0 };
      const swapped = firstLength > second;
      const shorter = swapped ? second : firstLength;
      const longer = swapped ? firstLength : second;
      let keepShorter = shorter;
      let keepLonger = Math.max(shorter, budget - shorter);
      if (shorter > budget) keepLonger = shorter;
      if (keepShorter + keepLonger > budget) {
        keepShorter = Math.floor(budget / 2);
        keepLonger = keepShorter + (budget % 2);
      }
      keepLonger = Math.min(keepLonger, longer);
      return swapped
        ? { keepFirst: keepLonger, keepSecond: keepShorter }
        : { keepFirst: keepShorter, keepSecond: keepLonger };
    }
  }
}
