// Layer patterns: `*` is one segment, `**` zero or more, the most literal pattern wins and
// ties go to the one written later; unmatched patterns are found.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOctetError } from '../../../engine/errors';
import {
  DEFAULT_PRECISION,
  LayerRule,
  compileLayerPattern,
  matchLayer,
  resolveLayerPrecision,
  unmatchedPatterns,
} from '../../../engine/manifest';

/** The layer names of a 2-block BERT classifier, as Octet names them. */
function bertLayerNames(blocks = 2): string[] {
  const names: string[] = [];
  for (let i = 0; i < blocks; i++) {
    for (const part of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense', 'intermediate.dense', 'output.dense']) {
      names.push(`encoder.layer.${i}.${part}`);
    }
  }
  return [...names, 'pooler.dense', 'classifier'];
}

test('an exact name matches only itself', () => {
  const p = compileLayerPattern('encoder.layer.3.output.dense');
  assert.equal(p.test('encoder.layer.3.output.dense'), true);
  assert.equal(p.test('encoder.layer.13.output.dense'), false);
  assert.equal(p.test('encoder.layer.3.output'), false);
  assert.equal(p.test('encoder.layer.3.output.dense.x'), false);
  assert.equal(p.literalSegments, 5);
});

test('* matches exactly one segment', () => {
  const p = compileLayerPattern('encoder.layer.*.output.dense');
  assert.equal(p.test('encoder.layer.0.output.dense'), true);
  assert.equal(p.test('encoder.layer.11.output.dense'), true);
  assert.equal(p.test('encoder.layer.output.dense'), false, 'not zero segments');
  assert.equal(p.test('encoder.layer.0.attention.output.dense'), false, 'not two segments');
  assert.equal(p.literalSegments, 4);
  assert.equal(compileLayerPattern('*').test('classifier'), true);
  assert.equal(compileLayerPattern('*').test('pooler.dense'), false);
});

test('** matches zero or more segments', () => {
  const p = compileLayerPattern('encoder.**.dense');
  assert.equal(p.test('encoder.dense'), true, 'zero segments');
  assert.equal(p.test('encoder.layer.dense'), true);
  assert.equal(p.test('encoder.layer.0.attention.output.dense'), true);
  assert.equal(p.test('encoder.layer.0.attention.self.query'), false);
  assert.equal(p.test('pooler.dense'), false);
  assert.equal(compileLayerPattern('**').test('classifier'), true);
  assert.equal(compileLayerPattern('**.dense').test('pooler.dense'), true);
  assert.equal(compileLayerPattern('classifier.**').test('classifier'), true);
  assert.equal(compileLayerPattern('a.**.b.**.c').test('a.b.c'), true);
  assert.equal(compileLayerPattern('a.**.b.**.c').test('a.x.y.b.z.c'), true);
  assert.equal(compileLayerPattern('a.**.b.**.c').test('a.x.c'), false);
});

test('* and ** combine', () => {
  const p = compileLayerPattern('**.attention.*.query');
  assert.equal(p.test('encoder.layer.4.attention.self.query'), true);
  assert.equal(p.test('attention.self.query'), true);
  assert.equal(p.test('encoder.layer.4.attention.query'), false);
});

test('invalid patterns are refused by compileLayerPattern', () => {
  for (const bad of ['', 'a..b', '.a', 'a.', '***', 'a.***.b', 'enc*', 'a.*b']) {
    assert.throws(
      () => compileLayerPattern(bad),
      (e: unknown) => isOctetError(e) && e.code === 'invalid-argument',
      JSON.stringify(bad),
    );
  }
});

test('the pattern with the most literal segments wins, regardless of order', () => {
  const rules: LayerRule[] = [
    { pattern: 'encoder.layer.3.output.dense', override: { mode: 'fp32' } },
    { pattern: 'encoder.layer.*.output.dense', override: { mode: 'int8' } },
    { pattern: '**', override: { threshold: 9 } },
  ];
  assert.equal(matchLayer('encoder.layer.3.output.dense', rules)?.pattern, 'encoder.layer.3.output.dense');
  assert.equal(matchLayer('encoder.layer.1.output.dense', rules)?.pattern, 'encoder.layer.*.output.dense');
  assert.equal(matchLayer('pooler.dense', rules)?.pattern, '**');
  assert.deepEqual(matchLayer('classifier', rules.slice(0, 2)), undefined);
  // Same rules reversed: specificity, not position, decides.
  const reversed = [...rules].reverse();
  assert.equal(matchLayer('encoder.layer.3.output.dense', reversed)?.pattern, 'encoder.layer.3.output.dense');
  assert.equal(matchLayer('encoder.layer.1.output.dense', reversed)?.pattern, 'encoder.layer.*.output.dense');
});

test('between equally specific patterns the later one wins', () => {
  // Both have 4 literal segments.
  const layers = { 'encoder.layer.*.output.dense': { mode: 'int8' as const }, 'encoder.layer.**.output.dense': { mode: 'fp32' as const } };
  assert.deepEqual(matchLayer('encoder.layer.0.output.dense', layers), {
    pattern: 'encoder.layer.**.output.dense',
    override: { mode: 'fp32' },
  });
  const swapped = { 'encoder.layer.**.output.dense': { mode: 'fp32' as const }, 'encoder.layer.*.output.dense': { mode: 'int8' as const } };
  assert.equal(matchLayer('encoder.layer.0.output.dense', swapped)?.pattern, 'encoder.layer.*.output.dense');
  // A less specific pattern written later still loses.
  const general = { 'encoder.layer.*.output.dense': { mode: 'int8' as const }, 'encoder.**.dense': { mode: 'fp32' as const } };
  assert.equal(matchLayer('encoder.layer.0.output.dense', general)?.pattern, 'encoder.layer.*.output.dense');
});

test('resolveLayerPrecision merges the winning override over the global precision', () => {
  const precision = { ...DEFAULT_PRECISION, rounding: { ...DEFAULT_PRECISION.rounding }, threshold: 6 };
  const layers: LayerRule[] = [
    { pattern: 'encoder.layer.*.output.dense', override: { mode: 'int8', threshold: 4 } },
    { pattern: 'encoder.layer.0.output.dense', override: { thresholdUnits: 'std' } },
  ];
  const m = { precision, layers };
  assert.deepEqual(resolveLayerPrecision(m, 'pooler.dense'), precision);
  assert.deepEqual(resolveLayerPrecision(m, 'encoder.layer.5.output.dense'), {
    ...precision,
    mode: 'int8',
    threshold: 4,
    pattern: 'encoder.layer.*.output.dense',
  });
  // Only the winner applies: the less specific rule's mode and threshold do not leak in.
  assert.deepEqual(resolveLayerPrecision(m, 'encoder.layer.0.output.dense'), {
    ...precision,
    thresholdUnits: 'std',
    pattern: 'encoder.layer.0.output.dense',
  });
});

test('resolveLayerPrecision does not share objects with the manifest', () => {
  const m = { precision: { ...DEFAULT_PRECISION, rounding: { ...DEFAULT_PRECISION.rounding } }, layers: [] };
  const p = resolveLayerPrecision(m, 'classifier');
  p.rounding.forward = 'stochastic';
  assert.equal(m.precision.rounding.forward, 'nearest');
});

test('unmatchedPatterns lists the patterns that match no layer, in written order', () => {
  const names = bertLayerNames();
  const patterns = [
    'encoder.layer.*.output.dense',
    'encoder.layer.12.output.dense', // only 2 blocks
    'pooler.dense',
    'encoder.layer.*.attention.self.querry', // typo
    '**.query',
    'qa_outputs', // not a classifier-model layer
    '**',
  ];
  assert.deepEqual(unmatchedPatterns(patterns, names), [
    'encoder.layer.12.output.dense',
    'encoder.layer.*.attention.self.querry',
    'qa_outputs',
  ]);
  assert.deepEqual(unmatchedPatterns(patterns, []), patterns);
  assert.deepEqual(unmatchedPatterns({ classifier: { mode: 'fp32' } }, names), []);
});
