// BERT's masking: the 15% / 80-10-10 statistics within binomial bounds, special tokens never
// chosen or drawn, labels -100 elsewhere, and every mask a function of (seed, epoch, index).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVAL_STREAM, maskSeed, maskSequence, type MaskingOptions } from '../../../engine/mlm/masking';
import { IGNORE_INDEX } from '../../../engine/nn/ops/loss';

const SPECIAL = new Set([0, 1, 2, 3, 4]);
const OPTIONS: MaskingOptions = { probability: 0.15, maskId: 4, vocabSize: 1000, specialIds: SPECIAL };

/** [CLS] then ordinary ids, with a [SEP] every 50 tokens. */
function sequence(length: number): Int32Array {
  const ids = new Int32Array(length);
  for (let t = 0; t < length; t++) ids[t] = t === 0 ? 2 : t % 50 === 0 ? 3 : 5 + ((t * 7919) % 995);
  return ids;
}

test('15% of ordinary tokens are chosen; of those 80% [MASK], 10% random, 10% kept (within 4 sigma)', () => {
  const ids = sequence(40000);
  const { inputIds, labels } = maskSequence(ids, OPTIONS, maskSeed(42, 0, 0));
  let ordinary = 0;
  let chosen = 0;
  let masked = 0;
  let replaced = 0;
  let kept = 0;
  for (let t = 0; t < ids.length; t++) {
    const special = SPECIAL.has(ids[t]!);
    if (!special) ordinary++;
    if (labels[t] === IGNORE_INDEX) {
      assert.equal(inputIds[t], ids[t], `unchosen position ${t} changed`);
      continue;
    }
    assert.ok(!special, `special token at ${t} was chosen`);
    assert.equal(labels[t], ids[t], 'the label is the original token');
    chosen++;
    if (inputIds[t] === OPTIONS.maskId) masked++;
    else if (inputIds[t] === ids[t]) kept++;
    else {
      replaced++;
      assert.ok(!SPECIAL.has(inputIds[t]!) && inputIds[t]! < OPTIONS.vocabSize, `random token ${inputIds[t]} at ${t}`);
    }
  }
  const within = (what: string, share: number, p: number, n: number): void => {
    const sigma = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(share - p) < 4 * sigma, `${what}: ${share.toFixed(4)} vs ${p} (sigma ${sigma.toFixed(4)})`);
  };
  within('chosen', chosen / ordinary, 0.15, ordinary);
  within('[MASK]', masked / chosen, 0.8, chosen);
  // A random draw equals the original 1 time in 995: counted as kept, well inside the bounds.
  within('random', replaced / chosen, 0.1, chosen);
  within('kept', kept / chosen, 0.1, chosen);
});

test('the masking rate is a setting', () => {
  const ids = sequence(20000);
  const { labels } = maskSequence(ids, { ...OPTIONS, probability: 0.4 }, maskSeed(1, 0, 0));
  const chosen = labels.filter((l) => l !== IGNORE_INDEX).length;
  assert.ok(Math.abs(chosen / 19600 - 0.4) < 0.02, `chosen ${chosen}`);
  assert.throws(() => maskSequence(ids, { ...OPTIONS, probability: 0 }, 1), /masking probability must be in \(0, 1\)/);
});

test('masks depend only on (seed, epoch, index): equal for equal keys, different otherwise', () => {
  const ids = sequence(200);
  const draw = (seed: number, epoch: number, index: number) => maskSequence(ids, OPTIONS, maskSeed(seed, epoch, index));
  const a = draw(42, 3, 17);
  assert.deepEqual(draw(42, 3, 17), a, 'same key, same masks');
  for (const [seed, epoch, index] of [[43, 3, 17], [42, 4, 17], [42, 3, 18], [42, EVAL_STREAM, 17]] as const) {
    assert.notDeepEqual(draw(seed, epoch, index).labels, a.labels, `key (${seed}, ${epoch}, ${index})`);
  }
  for (const key of [[0, 0, 0], [4294967295, EVAL_STREAM, 1e6]] as [number, number, number][]) {
    const s = maskSeed(...key);
    assert.ok(Number.isSafeInteger(s) && s >= 0, `seed ${s}`);
  }
});
