// The engine's manifest problems, sorted into what a JSON Schema validator also finds (syntax
// and schema) and what only Octet knows (duplicate keys, cross-field rules, layer-pattern
// syntax). The split decides what the server reports when the client validates the schema
// itself, and which engine messages can stand in for vscode-json-languageservice's.
import { type ManifestProblem, validateManifestText } from '../engine/manifest';
import { documentValue, parseJsonDocument } from '../engine/manifest/json-document';
import { schemaProblems } from '../engine/manifest/schema-problems';

export interface ClassifiedProblems {
  syntax: ManifestProblem[];
  schema: ManifestProblem[];
  /** Everything else validateManifestText reports; never empty because of a bug elsewhere. */
  octet: ManifestProblem[];
}

export function classifyManifestProblems(text: string): ClassifiedProblems {
  // validateManifestText is the one source of truth (it never throws); the schema problems are
  // computed again only to recognise them in its list, so a check added to the engine later
  // lands in `octet` without changes here.
  const all = validateManifestText(text);
  let schemaKeys: Set<string>;
  try {
    const doc = parseJsonDocument(text);
    if (doc.syntaxProblems.length > 0) return { syntax: all, schema: [], octet: [] };
    schemaKeys = new Set(schemaProblems(doc, documentValue(doc)).map(problemKey));
  } catch {
    // validateManifestText has turned the same failure into a problem of its own; keep it visible.
    return { syntax: [], schema: [], octet: all };
  }
  const schema: ManifestProblem[] = [];
  const octet: ManifestProblem[] = [];
  for (const p of all) (schemaKeys.has(problemKey(p)) ? schema : octet).push(p);
  return { syntax: [], schema, octet };
}

function problemKey(p: ManifestProblem): string {
  return `${p.offset}:${p.length}:${p.field}:${p.message}`;
}
