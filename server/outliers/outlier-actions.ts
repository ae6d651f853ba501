// Code actions on outlier diagnostics: give the flagged layer its own `layers` entry with mode
// int8-outlier (or fp32), or do it for every outlier-heavy layer that runs plain int8. An entry
// named after the layer itself is the most specific pattern there is (and, written last, wins a
// tie with a `**` pattern), so the edit decides that layer and no other.
import { applyEdits, type FormattingOptions, modify } from 'jsonc-parser';
import { type CodeAction, CodeActionKind, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { PrecisionMode } from '../../engine/nn/precision';
import { outlierDataOf } from './outlier-findings';

export function outlierCodeActions(doc: TextDocument, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  let fixAllOffered = false;
  for (const diagnostic of diagnostics) {
    const o = outlierDataOf(diagnostic);
    if (o === undefined) continue;
    if (o.mode !== 'int8-outlier') {
      actions.push(action(doc, `Use int8-outlier for ${o.layer}`, [o.layer], 'int8-outlier', [diagnostic], o.mode === 'int8'));
    }
    if (o.mode !== 'fp32') actions.push(action(doc, `Keep ${o.layer} in fp32`, [o.layer], 'fp32', [diagnostic], false));
    if (!fixAllOffered && o.plainInt8Layers.length > 1) {
      fixAllOffered = true;
      const title = `Use int8-outlier for all ${o.plainInt8Layers.length} outlier-heavy layers that run plain int8`;
      actions.push(action(doc, title, o.plainInt8Layers, 'int8-outlier', [diagnostic], false));
    }
  }
  return actions;
}

function action(doc: TextDocument, title: string, layers: readonly string[], mode: PrecisionMode, diagnostics: Diagnostic[], isPreferred: boolean): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics, isPreferred, edit: { changes: { [doc.uri]: setModes(doc, layers, mode) } } };
}

/** Text edits setting `layers[<name>].mode` for each layer, creating `layers` or the entry if needed. */
export function setModes(doc: TextDocument, layers: readonly string[], mode: PrecisionMode): TextEdit[] {
  const original = doc.getText();
  const formattingOptions = formattingOf(original);
  if (layers.length === 1) {
    // One layer: the precise edits, so the editor moves nothing else.
    return modify(original, ['layers', layers[0], 'mode'], mode, { formattingOptions }).map((e) => ({
      range: { start: doc.positionAt(e.offset), end: doc.positionAt(e.offset + e.length) },
      newText: e.content,
    }));
  }
  // Several: each edit applies to the text the previous one left, so send the result whole.
  let text = original;
  for (const layer of layers) text = applyEdits(text, modify(text, ['layers', layer, 'mode'], mode, { formattingOptions }));
  return [{ range: { start: doc.positionAt(0), end: doc.positionAt(original.length) }, newText: text }];
}

/** The file's own indentation and line ends, so an inserted entry looks like the rest. */
function formattingOf(text: string): FormattingOptions {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  return { insertSpaces: !indent.startsWith('\t'), tabSize: indent.startsWith('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}
