// Finds the weights file in a model folder. Octet reads safetensors only: PyTorch's .bin/.pt/.ckpt
// files are Python pickles, and unpickling runs whatever code the file names. So a folder that has
// only those is refused with a conversion recipe, and the pickle itself is never opened.
import * as path from 'node:path';
import { OctetError } from '../errors';

export const SAFETENSORS_FILE = 'model.safetensors';
const SHARD_INDEX_FILE = 'model.safetensors.index.json';
const PICKLE_EXTENSIONS = /\.(bin|pt|pth|ckpt)$/i;
const OTHER_FORMATS = ['tf_model.h5', 'flax_model.msgpack', 'model.onnx'];

/**
 * Path of `model.safetensors` in `folder`, given the folder's file names. `architecture` (from
 * config.json) makes the conversion command load the model with its head.
 */
export function locateSafetensors(
  folder: string,
  fileNames: readonly string[],
  architecture: string | undefined,
): string {
  if (fileNames.includes(SAFETENSORS_FILE)) return path.join(folder, SAFETENSORS_FILE);

  const convert = conversionCommand(folder, architecture);
  if (fileNames.includes(SHARD_INDEX_FILE)) {
    const unsharded = "safe_serialization=True, max_shard_size='100GB'";
    throw new OctetError(
      'unsupported',
      `weights are split into shards (${SHARD_INDEX_FILE}); Octet reads a single ` +
        `${SAFETENSORS_FILE}. Re-save unsharded with: ` +
        convert.replace('safe_serialization=True', unsharded),
      { file: path.join(folder, SHARD_INDEX_FILE) },
    );
  }
  const pickles = fileNames.filter((n) => PICKLE_EXTENSIONS.test(n)).sort();
  if (pickles.length > 0) {
    throw new OctetError(
      'unsupported',
      `has ${pickles.join(', ')} but no ${SAFETENSORS_FILE}. Those are PyTorch pickle files, ` +
        'which can run arbitrary code when loaded; Octet never executes code from model files ' +
        'and did not open them. If you trust their source, convert once with: ' +
        convert,
      { file: folder },
    );
  }
  const others = fileNames.filter((n) => OTHER_FORMATS.includes(n));
  if (others.length > 0) {
    throw new OctetError(
      'unsupported',
      `has ${others.join(', ')} but no ${SAFETENSORS_FILE}; Octet reads safetensors only. ` +
        `Convert with: ${convert}`,
      { file: folder },
    );
  }
  throw new OctetError(
    'file-not-found',
    `no ${SAFETENSORS_FILE} in the model folder`,
    { file: path.join(folder, SAFETENSORS_FILE) },
  );
}

function conversionCommand(folder: string, architecture: string | undefined): string {
  const cls = architecture && /^Bert\w*$/.test(architecture) ? architecture : 'AutoModel';
  // A single-quoted Python string literal, backslashes (Windows paths) and quotes escaped.
  const dir = `'${folder.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return (
    `python -c "from transformers import ${cls} as M; ` +
    `M.from_pretrained(${dir}).save_pretrained(${dir}, safe_serialization=True)"`
  );
}
