// BERT input embeddings: out[t] = word[inputIds[t]] + tokenType[tokenTypeIds[t]] + position[pos(t)]
// for every token row t of a [batch*seq] batch, before the embedding LayerNorm and dropout (those
// are the separate layerNorm/dropout ops).
//
// The additions are rounded to float32 in HF's order, (word + tokenType) then + position, so a
// forward pass matches BertEmbeddings bit for bit on the same weights.
//
// Backward is sparse: only rows that some token used receive gradient, and they are accumulated
// (+=), so several batches (gradient accumulation) or a tied output projection can add into the
// same buffers. zeroEmbeddingRows clears just the rows a batch touched, which avoids rewriting a
// 30522 x 768 word-embedding gradient every step when the caller manages sparsity itself.

import { OctetError } from '../../errors';
import { requireDims, requireLen } from './check';

const OP = 'embedding';

function tableRows(name: string, table: Float32Array, hidden: number): number {
  if (table.length === 0 || table.length % hidden !== 0) {
    throw new OctetError('shape-mismatch', `${OP}: ${name} table length ${table.length} is not a multiple of hidden ${hidden}`);
  }
  return table.length / hidden;
}

function checkIds(name: string, ids: ArrayLike<number>, n: number, rows: number): void {
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    // Integer and in range; a bad id would otherwise read undefined -> NaN silently.
    if (!(id >= 0 && id < rows && id === Math.floor(id))) {
      throw new OctetError('invalid-argument', `${OP}: ${name}[${i}] = ${id} is outside [0, ${rows})`);
    }
  }
}

/**
 * Embedding sum for [batch x seq] tokens into out [batch*seq x hidden].
 * @param tokenTypeIds null = all type 0 (single-segment input); ignored when typeEmb is null.
 * @param positionIds null = position t within its sequence (0..seq-1, BERT); pass explicit ids
 *   for models that offset positions (RoBERTa starts at padding_idx + 1).
 * @param typeEmb null for models without token types.
 * Tables are [rows x hidden]; their row counts come from their lengths. Ids are range-checked.
 */
export function embeddingForward(
  out: Float32Array,
  inputIds: ArrayLike<number>,
  tokenTypeIds: ArrayLike<number> | null,
  positionIds: ArrayLike<number> | null,
  wordEmb: Float32Array,
  posEmb: Float32Array,
  typeEmb: Float32Array | null,
  batch: number,
  seq: number,
  hidden: number,
): void {
  requireDims(OP, { batch, seq, hidden });
  const n = batch * seq;
  requireLen(OP, 'out', out, n * hidden);
  requireLen(OP, 'inputIds', inputIds, n);
  checkIds('inputIds', inputIds, n, tableRows('word', wordEmb, hidden));
  const posRows = tableRows('position', posEmb, hidden);
  if (positionIds !== null) {
    requireLen(OP, 'positionIds', positionIds, n);
    checkIds('positionIds', positionIds, n, posRows);
  } else if (seq > posRows) {
    throw new OctetError('invalid-argument', `${OP}: seq ${seq} exceeds the ${posRows} position embeddings`);
  }
  const useType = typeEmb !== null;
  if (typeEmb !== null && tokenTypeIds !== null) {
    requireLen(OP, 'tokenTypeIds', tokenTypeIds, n);
    checkIds('tokenTypeIds', tokenTypeIds, n, tableRows('token type', typeEmb, hidden));
  } else if (typeEmb !== null) {
    tableRows('token type', typeEmb, hidden);
  }
  for (let t = 0; t < n; t++) {
    const o = t * hidden;
    const wo = inputIds[t] * hidden;
    const po = (positionIds !== null ? positionIds[t] : t % seq) * hidden;
    if (useType) {
      const te = typeEmb as Float32Array;
      const to = (tokenTypeIds !== null ? tokenTypeIds[t] : 0) * hidden;
      for (let i = 0; i < hidden; i++) out[o + i] = Math.fround(wordEmb[wo + i] + te[to + i]) + posEmb[po + i];
    } else {
      for (let i = 0; i < hidden; i++) out[o + i] = wordEmb[wo + i] + posEmb[po + i];
    }
  }
}

/**
 * Accumulates dout [batch*seq x hidden] into the rows of dWord, dPos, dType that the batch used
 * (+=; nothing else is touched). Pass null for dType when there is no token-type table (or its
 * gradient is not wanted). Ids must be the ones given to embeddingForward.
 */
export function embeddingBackward(
  dWord: Float32Array,
  dPos: Float32Array | null,
  dType: Float32Array | null,
  dout: Float32Array,
  inputIds: ArrayLike<number>,
  tokenTypeIds: ArrayLike<number> | null,
  positionIds: ArrayLike<number> | null,
  batch: number,
  seq: number,
  hidden: number,
): void {
  requireDims(OP, { batch, seq, hidden });
  const n = batch * seq;
  requireLen(OP, 'dout', dout, n * hidden);
  requireLen(OP, 'inputIds', inputIds, n);
  // Ids are checked again (O(n), against O(n * hidden) work): an out-of-range index into a typed
  // array is a silent no-op write, which would just lose gradient.
  checkIds('inputIds', inputIds, n, tableRows('dWord', dWord, hidden));
  if (dPos !== null) {
    const posRows = tableRows('dPos', dPos, hidden);
    if (positionIds !== null) {
      requireLen(OP, 'positionIds', positionIds, n);
      checkIds('positionIds', positionIds, n, posRows);
    } else if (seq > posRows) {
      throw new OctetError('invalid-argument', `${OP}: seq ${seq} exceeds the ${posRows} position embeddings`);
    }
  }
  if (dType !== null) {
    const typeRows = tableRows('dType', dType, hidden);
    if (tokenTypeIds !== null) {
      requireLen(OP, 'tokenTypeIds', tokenTypeIds, n);
      checkIds('tokenTypeIds', tokenTypeIds, n, typeRows);
    }
  }
  for (let t = 0; t < n; t++) {
    const o = t * hidden;
    const wo = inputIds[t] * hidden;
    for (let i = 0; i < hidden; i++) dWord[wo + i] += dout[o + i];
    if (dPos !== null) {
      const po = (positionIds !== null ? positionIds[t] : t % seq) * hidden;
      for (let i = 0; i < hidden; i++) dPos[po + i] += dout[o + i];
    }
    if (dType !== null) {
      const to = (tokenTypeIds !== null ? tokenTypeIds[t] : 0) * hidden;
      for (let i = 0; i < hidden; i++) dType[to + i] += dout[o + i];
    }
  }
}

/** Zeroes grad rows ids[0..n) of a [rows x hidden] gradient table (the rows a batch touched). */
export function zeroEmbeddingRows(grad: Float32Array, ids: ArrayLike<number>, n: number, hidden: number): void {
  requireDims(OP, { hidden });
  requireLen(OP, 'ids', ids, n);
  checkIds('ids', ids, n, tableRows('grad', grad, hidden));
  for (let t = 0; t < n; t++) {
    const o = ids[t] * hidden;
    grad.fill(0, o, o + hidden);
  }
}
