// Outlier diagnostics from a profile and the manifest's CURRENT text: one per outlier-heavy
// layer, on the most specific `layers` entry that matches it (the one deciding its precision),
// else on the `model` value. The severity follows the mode the layer runs with in the text as it
// is now, so changing a mode (a quick fix) changes the diagnostic at once, with no new profile:
// the profile runs every layer in fp32 whatever the mode. Verdicts are recomputed with the
// criteria in force now (manifest, else the editor setting, else the default).
import type { Node } from 'jsonc-parser';
import { type Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_PROFILE, matchLayer, resolveLayerPrecision } from '../../engine/manifest';
import { findKeyNode, findValueNode } from '../../engine/manifest/json-document';
import type { PrecisionMode } from '../../engine/nn/precision';
import type { ActivationProfile, LinearLayerProfile } from '../../engine/profile/types';
import { layerVerdict } from '../../engine/profile/verdict';
import type { LooseManifest } from '../loose-manifest';
import { DIAGNOSTIC_SOURCE } from '../syntax-diagnostics';

export const OUTLIER_DIAGNOSTIC_CODE = 'outlier-heavy';

/** What an outlier diagnostic carries for its code actions (outlier-actions.ts). */
export interface OutlierDiagnosticData {
  outlier: {
    layer: string;
    mode: PrecisionMode;
    /** Every outlier-heavy layer that runs plain int8 now (the "fix all" action). */
    plainInt8Layers: string[];
  };
}

export interface FlaggedLayer {
  layer: LinearLayerProfile;
  mode: PrecisionMode;
  /** The `layers` key that decides the layer's precision; undefined: the global precision. */
  pattern?: string;
}

/** The sqnrGapDb in force: the manifest's own `profile.criteria.sqnrGapDb`, else the setting, else the default. */
export function effectiveSqnrGapDb(root: Node | undefined, settingDb: number | undefined): number {
  const written = findValueNode(root, ['profile', 'criteria', 'sqnrGapDb']);
  if (written?.type === 'number' && typeof written.value === 'number' && written.value >= 0) return written.value;
  return settingDb ?? DEFAULT_PROFILE.criteria.sqnrGapDb;
}

/** The outlier-heavy layers under `sqnrGapDb`, with the mode and pattern the text gives each. */
export function flaggedLayers(profile: ActivationProfile, manifest: LooseManifest, sqnrGapDb: number): FlaggedLayer[] {
  const rules = { precision: manifest.precision, layers: manifest.layerRules };
  return profile.layers
    .filter((l) => layerVerdict(l.input, l.sqnrDb, { sqnrGapDb }) === 'outlier-heavy')
    .map((layer) => ({ layer, mode: resolveLayerPrecision(rules, layer.name).mode, pattern: matchLayer(layer.name, manifest.layerRules)?.pattern }));
}

const SEVERITY: Readonly<Record<PrecisionMode, DiagnosticSeverity>> = {
  int8: DiagnosticSeverity.Warning,
  'int8-outlier': DiagnosticSeverity.Information,
  fp32: DiagnosticSeverity.Hint,
};

const db = (v: number | null): string => (v === null ? 'exact' : `${v.toFixed(1)} dB`);

function dimsText(l: LinearLayerProfile): string {
  const s = l.input;
  const dims = s.outlierColumns.slice(0, 4).map((c) => c.dim).join(', ');
  return s.outlierColumnCount > 4 ? `${dims} and ${s.outlierColumnCount - 4} more` : dims;
}

export function outlierMessage(f: FlaggedLayer): string {
  const { name, input: s, sqnrDb } = f.layer;
  const cols = `${s.outlierColumnCount} column${s.outlierColumnCount === 1 ? '' : 's'}`;
  const numbers = `${name} is outlier-heavy: ${(s.outlierFraction * 100).toPrecision(2)}% of its input exceeds ${s.threshold.toPrecision(3)} ` +
    `(max |x| ${s.maxAbs.toPrecision(3)}, ${cols}: dims ${dimsText(f.layer)}); output SQNR ${db(sqnrDb.int8)} plain int8 vs ${db(sqnrDb.int8Outlier)} tiled`;
  switch (f.mode) {
    case 'int8':
      return `${numbers}. It runs plain int8: precision will be lost (use int8-outlier)`;
    case 'int8-outlier':
      return `${numbers}. int8-outlier handles it: ${cols} tiled into int8 GEMMs`;
    case 'fp32':
      return `${numbers}. It stays fp32: no quantization loss`;
  }
}

export function outlierDiagnostics(doc: TextDocument, manifest: LooseManifest, flagged: readonly FlaggedLayer[]): Diagnostic[] {
  const plainInt8Layers = flagged.filter((f) => f.mode === 'int8').map((f) => f.layer.name);
  const out: Diagnostic[] = [];
  for (const f of flagged) {
    const node = f.pattern !== undefined ? findKeyNode(manifest.root, ['layers', f.pattern]) : findValueNode(manifest.root, ['model']);
    if (node === undefined) continue;
    const data: OutlierDiagnosticData = { outlier: { layer: f.layer.name, mode: f.mode, plainInt8Layers } };
    out.push({
      range: { start: doc.positionAt(node.offset), end: doc.positionAt(node.offset + node.length) },
      severity: SEVERITY[f.mode],
      source: DIAGNOSTIC_SOURCE,
      code: OUTLIER_DIAGNOSTIC_CODE,
      message: outlierMessage(f),
      data,
    });
  }
  return out;
}

export function outlierDataOf(d: Diagnostic): OutlierDiagnosticData['outlier'] | undefined {
  if (d.code !== OUTLIER_DIAGNOSTIC_CODE || d.source !== DIAGNOSTIC_SOURCE) return undefined;
  const o = (d.data as Partial<OutlierDiagnosticData> | undefined)?.outlier;
  return typeof o?.layer === 'string' && typeof o.mode === 'string' && Array.isArray(o.plainInt8Layers) ? o : undefined;
}
