// BERT's masking (Devlin et al. 2019, section 3.1; Hugging Face's DataCollatorForLanguageModeling):
// every token other than a special one is chosen with probability p (15% by default); a chosen
// token becomes [MASK] 80% of the time, a random token 10% and stays itself 10%, and is the
// target the loss looks at. Labels are -100 (ignored) everywhere else.
//
// The draws come from a generator seeded by (run seed, epoch, sequence index) alone, never from
// a stream shared along the run: a sequence gets the same masks in the same epoch whatever the
// batch order, and a resumed run redraws exactly the masks the interrupted one would have.
// Evaluation uses its own stream (EVAL_STREAM), so the eval loss is measured on the same masks
// at every evaluation and stays comparable along a run.
//
// Draw order per sequence (the reproducibility contract): for each non-special position in
// order, one float chooses it; a chosen position takes one float for [MASK]/random/keep and, if
// random, uint32 draws until a non-special id comes up. Unlike Hugging Face, the random token is
// never a special token ([PAD], [CLS], [SEP], [MASK], [UNK]), which would teach nothing.
import { OctetError } from '../errors';
import { IGNORE_INDEX } from '../nn/ops/loss';
import { Rng } from '../nn/ops/rng';

/** The stream of evaluation masks: beyond any epoch a run can reach. */
export const EVAL_STREAM = 0xffffffff;

export interface MaskingOptions {
  /** Share of (non-special) tokens chosen for prediction, in (0, 1). */
  probability: number;
  maskId: number;
  /** Random replacements are drawn from [0, vocabSize) minus the special ids. */
  vocabSize: number;
  /** Ids never chosen and never drawn as a replacement. */
  specialIds: ReadonlySet<number>;
}

export interface MaskedSequence {
  inputIds: Int32Array;
  /** The original id at chosen positions, IGNORE_INDEX elsewhere. */
  labels: Int32Array;
}

/** A generator seed (a safe integer) from the run seed, the stream (epoch) and the sequence index. */
export function maskSeed(seed: number, stream: number, index: number): number {
  let h = mix32((seed >>> 0) ^ mix32(Math.floor(seed / 4294967296)));
  h = mix32(h ^ (stream >>> 0));
  h = mix32((h + 0x9e3779b9) ^ (index >>> 0));
  const hi = mix32(h ^ 0x5bd1e995) & 0x1fffff;
  return hi * 4294967296 + h;
}

export function maskSequence(ids: Int32Array, o: MaskingOptions, seed: number): MaskedSequence {
  if (!(o.probability > 0 && o.probability < 1)) {
    throw new OctetError('invalid-argument', `the masking probability must be in (0, 1), got ${o.probability}`, { field: 'train.mlmProbability' });
  }
  if (o.specialIds.size >= o.vocabSize) throw new OctetError('invalid-argument', 'the vocabulary has no ordinary token to draw');
  const rng = new Rng(seed);
  const inputIds = Int32Array.from(ids);
  const labels = new Int32Array(ids.length).fill(IGNORE_INDEX);
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t]!;
    if (o.specialIds.has(id)) continue;
    if (rng.nextFloat() >= o.probability) continue;
    labels[t] = id;
    const u = rng.nextFloat();
    if (u < 0.8) inputIds[t] = o.maskId;
    else if (u < 0.9) inputIds[t] = randomOrdinaryId(rng, o);
  }
  return { inputIds, labels };
}

function randomOrdinaryId(rng: Rng, o: MaskingOptions): number {
  for (;;) {
    const id = rng.nextU32() % o.vocabSize;
    if (!o.specialIds.has(id)) return id;
  }
}

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
