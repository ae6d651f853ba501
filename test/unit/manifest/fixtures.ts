// Shared manifest texts and helpers for the manifest tests (no tests here).
import type { ManifestProblem } from '../../../engine/manifest';

/** The example from the manifest's specification. */
export const EXAMPLE_MANIFEST = `{
  "version": 1,
  "model": "models/my-bert",
  "task": { "type": "classification" },
  "data": { "train": "data/SST-2/train.tsv", "eval": "data/SST-2/dev.tsv",
            "text": "sentence", "textPair": null, "label": "label" },
  "train": { "epochs": 3, "batchSize": 32, "learningRate": 2e-5, "maxSeqLength": 128, "seed": 42 },
  "precision": { "mode": "int8-outlier", "threshold": 5 },
  "layers": { "encoder.layer.*.output.dense": { "mode": "int8", "threshold": 4 } },
  "output": "runs/sst2"
}
`;

/** The smallest valid manifest, as an object to extend in tests. */
export function minimalManifest(): Record<string, any> {
  return {
    version: 1,
    model: 'models/bert',
    data: { train: 'data/train.tsv', eval: 'data/dev.tsv', text: 'sentence', label: 'label' },
  };
}

export const MANIFEST_PATH = '/projects/sst2/octet.json';

/** 1-based line and column of the first occurrence of `needle` in `text`. */
export function positionOf(text: string, needle: string, occurrence = 1): { line: number; column: number; offset: number } {
  let offset = -1;
  for (let i = 0; i < occurrence; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`${needle} not in text`);
  }
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1, offset };
}

/** The problems about `field`, with a readable failure when there are none. */
export function problemsFor(problems: ManifestProblem[], field: string): ManifestProblem[] {
  const found = problems.filter((p) => p.field === field);
  if (found.length === 0) {
    throw new Error(`no problem for ${field}; got:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`);
  }
  return found;
}
