// Whole-number command-line options (--batches 8, --seeds 3), with a message naming the option.
import { OctetError } from '../errors';

export function parseCount(text: string, option: string, min: number): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(v) || v < min) {
    throw new OctetError('invalid-argument', `${option} must be a whole number of at least ${min}, got "${text}"`);
  }
  return v;
}
