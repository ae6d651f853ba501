// Quick fixes: diagnostics that know their fix carry it in `data` (see diagnostic-fix.ts), so
// the action is the replacement of exactly the underlined range.
import { type CodeAction, CodeActionKind, type CodeActionParams } from 'vscode-languageserver';
import { fixOf } from './diagnostic-fix';
import { DIAGNOSTIC_SOURCE } from './syntax-diagnostics';

export function quickFixes(params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  if (only !== undefined && !only.some((kind) => CodeActionKind.QuickFix.startsWith(kind))) return [];
  const actions: CodeAction[] = [];
  for (const diagnostic of params.context.diagnostics) {
    const fix = diagnostic.source === DIAGNOSTIC_SOURCE ? fixOf(diagnostic.data) : undefined;
    if (fix === undefined) continue;
    actions.push({
      title: fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { changes: { [params.textDocument.uri]: [{ range: diagnostic.range, newText: fix.newText }] } },
    });
  }
  return actions;
}
