import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { explicitLabelVocabulary, inferLabelVocabulary } from '../../../engine/data/labels';
import { looksNumeric, parseDecimal } from '../../../engine/data/numbers';

describe('inferLabelVocabulary', () => {
  it('sorts numeric-looking labels by value, not as text', () => {
    assert.deepEqual(inferLabelVocabulary(['10', '9', '-1', '0', '9']).id2label, ['-1', '0', '9', '10']);
  });

  it('sorts word labels by code unit, independent of row order', () => {
    const v = inferLabelVocabulary(['not_entailment', 'entailment', 'not_entailment']);
    assert.deepEqual(v.id2label, ['entailment', 'not_entailment']);
    assert.equal(v.label2id.get('not_entailment'), 1);
  });

  it('falls back to text order when any label is not numeric', () => {
    assert.deepEqual(inferLabelVocabulary(['2', '10', 'x']).id2label, ['10', '2', 'x']);
  });
});

describe('explicitLabelVocabulary', () => {
  it('uses list positions as ids', () => {
    const v = explicitLabelVocabulary(['negative', 'positive'], 'f.tsv');
    assert.deepEqual(v.id2label, ['negative', 'positive']);
    assert.equal(v.label2id.get('positive'), 1);
  });

  it('accepts a label -> id map whose ids are 0..n-1', () => {
    const v = explicitLabelVocabulary({ yes: 1, no: 0 }, 'f.tsv');
    assert.deepEqual(v.id2label, ['no', 'yes']);
  });

  it('rejects duplicates, empty lists and maps with gaps or repeated ids', () => {
    assert.throws(() => explicitLabelVocabulary(['a', 'a'], 'f.tsv'), { code: 'invalid-argument', message: /listed twice/ });
    assert.throws(() => explicitLabelVocabulary([], 'f.tsv'), { code: 'invalid-argument', message: /empty/ });
    assert.throws(() => explicitLabelVocabulary({ a: 0, b: 2 }, 'f.tsv'), { message: /id 2 for "b" is invalid/ });
    assert.throws(() => explicitLabelVocabulary({ a: 0, b: 0 }, 'f.tsv'), { message: /id 0 for "b" is invalid/ });
  });
});

describe('numbers', () => {
  it('accepts plain decimals only', () => {
    for (const s of ['0', '-1', '+2.5', '.5', '3.', '1e-3', ' 4.000 ']) assert.equal(looksNumeric(s), true, s);
    for (const s of ['', ' ', '0x10', 'Infinity', 'NaN', '1,5', '1e', 'one']) assert.equal(looksNumeric(s), false, s);
  });

  it('parses finite values and refuses overflow', () => {
    assert.equal(parseDecimal(' 3.800 '), 3.8);
    assert.equal(parseDecimal('1e999'), undefined);
    assert.equal(parseDecimal('abc'), undefined);
  });
});
