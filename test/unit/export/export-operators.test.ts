// The README's operator list and opset for the export are generated from the graphs themselves:
// this test builds the export of a tiny model for both heads in every precision and fails when
// the README's list differs, so the list cannot go stale. It also checks the graph loads in
// onnxruntime (operators, types and shape inference over the graph are checked at load).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { EXPORT_OPSET } from '../../../engine/export/bert-graph';
import { exportBertModel } from '../../../engine/export/export-model';
import { ReferenceBackend } from '../../../engine/kernels/reference';
import { BertModel } from '../../../engine/model/bert-model';
import { PRECISION_MODES } from '../../../engine/nn/precision';
import { tinyConfig } from '../../helpers/tiny-bert';

const README = path.resolve(__dirname, '../../../../README.md');

function readmeLine(prefix: string): string {
  const line = readFileSync(README, 'utf8').split('\n').find((l) => l.startsWith(prefix));
  assert.ok(line, `README has a line starting "${prefix}"`);
  return line.slice(prefix.length).trim();
}

test('the README states the export\'s opset and exactly the operators its graphs use; onnxruntime loads every variant', async () => {
  const ops = new Set<string>();
  for (const head of ['sequence-classification', 'question-answering'] as const) {
    const model = new BertModel(tinyConfig(), head, new ReferenceBackend(), { seed: 3 });
    for (const mode of PRECISION_MODES) {
      const bytes = exportBertModel(model, mode).bytes;
      const decoded = onnx.ModelProto.decode(bytes);
      assert.deepEqual(decoded.opsetImport.map((o) => [o.domain, Number(o.version)]), [['', EXPORT_OPSET]], 'only the default domain');
      for (const n of decoded.graph!.node!) ops.add(n.opType!);
      const session = await ort.InferenceSession.create(bytes);
      assert.deepEqual(session.inputNames, ['input_ids', 'token_type_ids', 'attention_mask']);
      await session.release();
    }
  }
  assert.equal(readmeLine('Export opset:'), String(EXPORT_OPSET));
  assert.equal(readmeLine('Export operators:'), [...ops].sort().map((o) => `\`${o}\``).join(', '));
});
