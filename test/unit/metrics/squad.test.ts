import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { exactMatch, normalizeAnswer, squadScores, tokenF1 } from '../../../engine/metrics/squad';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} vs ${expected}`);

describe('normalizeAnswer (official SQuAD v1.1)', () => {
  it('lower-cases, drops punctuation and articles, collapses whitespace', () => {
    assert.equal(normalizeAnswer('The  Cat.'), 'cat');
    assert.equal(normalizeAnswer("  A   dog's   life! "), 'dogs life');
    assert.equal(normalizeAnswer('An apple, the pear'), 'apple pear');
  });

  it('removes articles only as whole words', () => {
    assert.equal(normalizeAnswer('theory of anatomy'), 'theory of anatomy');
    assert.equal(normalizeAnswer('the_end'), 'theend'); // "_" is punctuation, removed first
  });

  it('treats non-ASCII letters as word characters, like Python', () => {
    assert.equal(normalizeAnswer('éthe naïve'), 'éthe naïve');
  });

  it('splits on the whitespace Python splits on', () => {
    assert.equal(normalizeAnswer('x\u3000y\u0085z'), 'x y z');
    assert.equal(normalizeAnswer('x\ufeffy'), 'x\ufeffy');
  });
});

describe('exactMatch', () => {
  it('compares normalised text and takes the best gold answer', () => {
    assert.equal(exactMatch('The  Cat.', ['cat']), 1);
    assert.equal(exactMatch('dog', ['cat', 'a dog']), 1);
    assert.equal(exactMatch('dogs', ['dog']), 0);
  });
});

describe('tokenF1', () => {
  it('matches the hand computation', () => {
    // "the cat sat on the mat" -> cat sat on mat (4 tokens); gold "cat on mat" (3 tokens)
    // common 3: precision 3/4, recall 1 -> F1 = 2·0.75·1 / 1.75 = 6/7
    close(tokenF1('the cat sat on the mat', ['cat on mat']), 6 / 7, 'f1');
  });

  it('counts repeated tokens as a multiset', () => {
    // pred x x y, gold x y y: common = min(2,1) + min(1,2) = 2; P = R = 2/3 -> F1 = 2/3
    close(tokenF1('x x y', ['x y y']), 2 / 3, 'f1');
  });

  it('takes the maximum over gold answers', () => {
    // vs "cat": common 1, P = 1/2, R = 1 -> 2/3; vs "dog": 0
    close(tokenF1('cat sat', ['dog', 'cat']), 2 / 3, 'f1');
  });

  it('is 1 for a perfect answer and 0 with no overlap', () => {
    assert.equal(tokenF1('Denver Broncos', ['denver broncos']), 1);
    assert.equal(tokenF1('Carolina', ['Denver']), 0);
  });

  it('follows v1.1 for answers that normalise to nothing: EM 1, F1 0', () => {
    assert.equal(exactMatch('The', ['the']), 1);
    assert.equal(tokenF1('The', ['the']), 0);
  });

  it('rejects a question without gold answers', () => {
    assert.throws(() => tokenF1('x', []), { name: 'OctetError', code: 'invalid-argument' });
  });
});

describe('squadScores', () => {
  it('averages over questions', () => {
    // q1: EM 1, F1 1; q2: EM 0, F1 6/7 (see above) -> EM 0.5, F1 (1 + 6/7) / 2
    const scores = squadScores(['The Cat', 'the cat sat on the mat'], [['cat'], ['cat on mat']]);
    assert.equal(scores.exactMatch, 0.5);
    close(scores.f1, (1 + 6 / 7) / 2, 'f1');
  });

  it('rejects mismatched lengths', () => {
    assert.throws(() => squadScores(['a'], []), { code: 'shape-mismatch' });
  });
});
