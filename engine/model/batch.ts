// One padded batch of token ids, as the model consumes it.

export interface TokenBatch {
  batch: number;
  /** Padded length: the longest sequence in the batch. */
  seq: number;
  /** [batch x seq] token ids. */
  inputIds: Int32Array;
  /** [batch x seq] segment ids (0 for the first text, 1 for the pair). */
  tokenTypeIds: Int32Array;
  /** [batch x seq]: 1 for real tokens, 0 for padding. */
  attentionMask: Uint8Array;
  /**
   * Masked LM only: the flat positions (row * seq + token) whose tokens the head predicts, so the
   * [positions x vocab] decoder product runs only where the loss looks. Every position when absent.
   */
  maskedPositions?: Int32Array;
}
