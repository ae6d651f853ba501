// All problems of a manifest text in one pass: JSON syntax first (a broken file has no
// meaningful structure to check), then the schema, duplicate keys and cross-field rules.
// The language server calls this on every edit, so it never throws.
import { consistencyProblems } from './consistency-checks';
import { JsonDocument, documentValue, duplicateKeyProblems, parseJsonDocument } from './json-document';
import { schemaProblems } from './schema-problems';
import type { ManifestProblem } from './types';

export interface ManifestAnalysis {
  doc: JsonDocument;
  /** The parsed value; only to be trusted when `problems` is empty. */
  value: unknown;
  /** In document order. */
  problems: ManifestProblem[];
}

export function analyzeManifestText(text: string): ManifestAnalysis {
  const doc = parseJsonDocument(text);
  if (doc.syntaxProblems.length > 0) return { doc, value: undefined, problems: sortByPosition(doc.syntaxProblems) };
  const value = documentValue(doc);
  const problems = [...schemaProblems(doc, value), ...duplicateKeyProblems(doc), ...consistencyProblems(doc, value)];
  return { doc, value, problems: sortByPosition(problems) };
}

export function validateManifestText(text: string): ManifestProblem[] {
  try {
    return analyzeManifestText(text).problems;
  } catch (e) {
    // A bug here must not take the editor's diagnostics down with it; report it as a problem.
    const message = e instanceof Error ? e.message : String(e);
    return [{ message: `internal error while checking the manifest: ${message}`, field: '', line: 1, column: 1, offset: 0, length: 0 }];
  }
}

function sortByPosition(problems: ManifestProblem[]): ManifestProblem[] {
  // Array.prototype.sort is stable, so problems at one position keep the order they were found in.
  return [...problems].sort((a, b) => (a.offset ?? Number.MAX_SAFE_INTEGER) - (b.offset ?? Number.MAX_SAFE_INTEGER));
}
