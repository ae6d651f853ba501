// Semantic findings placed on the CURRENT text. A finding names a JSON path, so after edits
// elsewhere in the file it still underlines the right value; once the value it was computed
// from has changed (or is gone), it is dropped until the next check run decides afresh.
import type { Node } from 'jsonc-parser';
import { type Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { findKeyNode, findValueNode } from '../engine/manifest/json-document';
import type { OctetDiagnosticData } from './diagnostic-fix';
import { type SemanticFinding, valueSnapshot } from './semantic-checks';
import { DIAGNOSTIC_SOURCE } from './syntax-diagnostics';

export function anchorFindings(doc: TextDocument, root: Node | undefined, findings: readonly SemanticFinding[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const f of findings) {
    if (valueSnapshot(root, f.path, f.anchor) !== f.checkedValue) continue;
    const node = f.anchor === 'key' ? findKeyNode(root, f.path) : findValueNode(root, f.path);
    if (node === undefined) continue;
    const diagnostic: Diagnostic = {
      range: { start: doc.positionAt(node.offset), end: doc.positionAt(node.offset + node.length) },
      severity: f.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      source: DIAGNOSTIC_SOURCE,
      code: f.code,
      message: f.message,
    };
    if (f.fix !== undefined) diagnostic.data = { fix: f.fix } satisfies OctetDiagnosticData;
    out.push(diagnostic);
  }
  return out;
}
