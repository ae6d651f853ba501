// Parameter names: Hugging Face's, as stored in a model file, and Octet's own. Octet's names are
// HF's without the `bert.` prefix that BertFor* models put on the encoder (heads keep their HF
// names), so a name in an error message can be found in the HF documentation as is.
import { OctetError } from '../errors';

/**
 * How encoder tensors are named in a file: 'unprefixed' as BertModel saves them
 * (`embeddings.…`, `encoder.…`, `pooler.…`), 'prefixed' as BertFor* saves them
 * (`bert.embeddings.…`).
 */
export type BertLayout = 'unprefixed' | 'prefixed';

const HF_PREFIX = 'bert.';
const ENCODER_ROOTS = ['embeddings.', 'encoder.', 'pooler.'];

/** Buffers that some files carry but are not parameters (older checkpoints save position_ids). */
const NON_PARAMETER_BUFFERS = new Set(['embeddings.position_ids']);

/** Octet's name for a tensor name found in a file (either layout; legacy gamma/beta accepted). */
export function hfToOctetName(hfName: string): string {
  const name = hfName.startsWith(HF_PREFIX) ? hfName.slice(HF_PREFIX.length) : hfName;
  // TF-era checkpoints call LayerNorm's scale and shift gamma and beta.
  return name.replace(/(\.|^)LayerNorm\.gamma$/, '$1LayerNorm.weight')
    .replace(/(\.|^)LayerNorm\.beta$/, '$1LayerNorm.bias');
}

/** The name BertFor* models use in a file for an Octet parameter name. */
export function octetToHfName(octetName: string): string {
  return isEncoderName(octetName) ? HF_PREFIX + octetName : octetName;
}

/** True for names of the shared encoder (embeddings, layers, pooler), as opposed to heads. */
export function isEncoderName(octetName: string): boolean {
  return ENCODER_ROOTS.some((root) => octetName.startsWith(root));
}

/** True for file entries that are buffers rather than parameters, and are skipped silently. */
export function isNonParameterBuffer(octetName: string): boolean {
  return NON_PARAMETER_BUFFERS.has(octetName);
}

/** Detects the layout of a file's tensor names; `file` is used in error messages. */
export function detectLayout(hfNames: Iterable<string>, file: string): BertLayout {
  let prefixed = 0;
  let unprefixed = 0;
  for (const name of hfNames) {
    if (name.startsWith(HF_PREFIX)) prefixed++;
    else if (isEncoderName(name)) unprefixed++;
  }
  if (prefixed > 0 && unprefixed > 0) {
    throw new OctetError(
      'malformed-file',
      `mixes ${prefixed} tensors named "bert.…" with ${unprefixed} encoder tensors without that ` +
        'prefix; a BERT file uses one naming or the other',
      { file },
    );
  }
  if (prefixed === 0 && unprefixed === 0) {
    throw new OctetError(
      'malformed-file',
      'contains no BERT encoder tensors (expected names like ' +
        '"bert.embeddings.word_embeddings.weight" or "embeddings.word_embeddings.weight")',
      { file },
    );
  }
  return prefixed > 0 ? 'prefixed' : 'unprefixed';
}
