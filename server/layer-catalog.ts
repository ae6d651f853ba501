// Layer names and useful patterns for a model, for completion and "did you mean" in `layers`.
// Exact names are precise but long and many (6 per encoder block); the patterns are what people
// usually want: one kind of layer in every block (`encoder.layer.*.output.dense`), or one block.
import { compileLayerPattern } from '../engine/manifest';

export interface LayerSuggestion {
  pattern: string;
  /** A layer name (matches itself) or a wildcard pattern. */
  kind: 'layer' | 'pattern';
  /** How many of the model's linear layers it matches. */
  matches: number;
}

const BLOCK = /^encoder\.layer\.(\d+)\.(.+)$/;

export function layerSuggestions(layerNames: readonly string[]): LayerSuggestion[] {
  const patterns: string[] = [];
  const add = (p: string): void => {
    if (!patterns.includes(p)) patterns.push(p);
  };
  const blocks: string[] = [];
  for (const name of layerNames) {
    const m = BLOCK.exec(name);
    if (m === null) continue;
    add(`encoder.layer.*.${m[2]}`);
    if (!blocks.includes(m[1])) blocks.push(m[1]);
  }
  if (blocks.length > 0) {
    add('encoder.layer.*.attention.self.*');
    add('encoder.**');
    for (const b of blocks) add(`encoder.layer.${b}.**`);
  }
  const count = (p: string): number => {
    const compiled = compileLayerPattern(p);
    return layerNames.filter((n) => compiled.test(n)).length;
  };
  return [
    ...patterns.map((pattern) => ({ pattern, kind: 'pattern' as const, matches: count(pattern) })).filter((s) => s.matches > 0),
    ...layerNames.map((pattern) => ({ pattern, kind: 'layer' as const, matches: 1 })),
  ];
}
