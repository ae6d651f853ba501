// Which tensors a BERT model with a given task head has, and their shapes for a given config.
// This is the single table that load (missing/unexpected/shape checks) and save (name checks)
// agree on; the shapes are those of the PyTorch modules in transformers' modeling_bert.py.
import type { BertConfig } from './bert-config';

/** The task head on top of the encoder, as in the transformers class of the same name. */
export type BertHead =
  | 'none' // BertModel
  | 'sequence-classification' // BertForSequenceClassification
  | 'token-classification' // BertForTokenClassification
  | 'question-answering' // BertForQuestionAnswering
  | 'masked-lm' // BertForMaskedLM
  | 'pretraining'; // BertForPreTraining (masked LM + next-sentence prediction)

const ARCHITECTURES: Record<BertHead, string> = {
  none: 'BertModel',
  'sequence-classification': 'BertForSequenceClassification',
  'token-classification': 'BertForTokenClassification',
  'question-answering': 'BertForQuestionAnswering',
  'masked-lm': 'BertForMaskedLM',
  pretraining: 'BertForPreTraining',
};

/** Heads built with a pooler; transformers leaves it out of the token-level ones. */
const HAS_POOLER: Record<BertHead, boolean> = {
  none: true,
  'sequence-classification': true,
  'token-classification': false,
  'question-answering': false,
  'masked-lm': false,
  pretraining: true,
};

/** The decoder matrix is tied to the word embeddings: a file may carry a copy or leave it out. */
export const TIED_DECODER_WEIGHT = 'cls.predictions.decoder.weight';
/** Old files store the MLM output bias under the decoder's name; it is the same tensor. */
export const TIED_DECODER_BIAS = 'cls.predictions.decoder.bias';
export const MLM_BIAS = 'cls.predictions.bias';

export function architectureForHead(head: BertHead): string {
  return ARCHITECTURES[head];
}

/** The head of the first recognised architecture in config.json; 'none' if there is none. */
export function headForArchitectures(architectures: readonly string[]): BertHead {
  for (const arch of architectures) {
    const head = (Object.keys(ARCHITECTURES) as BertHead[]).find((h) => ARCHITECTURES[h] === arch);
    if (head) return head;
  }
  return 'none';
}

export function hasMaskedLmHead(head: BertHead): boolean {
  return head === 'masked-lm' || head === 'pretraining';
}

/** Every parameter a model with this head has (Octet names, canonical order) and its shape. */
export function bertParameterShapes(config: BertConfig, head: BertHead): Map<string, number[]> {
  const shapes = encoderShapes(config, HAS_POOLER[head]);
  const h = config.hiddenSize;
  switch (head) {
    case 'sequence-classification':
    case 'token-classification':
      shapes.set('classifier.weight', [config.numLabels, h]);
      shapes.set('classifier.bias', [config.numLabels]);
      break;
    case 'question-answering':
      // Start and end logits.
      shapes.set('qa_outputs.weight', [2, h]);
      shapes.set('qa_outputs.bias', [2]);
      break;
    case 'masked-lm':
    case 'pretraining':
      addMaskedLmShapes(shapes, config);
      if (head === 'pretraining') {
        shapes.set('cls.seq_relationship.weight', [2, h]);
        shapes.set('cls.seq_relationship.bias', [2]);
      }
      break;
    case 'none':
      break;
  }
  return shapes;
}

/** Parameters a file may carry for this head without them being required. */
export function optionalParameterShapes(config: BertConfig, head: BertHead): Map<string, number[]> {
  const optional = new Map<string, number[]>();
  if (hasMaskedLmHead(head)) {
    optional.set(TIED_DECODER_WEIGHT, [config.vocabSize, config.hiddenSize]);
  }
  return optional;
}

/** Shapes of every parameter name any BERT head can have (for validating names on save). */
export function allBertParameterShapes(config: BertConfig): Map<string, number[]> {
  const all = new Map<string, number[]>();
  for (const head of Object.keys(ARCHITECTURES) as BertHead[]) {
    for (const [name, shape] of bertParameterShapes(config, head)) all.set(name, shape);
    for (const [name, shape] of optionalParameterShapes(config, head)) all.set(name, shape);
  }
  return all;
}

function encoderShapes(config: BertConfig, withPooler: boolean): Map<string, number[]> {
  const h = config.hiddenSize;
  const shapes = new Map<string, number[]>([
    ['embeddings.word_embeddings.weight', [config.vocabSize, h]],
    ['embeddings.position_embeddings.weight', [config.maxPositionEmbeddings, h]],
    ['embeddings.token_type_embeddings.weight', [config.typeVocabSize, h]],
    ['embeddings.LayerNorm.weight', [h]],
    ['embeddings.LayerNorm.bias', [h]],
  ]);
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layer = `encoder.layer.${i}`;
    for (const proj of ['query', 'key', 'value']) {
      shapes.set(`${layer}.attention.self.${proj}.weight`, [h, h]);
      shapes.set(`${layer}.attention.self.${proj}.bias`, [h]);
    }
    shapes.set(`${layer}.attention.output.dense.weight`, [h, h]);
    shapes.set(`${layer}.attention.output.dense.bias`, [h]);
    shapes.set(`${layer}.attention.output.LayerNorm.weight`, [h]);
    shapes.set(`${layer}.attention.output.LayerNorm.bias`, [h]);
    // nn.Linear stores weight as [out_features, in_features].
    shapes.set(`${layer}.intermediate.dense.weight`, [config.intermediateSize, h]);
    shapes.set(`${layer}.intermediate.dense.bias`, [config.intermediateSize]);
    shapes.set(`${layer}.output.dense.weight`, [h, config.intermediateSize]);
    shapes.set(`${layer}.output.dense.bias`, [h]);
    shapes.set(`${layer}.output.LayerNorm.weight`, [h]);
    shapes.set(`${layer}.output.LayerNorm.bias`, [h]);
  }
  if (withPooler) {
    shapes.set('pooler.dense.weight', [h, h]);
    shapes.set('pooler.dense.bias', [h]);
  }
  return shapes;
}

function addMaskedLmShapes(shapes: Map<string, number[]>, config: BertConfig): void {
  const h = config.hiddenSize;
  shapes.set('cls.predictions.transform.dense.weight', [h, h]);
  shapes.set('cls.predictions.transform.dense.bias', [h]);
  shapes.set('cls.predictions.transform.LayerNorm.weight', [h]);
  shapes.set('cls.predictions.transform.LayerNorm.bias', [h]);
  shapes.set(MLM_BIAS, [config.vocabSize]);
}
