// The manifest of one comparison run: the project's manifest with the compared mode, the seed and
// its own run folder. Layer overrides that choose an integer mode give way to the compared mode
// (otherwise an "int8" run could tile some layers); overrides that keep a layer in fp32 stay, as a
// choice made for every mode alike. The fp32 run is fp32 everywhere.
import path from 'node:path';
import type { Manifest } from '../manifest/types';
import type { PrecisionMode } from '../nn/precision';

export function compareDir(manifest: Manifest): string {
  return path.join(manifest.output, 'compare');
}

export function runManifest(manifest: Manifest, mode: PrecisionMode, seed: number): Manifest {
  const layers = manifest.layers.map((rule) => {
    const keep = rule.override.mode === 'fp32' && mode !== 'fp32';
    if (keep || rule.override.mode === undefined) return rule;
    const { mode: _dropped, ...override } = rule.override;
    return { pattern: rule.pattern, override };
  });
  return {
    ...manifest,
    precision: { ...manifest.precision, mode },
    layers,
    train: { ...manifest.train, seed },
    output: path.join(compareDir(manifest), `${mode}-s${seed}`),
  };
}
