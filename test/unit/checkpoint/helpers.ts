// Shared fixtures for checkpoint tests: temp folders, a tiny BERT config, error assertions.
import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OctetError, type OctetErrorCode } from '../../../engine/errors';
import { type BertConfig, parseBertConfig } from '../../../engine/checkpoint/bert-config';
import { type BertHead, bertParameterShapes } from '../../../engine/checkpoint/bert-heads';
import type { BertTensor } from '../../../engine/checkpoint/bert-weights';

/** Runs `fn` with a fresh temp folder that is removed afterwards, pass or fail. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'octet-checkpoint-test-'));
  try {
    return await fn(dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** Awaits `run` and asserts it threw an OctetError with `code` whose message has every fragment. */
export async function expectOctetError(
  run: () => unknown,
  code: OctetErrorCode,
  ...fragments: string[]
): Promise<OctetError> {
  let caught: unknown;
  try {
    await run();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof OctetError, `expected OctetError(${code}), got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const fragment of fragments) {
    assert.ok(
      caught.message.includes(fragment),
      `message ${JSON.stringify(caught.message)} should mention ${JSON.stringify(fragment)}`,
    );
  }
  return caught;
}

/** config.json fields of a 2-layer, hidden-4 BERT with a 3-label classifier. */
export function tinyConfigJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model_type: 'bert',
    architectures: ['BertForSequenceClassification'],
    vocab_size: 10,
    hidden_size: 4,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 8,
    max_position_embeddings: 6,
    type_vocab_size: 2,
    id2label: { '0': 'neg', '1': 'neu', '2': 'pos' },
    label2id: { neg: 0, neu: 1, pos: 2 },
    ...overrides,
  };
}

export function tinyConfig(overrides: Record<string, unknown> = {}): BertConfig {
  return parseBertConfig(tinyConfigJson(overrides), 'tiny config');
}

/** Every parameter of `head`, filled with values distinct per tensor and element. */
export function tinyTensors(config: BertConfig, head: BertHead): Map<string, BertTensor> {
  const tensors = new Map<string, BertTensor>();
  let seed = 0;
  for (const [name, shape] of bertParameterShapes(config, head)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = Math.fround(Math.sin(++seed) * 0.5);
    tensors.set(name, { data, shape });
  }
  return tensors;
}

/**
 * Assembles a safetensors file by hand: 8-byte length, header (an object to JSON-encode, or raw
 * text) plus `headerPadding` spaces, then data.
 */
export function buildSafetensors(header: unknown, data: Uint8Array, headerPadding = 0): Buffer {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = Buffer.concat([
    Buffer.from(text, 'utf8'),
    Buffer.alloc(headerPadding, 0x20),
  ]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, data]);
}

/** Little-endian bytes of 16-bit patterns. */
export function u16Bytes(values: number[]): Uint8Array {
  const out = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => out.writeUInt16LE(v, 2 * i));
  return out;
}
