// Turns ajv's schema errors into manifest problems a person can act on: a readable field name,
// a sentence saying what was expected and what was found, and the position of the culprit.
import type { ErrorObject } from 'ajv';
import { closestName } from './closest-name';
import {
  JsonDocument,
  JsonPathPart,
  fieldName,
  findAnchorNode,
  findKeyNode,
  findValueNode,
  pointerToPath,
  problemAtNode,
  typedPath,
} from './json-document';
import { manifestValidator } from './schema';
import type { ManifestProblem } from './types';

export function schemaProblems(doc: JsonDocument, value: unknown): ManifestProblem[] {
  const validate = manifestValidator();
  if (validate(value)) return [];
  // An `if` error only says that its then/else branch failed; that branch's own errors say how.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  return withoutAnyOfBranches(errors).map((e) => toProblem(doc, e));
}

/**
 * ajv reports an `anyOf` failure once per branch plus once for the anyOf itself; keep only the
 * latter, whose message lists every alternative.
 */
function withoutAnyOfBranches(errors: ErrorObject[]): ErrorObject[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  return errors.filter(
    (e) =>
      !anyOfs.some(
        (a) => a !== e && e.schemaPath.startsWith(a.schemaPath + '/') && e.instancePath.startsWith(a.instancePath),
      ),
  );
}

function toProblem(doc: JsonDocument, e: ErrorObject): ManifestProblem {
  const path = typedPath(doc.root, pointerToPath(e.instancePath));
  const field = fieldName(path);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      return problemAtNode(doc, `missing required property "${missing}"`, fieldName([...path, missing]), findAnchorNode(doc.root, path));
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const known = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      const hint = didYouMean(extra, known);
      const where = path.length === 0 ? 'at the top level' : `in ${field}`;
      return problemAtNode(
        doc,
        `unknown property "${extra}" ${where}${hint}`,
        fieldName([...path, extra]),
        findKeyNode(doc.root, [...path, extra]),
      );
    }
    case 'uniqueItems': {
      // ajv names the two equal items; point at the later one, which is the one to delete.
      const later = Math.max(Number(params.i), Number(params.j));
      const items = e.data as unknown[];
      const itemPath: JsonPathPart[] = [...path, later];
      return problemAtNode(
        doc,
        `duplicate item ${JSON.stringify(items[later])}`,
        fieldName(itemPath),
        findValueNode(doc.root, itemPath),
      );
    }
    default:
      return problemAtNode(doc, valueMessage(e, field), field, findAnchorNode(doc.root, path));
  }
}

/** The message for a value that is present but wrong. */
function valueMessage(e: ErrorObject, field: string): string {
  const params = e.params as Record<string, unknown>;
  const found = describeValue(e.data);
  switch (e.keyword) {
    case 'type': {
      const types = Array.isArray(params.type) ? params.type : String(params.type).split(',');
      return `expected ${joinOr(types.map((t) => describeType(String(t))))}, found ${found}`;
    }
    case 'const':
      if (field === 'version') {
        return `unsupported manifest version ${JSON.stringify(e.data)}; this version of Octet reads version ${JSON.stringify(params.allowedValue)}`;
      }
      return `must be ${JSON.stringify(params.allowedValue)}, found ${found}`;
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const hint =
        typeof e.data === 'string' ? didYouMean(e.data, (params.allowedValues as unknown[]).map(String), true) : '';
      return `expected one of ${joinOr(allowed)}, found ${found}${hint}`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${boundPhrase(e.keyword, Number(params.limit))}, found ${found}`;
    case 'minLength':
      return Number(params.limit) === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`;
    case 'minItems':
      return `must list at least ${String(params.limit)} items, found ${(e.data as unknown[]).length}`;
    case 'anyOf': {
      const branches = (e.schema as Record<string, unknown>[]).map(describeSchema);
      return `expected ${joinOr(branches)}, found ${found}`;
    }
    default:
      return e.message ?? 'invalid value';
  }
}

function didYouMean(word: string, candidates: string[], quoteAsValue = false): string {
  const best = closestName(word, candidates);
  if (best === undefined) return '';
  return quoteAsValue ? `; did you mean ${JSON.stringify(best)}?` : ` (did you mean "${best}"?)`;
}

function boundPhrase(keyword: string, limit: number): string {
  switch (keyword) {
    case 'minimum':
      return `at least ${limit}`;
    case 'maximum':
      return `at most ${limit}`;
    case 'exclusiveMinimum':
      return `greater than ${limit}`;
    default:
      return `less than ${limit}`;
  }
}

/** Words for a small sub-schema, e.g. `"epoch"` or `an integer of at least 1`. */
function describeSchema(s: Record<string, unknown>): string {
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return joinOr(s.enum.map((v) => JSON.stringify(v)));
  const type = typeof s.type === 'string' ? describeType(s.type) : 'a value';
  const bounds = (['minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum'] as const)
    .filter((k) => typeof s[k] === 'number')
    .map((k) => (k.startsWith('exclusive') ? '' : 'of ') + boundPhrase(k, s[k] as number));
  return bounds.length === 0 ? type : `${type} ${bounds.join(' and ')}`;
}

function describeType(t: string): string {
  switch (t) {
    case 'integer':
      return 'an integer';
    case 'object':
    case 'array':
      return `an ${t}`;
    case 'null':
      return 'null';
    default:
      return `a ${t}`;
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return `the string ${JSON.stringify(v)}`;
    case 'number':
      return String(v);
    case 'boolean':
      return String(v);
    case 'object':
      return 'an object';
    default:
      return 'nothing';
  }
}

function joinOr(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
