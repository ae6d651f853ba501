// The float32 layers of BERT training, each a xxxForward / xxxBackward pair of plain functions
// over flat row-major Float32Arrays (outputs first, then inputs, then dimensions, as in llm.c).
// Backwards overwrite their dx outputs and accumulate (+=) into parameter gradients.

export { Rng } from './rng';
export { dropoutMask, dropoutApply, dropoutForward, dropoutBackward } from './dropout';
export { layerNormForward, layerNormBackward } from './layernorm';
export { erf, geluGrad, geluForward, geluBackward } from './gelu';
export { softmaxRow, softmaxForward, softmaxBackward } from './softmax';
export {
  ATTENTION_MASK_BIAS,
  referenceBatchedMatmul,
  attentionForward,
  attentionBackward,
} from './attention';
export type { BatchedMatmul, AttentionCache, AttentionOptions } from './attention';
export { embeddingForward, embeddingBackward, zeroEmbeddingRows } from './embedding';
export { IGNORE_INDEX, crossEntropyLoss, mseLoss } from './loss';
export type { LossResult } from './loss';
export { add, addInPlace } from './residual';
