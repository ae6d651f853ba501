// Argument checks shared by the metrics. A metric over mismatched or empty arrays would return a
// plausible-looking number, so these fail loudly instead.

import { OctetError } from '../errors';

export type Values = ArrayLike<number>;

/** Same, non-zero length. */
export function checkPaired(metric: string, predictions: ArrayLike<unknown>, labels: ArrayLike<unknown>): void {
  if (predictions.length !== labels.length) {
    throw new OctetError(
      'shape-mismatch',
      `${metric}: ${predictions.length} predictions but ${labels.length} labels`,
    );
  }
  if (labels.length === 0) throw new OctetError('invalid-argument', `${metric}: no examples to score`);
}

/** Class ids are non-negative integers (argmax output), not scores or label strings. */
export function checkClassIds(metric: string, name: string, values: Values): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0) {
      throw new OctetError('invalid-argument', `${metric}: ${name}[${i}] = ${v} is not a class id (a non-negative integer)`);
    }
  }
}

export function checkFinite(metric: string, name: string, values: Values): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new OctetError('non-finite', `${metric}: ${name}[${i}] = ${values[i]} is not a finite number`);
    }
  }
}
