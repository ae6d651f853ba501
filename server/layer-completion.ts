// Completion of `layers` keys: the model's own linear layer names and the patterns people use
// most (one kind of layer in every block, one whole block). Without a readable model, the
// patterns that hold for every BERT (`encoder.layer.*.output.dense`, `classifier`, ...) are
// offered, so the feature still helps while the model is being downloaded.
import { getLocation } from 'jsonc-parser';
import { type CompletionItem, CompletionItemKind, InsertTextFormat, type Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseBertConfig } from '../engine/checkpoint/bert-config';
import { type LayerSuggestion, layerSuggestions } from './layer-catalog';
import { readLooseManifest } from './loose-manifest';
import { type ModelInspector, headForTask, linearLayerNames } from './model-inspection';

export interface LayerCompletionOptions {
  manifestPath: string | undefined;
  models: ModelInspector;
  snippetSupport: boolean;
}

/** Completion items for a `layers` key at `offset`, or undefined when the cursor is elsewhere. */
export async function layerKeyCompletions(doc: TextDocument, offset: number, options: LayerCompletionOptions): Promise<CompletionItem[] | undefined> {
  const text = doc.getText();
  const location = getLocation(text, offset);
  if (!location.isAtPropertyKey || location.path.length !== 2 || location.path[0] !== 'layers') return undefined;

  const manifest = readLooseManifest(text, options.manifestPath ?? '/octet.json');
  const head = headForTask(manifest.taskType ?? 'classification');
  let suggestions: LayerSuggestion[];
  let fromModel = false;
  const inspection = options.manifestPath !== undefined && manifest.modelFolder !== undefined ? await options.models.inspect(manifest.modelFolder, manifest.dir) : undefined;
  if (inspection?.ok) {
    suggestions = layerSuggestions(linearLayerNames(inspection.model.config, head));
    fromModel = true;
  } else {
    // Any BERT has these sub-layers; block numbers depend on the model, so only wildcards.
    const generic = linearLayerNames(parseBertConfig({ model_type: 'bert', num_hidden_layers: 1 }, 'generic BERT'), head);
    suggestions = layerSuggestions(generic).filter((s) => s.kind === 'pattern' ? !/\.\d+\./.test(s.pattern) : !s.pattern.startsWith('encoder.layer.'));
  }

  // Replace the key being typed (quotes included), or insert a new property at the cursor.
  const previous = location.previousNode;
  const onKey = previous !== undefined && previous.type === 'property' && offset >= previous.offset && offset <= previous.offset + previous.length;
  const range: Range = onKey
    ? { start: doc.positionAt(previous.offset), end: doc.positionAt(previous.offset + previous.length) }
    : { start: doc.positionAt(offset), end: doc.positionAt(offset) };
  const hasValue = onKey && /^\s*:/.test(text.slice(previous.offset + previous.length));
  const current = onKey ? String(previous.value ?? '') : undefined;
  const existing = new Set(manifest.layerRules.map((r) => r.pattern).filter((p) => p !== current));

  return suggestions
    .filter((s) => !existing.has(s.pattern))
    .map((s, i): CompletionItem => {
      const key = JSON.stringify(s.pattern);
      const snippet = options.snippetSupport && !hasValue;
      const newText = hasValue ? key : snippet ? `${key}: { "mode": "$1" }` : `${key}: {}`;
      return {
        label: s.pattern,
        kind: s.kind === 'pattern' ? CompletionItemKind.Module : CompletionItemKind.Property,
        detail: s.kind === 'pattern' ? `matches ${s.matches} linear layer${s.matches === 1 ? '' : 's'}${fromModel ? '' : ' of a BERT'}` : 'linear layer of the model',
        // Patterns first, then layers in model order.
        sortText: `${s.kind === 'pattern' ? 0 : 1}${String(i).padStart(5, '0')}`,
        filterText: key,
        textEdit: { range, newText },
        insertTextFormat: snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      };
    });
}
