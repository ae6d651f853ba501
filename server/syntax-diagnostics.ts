// Diagnostics that depend on the manifest text alone: JSON syntax, the schema, and the engine's
// own rules (duplicate keys, cross-field rules, layer-pattern syntax). Cheap enough to compute
// on every request, so they always describe the text the editor has now.
//
// vscode-json-languageservice finds schema problems; the engine finds the same ones plus its
// own. Where both underline the same range, the engine's message wins: it is the one the CLI
// prints, and it says more ("unknown property "epoch" in train (did you mean "epochs"?)" instead
// of "Property epoch is not allowed."). Where they disagree on the range, the JSON service's
// diagnostic stands and the engine's twin is dropped, so nothing is reported twice. JSON syntax
// errors are the engine's alone: its parser is the one that accepts or refuses the file.
import { type Node, findNodeAtOffset, getNodePath, parseTree } from 'jsonc-parser';
import { ErrorCode, isSchemaResolveError } from 'vscode-json-languageservice';
import { type Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ManifestProblem } from '../engine/manifest';
import { fieldName } from '../engine/manifest/json-document';
import { type OctetDiagnosticData, didYouMeanFix } from './diagnostic-fix';
import type { ManifestJsonService } from './json-language-service';
import { MAX_NESTING, excessiveNestingAt } from './nesting-guard';
import { type ClassifiedProblems, classifyManifestProblems } from './manifest-problems';

export const DIAGNOSTIC_SOURCE = 'octet';

export async function syntaxAndSchemaDiagnostics(
  doc: TextDocument,
  json: ManifestJsonService,
  options: { schemaContributedByClient: boolean; log: (message: string) => void },
): Promise<Diagnostic[]> {
  const tooDeep = excessiveNestingAt(doc.getText());
  if (tooDeep !== undefined) {
    const at = doc.positionAt(tooDeep);
    const message = `the manifest nests objects and arrays more than ${MAX_NESTING} levels deep; Octet does not read it further`;
    return [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, severity: DiagnosticSeverity.Error, source: DIAGNOSTIC_SOURCE, message }];
  }
  const engine = classifyManifestProblems(doc.getText());
  // The client's JSON support already reports syntax and schema problems; only Octet's own rules
  // are news to the user.
  if (options.schemaContributedByClient) return engine.octet.map((p) => problemDiagnostic(doc, p));
  let fromJsonService: Diagnostic[] = [];
  try {
    fromJsonService = await json.validate(doc);
  } catch (e) {
    // A parser failure (say, on pathological nesting) must not hide the engine's diagnostics.
    options.log(`JSON validation failed for ${doc.uri}: ${(e as Error).message}`);
    return [...engine.syntax, ...engine.schema, ...engine.octet].map((p) => problemDiagnostic(doc, p));
  }
  return mergeDiagnostics(doc, fromJsonService, engine);
}

/** The JSON service's parse-error codes; the engine reports syntax itself. */
const SYNTAX_CODES = new Set<unknown>([
  ErrorCode.UnexpectedEndOfComment, ErrorCode.UnexpectedEndOfString, ErrorCode.UnexpectedEndOfNumber,
  ErrorCode.InvalidUnicode, ErrorCode.InvalidEscapeCharacter, ErrorCode.InvalidCharacter,
  ErrorCode.PropertyExpected, ErrorCode.CommaExpected, ErrorCode.ColonExpected, ErrorCode.ValueExpected,
  ErrorCode.CommaOrCloseBacketExpected, ErrorCode.CommaOrCloseBraceExpected, ErrorCode.TrailingComma,
  ErrorCode.CommentNotPermitted, ErrorCode.PropertyKeysMustBeDoublequoted,
]);

function mergeDiagnostics(doc: TextDocument, fromJsonService: Diagnostic[], engine: ClassifiedProblems): Diagnostic[] {
  const replacements = engine.schema;
  const used = new Set<ManifestProblem>();
  const out: Diagnostic[] = engine.syntax.map((p) => problemDiagnostic(doc, p));
  // A `$schema` naming some other schema: the JSON service validated against nothing, so every
  // schema problem has to come from the engine.
  const schemaNotLoaded = fromJsonService.some((d) => typeof d.code === 'number' && isSchemaResolveError(d.code));
  if (schemaNotLoaded) out.push(...engine.schema.map((p) => problemDiagnostic(doc, p)));
  let tree: { root: Node | undefined } | undefined; // parsed only if a duplicate key needs it
  const fieldAt = (offset: number): string => {
    tree ??= { root: parseTree(doc.getText()) };
    const node = tree.root === undefined ? undefined : findNodeAtOffset(tree.root, offset);
    return node === undefined ? '' : fieldName(getNodePath(node));
  };

  for (const d of fromJsonService) {
    if (SYNTAX_CODES.has(d.code)) continue;
    const start = doc.offsetAt(d.range.start);
    const end = doc.offsetAt(d.range.end);
    const sameRange = (p: ManifestProblem): boolean => p.offset === start && p.offset + (p.length ?? 0) === end;
    // The engine reports this very thing itself (duplicate keys); its diagnostic follows below.
    if (engine.octet.some(sameRange)) continue;
    const twin = schemaNotLoaded ? undefined : replacements.find((p) => sameRange(p) && !used.has(p));
    if (twin !== undefined) {
      used.add(twin);
      out.push(problemDiagnostic(doc, twin));
      continue;
    }
    // The JSON service flags both copies of a duplicate key; the engine flags the one that is
    // ignored. Keep one report per key.
    if (d.code === ErrorCode.DuplicateKey && engine.octet.some((p) => p.field === fieldAt(start))) continue;
    out.push({ ...d, severity: d.severity ?? DiagnosticSeverity.Error, source: DIAGNOSTIC_SOURCE });
  }
  out.push(...engine.octet.map((p) => problemDiagnostic(doc, p)));
  return withoutRepeats(out).sort(byPosition);
}

/** An engine problem as a diagnostic, with a quick fix when the message suggests a spelling. */
export function problemDiagnostic(doc: TextDocument, p: ManifestProblem): Diagnostic {
  const offset = p.offset ?? 0;
  const range = { start: doc.positionAt(offset), end: doc.positionAt(offset + (p.length ?? 0)) };
  const diagnostic: Diagnostic = { range, severity: DiagnosticSeverity.Error, source: DIAGNOSTIC_SOURCE, message: p.message };
  const fix = didYouMeanFix(p.message, doc.getText(range));
  if (fix !== undefined) diagnostic.data = { fix } satisfies OctetDiagnosticData;
  return diagnostic;
}

function withoutRepeats(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.range.start.line}:${d.range.start.character}:${d.range.end.line}:${d.range.end.character}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}
