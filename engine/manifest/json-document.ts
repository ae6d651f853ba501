// The manifest text as a syntax tree with positions, so every problem can point at the exact
// key or value (the CLI prints line:column, the language server underlines the range).
import { Node, ParseError, ParseErrorCode, getNodeValue, parseTree } from 'jsonc-parser';
import type { ManifestProblem } from './types';

/** A property name or an array index, as in a JSON Pointer split into parts. */
export type JsonPathPart = string | number;

export interface JsonDocument {
  text: string;
  /** Undefined when the text holds no value at all (empty, or only whitespace). */
  root: Node | undefined;
  syntaxProblems: ManifestProblem[];
  /** Offsets at which each line starts, for offset -> line/column. */
  lineStarts: number[];
}

const SYNTAX_MESSAGES: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: 'unexpected character',
  [ParseErrorCode.InvalidNumberFormat]: 'invalid number',
  [ParseErrorCode.PropertyNameExpected]: 'expected a property name in double quotes',
  [ParseErrorCode.ValueExpected]: 'expected a value',
  [ParseErrorCode.ColonExpected]: 'expected ":"',
  [ParseErrorCode.CommaExpected]: 'expected ","',
  [ParseErrorCode.CloseBraceExpected]: 'expected "}"',
  [ParseErrorCode.CloseBracketExpected]: 'expected "]"',
  [ParseErrorCode.EndOfFileExpected]: 'expected the end of the file after the top-level value',
  [ParseErrorCode.InvalidCommentToken]: 'comments are not allowed in JSON',
  [ParseErrorCode.UnexpectedEndOfComment]: 'unterminated comment',
  [ParseErrorCode.UnexpectedEndOfString]: 'unterminated string',
  [ParseErrorCode.UnexpectedEndOfNumber]: 'unterminated number',
  [ParseErrorCode.InvalidUnicode]: 'invalid \\u escape',
  [ParseErrorCode.InvalidEscapeCharacter]: 'invalid escape character in string',
  [ParseErrorCode.InvalidCharacter]: 'invalid character in string (control characters must be escaped)',
};

export function parseJsonDocument(text: string): JsonDocument {
  // A byte-order mark is not JSON, but editors and Windows tools write one; blank it out rather
  // than strip it so offsets still match the text the caller has.
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  const errors: ParseError[] = [];
  // Strict JSON: octet.json is also read by tools that know nothing of comments or trailing commas.
  const root = parseTree(source, errors, { disallowComments: true, allowTrailingComma: false });
  const lineStarts = computeLineStarts(text);
  const doc: JsonDocument = { text, root, syntaxProblems: [], lineStarts };
  if (source.trim() === '') {
    doc.syntaxProblems.push(problemAt(doc, 'the manifest is empty; it must be a JSON object', '', 0, 0));
    return doc;
  }
  // The parser recovers by trying several readings at one spot and reports each; one message
  // per position is enough.
  const seenOffsets = new Set<number>();
  for (const e of errors) {
    if (seenOffsets.has(e.offset)) continue;
    seenOffsets.add(e.offset);
    const comma = trailingCommaBefore(source, e.offset);
    if (comma !== undefined) {
      doc.syntaxProblems.push(problemAt(doc, 'JSON syntax error: trailing comma (JSON allows no comma before "}" or "]")', '', comma, 1));
      continue;
    }
    const message = SYNTAX_MESSAGES[e.error] ?? 'invalid JSON';
    doc.syntaxProblems.push(problemAt(doc, `JSON syntax error: ${message}`, '', e.offset, e.length));
  }
  return doc;
}

/**
 * The offset of a comma that directly precedes a closing bracket at `offset` (whitespace
 * between), i.e. the trailing comma many people expect JSON to accept.
 */
function trailingCommaBefore(text: string, offset: number): number | undefined {
  if (text[offset] !== '}' && text[offset] !== ']') return undefined;
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return text[i] === ',' ? i : undefined;
}

/** The plain value of the document (last duplicate key wins, as with JSON.parse). */
export function documentValue(doc: JsonDocument): unknown {
  return doc.root === undefined ? undefined : getNodeValue(doc.root);
}

export function problemAt(
  doc: JsonDocument,
  message: string,
  field: string,
  offset: number,
  length: number,
): ManifestProblem {
  const { line, column } = lineAndColumn(doc.lineStarts, offset);
  return { message, field, line, column, offset, length };
}

/** A problem pointing at a node of the tree (or at the start of the file when there is none). */
export function problemAtNode(doc: JsonDocument, message: string, field: string, node: Node | undefined): ManifestProblem {
  return node === undefined ? problemAt(doc, message, field, 0, 0) : problemAt(doc, message, field, node.offset, node.length);
}

/**
 * The value node at `path`. With duplicate keys the last one is taken, because that is the value
 * the manifest ends up with.
 */
export function findValueNode(root: Node | undefined, path: readonly JsonPathPart[]): Node | undefined {
  let node = root;
  for (const part of path) {
    if (node === undefined) return undefined;
    if (node.type === 'array') {
      node = node.children?.[Number(part)];
    } else if (node.type === 'object') {
      node = lastProperty(node, String(part))?.children?.[1];
    } else {
      return undefined;
    }
  }
  return node;
}

/** The key node of the property at `path` (a non-empty path ending in a property name). */
export function findKeyNode(root: Node | undefined, path: readonly JsonPathPart[]): Node | undefined {
  if (path.length === 0) return undefined;
  const parent = findValueNode(root, path.slice(0, -1));
  if (parent?.type !== 'object') return undefined;
  return lastProperty(parent, String(path[path.length - 1]))?.children?.[0];
}

/**
 * Where to underline something about the value at `path`: the value itself when it is a scalar,
 * the property's key when the value is an object or array (underlining a whole block is noise).
 */
export function findAnchorNode(root: Node | undefined, path: readonly JsonPathPart[]): Node | undefined {
  const value = findValueNode(root, path);
  if (value !== undefined && (value.type === 'object' || value.type === 'array')) {
    const key = findKeyNode(root, path);
    if (key !== undefined) return key;
    // The top-level object: point at its opening brace only.
    return { ...value, length: 1 };
  }
  return value;
}

function lastProperty(object: Node, key: string): Node | undefined {
  const props = object.children ?? [];
  for (let i = props.length - 1; i >= 0; i--) {
    if (props[i].children?.[0]?.value === key) return props[i];
  }
  return undefined;
}

/** Readable field name: `train.batchSize`, `task.labels[1]`, `layers["encoder.layer.*"].mode`. */
export function fieldName(path: readonly JsonPathPart[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Splits an ajv instancePath (a JSON Pointer) into parts; indexes stay strings, the tree walk handles both. */
export function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Path parts with array indexes as numbers, using the tree to tell arrays from objects. */
export function typedPath(root: Node | undefined, parts: readonly string[]): JsonPathPart[] {
  const out: JsonPathPart[] = [];
  let node = root;
  for (const part of parts) {
    const isIndex = node?.type === 'array';
    out.push(isIndex ? Number(part) : part);
    node = findValueNode(node, [isIndex ? Number(part) : part]);
  }
  return out;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d) {
      if (text.charCodeAt(i + 1) === 0x0a) i++;
      starts.push(i + 1);
    } else if (c === 0x0a) {
      starts.push(i + 1);
    }
  }
  return starts;
}

/** 1-based line and column (column in UTF-16 code units, like editors and LSP). */
export function lineAndColumn(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
}

/**
 * Keys written twice in one object. JSON.parse silently keeps the last one, which hides typos
 * such as two entries for the same layer pattern.
 */
export function duplicateKeyProblems(doc: JsonDocument): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const visit = (node: Node | undefined, path: JsonPathPart[]): void => {
    if (node === undefined) return;
    if (node.type === 'array') {
      node.children?.forEach((child, i) => visit(child, [...path, i]));
      return;
    }
    if (node.type !== 'object') return;
    const seen = new Set<string>();
    for (const prop of node.children ?? []) {
      const keyNode = prop.children?.[0];
      const key = String(keyNode?.value);
      if (seen.has(key)) {
        problems.push(
          problemAtNode(doc, `duplicate property "${key}"; only the last one would count`, fieldName([...path, key]), keyNode),
        );
      }
      seen.add(key);
      visit(prop.children?.[1], [...path, key]);
    }
  };
  visit(doc.root, []);
  return problems;
}
