// Typed reads of fields from parsed JSON, each failing with an OctetError that names the file and
// the JSON path, so a hand-edited tokenizer file tells its author exactly what is wrong.

import { OctetError } from '../errors';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, file: string, field: string): JsonObject {
  if (!isJsonObject(value)) throw wrongType(file, field, 'an object', value);
  return value;
}

/** `fallback` when the key is absent; `null` counts as absent too (HF writes null for "default"). */
export function optionalBoolean(obj: JsonObject, key: string, fallback: boolean, file: string, field: string): boolean {
  const value = obj[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw wrongType(file, field, 'true or false', value);
  return value;
}

/** Like optionalBoolean, but keeps an explicit null (meaning "follow another setting"). */
export function optionalBooleanOrNull(
  obj: JsonObject,
  key: string,
  fallback: boolean | null,
  file: string,
  field: string,
): boolean | null {
  const value = obj[key];
  if (value === undefined) return fallback;
  if (value !== null && typeof value !== 'boolean') throw wrongType(file, field, 'true, false or null', value);
  return value;
}

export function optionalString(obj: JsonObject, key: string, fallback: string, file: string, field: string): string {
  const value = obj[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw wrongType(file, field, 'a string', value);
  return value;
}

export function optionalPositiveInteger(
  obj: JsonObject,
  key: string,
  fallback: number,
  file: string,
  field: string,
): number {
  const value = obj[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw wrongType(file, field, 'a positive integer', value);
  }
  return value;
}

export function expectTokenId(value: unknown, file: string, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw wrongType(file, field, 'a non-negative integer token id', value);
  }
  return value;
}

function wrongType(file: string, field: string, expected: string, value: unknown): OctetError {
  const shown = JSON.stringify(value);
  const got = shown === undefined ? 'nothing' : shown.length > 40 ? `${shown.slice(0, 40)}...` : shown;
  return new OctetError('malformed-file', `expected ${expected}, got ${got}`, { file, field });
}
