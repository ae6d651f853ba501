// Layer-name patterns of the manifest's `layers` section, and which precision each layer gets.
//
// Layer names are Hugging Face module names without the `bert.` prefix, split at dots:
// `encoder.layer.3.output.dense`. In a pattern, `*` matches exactly one segment and `**` any
// number of segments, including none; any other segment must equal the name's segment. A
// segment is either a whole wildcard or plain text (`enc*` is refused), which keeps patterns
// readable and the specificity rule below well defined.
//
// Specificity: when several patterns match a layer, the one with the most literal segments wins;
// between equally specific patterns the one written LATER wins, as in CSS, so a general rule can
// be refined by a line added below it. The schema's description of `layers` says the same; keep
// them in step.
import { OctetError } from '../errors';
import { fieldName } from './json-document';
import type { LayerPrecisionOverride, LayerRule, PrecisionSpec } from './types';

type Segment = { kind: 'literal'; text: string } | { kind: 'one' } | { kind: 'any' };

export interface CompiledLayerPattern {
  source: string;
  /** Number of non-wildcard segments: the pattern's specificity. */
  literalSegments: number;
  test(layerName: string): boolean;
}

/** Patterns in the order written: a list of rules, a list of bare patterns, or a `layers` object. */
export type LayerPatternList =
  | readonly LayerRule[]
  | readonly string[]
  | Readonly<Record<string, LayerPrecisionOverride>>;

export interface LayerMatch {
  pattern: string;
  override: LayerPrecisionOverride;
}

/** The precision one layer runs with, and the `layers` pattern that decided it (if any). */
export interface LayerPrecision extends PrecisionSpec {
  pattern?: string;
}

/** Why `pattern` is not a valid layer pattern, or undefined when it is. */
export function checkLayerPattern(pattern: string): string | undefined {
  if (pattern.length === 0) return 'a layer pattern must not be empty';
  const segments = pattern.split('.');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.length === 0) {
      return `layer pattern "${pattern}" has an empty segment (${i === 0 ? 'leading' : i === segments.length - 1 ? 'trailing' : 'double'} dot)`;
    }
    if (s.includes('*') && s !== '*' && s !== '**') {
      return /^\*+$/.test(s)
        ? `layer pattern "${pattern}": "${s}" is not a wildcard; use "*" for one segment or "**" for any number`
        : `layer pattern "${pattern}": "*" must be a whole segment, not part of "${s}"`;
    }
  }
  return undefined;
}

export function compileLayerPattern(pattern: string): CompiledLayerPattern {
  const problem = checkLayerPattern(pattern);
  if (problem !== undefined) throw new OctetError('invalid-argument', problem, { field: fieldName(['layers', pattern]) });
  const segments: Segment[] = pattern
    .split('.')
    .map((s) => (s === '**' ? { kind: 'any' } : s === '*' ? { kind: 'one' } : { kind: 'literal', text: s }));
  return {
    source: pattern,
    literalSegments: segments.filter((s) => s.kind === 'literal').length,
    test: (layerName) => matchesSegments(segments, layerName.split('.')),
  };
}

/**
 * Runs the pattern as a small automaton over the name's segments: `reachable[i]` says the
 * pattern so far can consume exactly the first i segments. Linear in pattern x name, no
 * backtracking blow-up with several `**`.
 */
function matchesSegments(pattern: readonly Segment[], name: readonly string[]): boolean {
  let reachable = name.map(() => false).concat(false);
  reachable[0] = true;
  for (const seg of pattern) {
    const next = reachable.map(() => false);
    if (seg.kind === 'any') {
      let seen = false;
      for (let i = 0; i <= name.length; i++) {
        seen = seen || reachable[i];
        next[i] = seen;
      }
    } else {
      for (let i = 0; i < name.length; i++) {
        if (reachable[i] && (seg.kind === 'one' || seg.text === name[i])) next[i + 1] = true;
      }
    }
    reachable = next;
  }
  return reachable[name.length];
}

// Patterns come from a handful of manifest lines and are matched against every layer of the
// model, so compile each one once.
const compiledCache = new Map<string, CompiledLayerPattern>();

function compiled(pattern: string): CompiledLayerPattern {
  let c = compiledCache.get(pattern);
  if (c === undefined) {
    c = compileLayerPattern(pattern);
    compiledCache.set(pattern, c);
  }
  return c;
}

function toRules(patterns: LayerPatternList): LayerRule[] {
  if (!Array.isArray(patterns)) {
    return Object.entries(patterns as Record<string, LayerPrecisionOverride>).map(([pattern, override]) => ({ pattern, override }));
  }
  return (patterns as readonly (string | LayerRule)[]).map((p) => (typeof p === 'string' ? { pattern: p, override: {} } : p));
}

/** The winning pattern for `layerName` (most literal segments, then written later), or undefined. */
export function matchLayer(layerName: string, patterns: LayerPatternList): LayerMatch | undefined {
  let best: LayerMatch | undefined;
  let bestSpecificity = -1;
  for (const rule of toRules(patterns)) {
    const c = compiled(rule.pattern);
    // `>=` so that a later pattern of equal specificity replaces an earlier one.
    if (c.literalSegments >= bestSpecificity && c.test(layerName)) {
      best = { pattern: rule.pattern, override: rule.override };
      bestSpecificity = c.literalSegments;
    }
  }
  return best;
}

/** The global precision with the winning `layers` override (if any) applied on top. */
export function resolveLayerPrecision(
  manifest: { precision: PrecisionSpec; layers: LayerPatternList },
  layerName: string,
): LayerPrecision {
  const base: LayerPrecision = { ...manifest.precision, rounding: { ...manifest.precision.rounding } };
  const match = matchLayer(layerName, manifest.layers);
  if (match === undefined) return base;
  const o = match.override;
  return {
    ...base,
    ...(o.mode !== undefined && { mode: o.mode }),
    ...(o.threshold !== undefined && { threshold: o.threshold }),
    ...(o.thresholdUnits !== undefined && { thresholdUnits: o.thresholdUnits }),
    pattern: match.pattern,
  };
}

/** Patterns that match none of `layerNames` (likely typos), in the order written. */
export function unmatchedPatterns(patterns: LayerPatternList, layerNames: Iterable<string>): string[] {
  const names = [...layerNames];
  return toRules(patterns)
    .map((r) => r.pattern)
    .filter((p) => !names.some((n) => compiled(p).test(n)));
}
