import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  encodeSafetensors,
  parseSafetensors,
  readFloat32,
  readSafetensors,
  readTypedArray,
  writeSafetensors,
} from '../../../engine/checkpoint/safetensors';
import { OctetError } from '../../../engine/errors';
import { buildSafetensors, expectOctetError, u16Bytes, withTempDir } from './helpers';

const LABEL = 'fixture.safetensors';

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

test('F32 round trip keeps names, shapes, values and metadata', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'model.safetensors');
    const weight = Float32Array.from([1.5, -2, 3.25, 0, 1e-30, -1e30]);
    await writeSafetensors(
      file,
      [
        ['layer.weight', { data: weight, shape: [2, 3] }],
        ['layer.bias', { data: Float32Array.from([7, 8]), shape: [2] }],
        ['empty', { data: new Float32Array(0), shape: [0, 4] }],
        ['scalar', { data: Float32Array.from([42]), shape: [] }],
      ],
      { format: 'pt' },
    );
    const st = await readSafetensors(file);
    assert.deepEqual(st.metadata, { format: 'pt' });
    assert.deepEqual(
      [...st.entries.keys()].sort(),
      ['empty', 'layer.bias', 'layer.weight', 'scalar'],
    );
    assert.deepEqual(st.entries.get('layer.weight')!.shape, [2, 3]);
    assert.equal(st.entries.get('layer.weight')!.dtype, 'F32');
    assert.deepEqual([...readFloat32(st, 'layer.weight')], [...weight]);
    assert.deepEqual([...readFloat32(st, 'layer.bias')], [7, 8]);
    assert.equal(readFloat32(st, 'empty').length, 0);
    assert.deepEqual([...readFloat32(st, 'scalar')], [42]);
    assert.deepEqual(await fsp.readdir(dir), ['model.safetensors']);
  }));

test('header is padded to 8 bytes and F32 tensors precede F16 so both stay aligned', () => {
  const bytes = encodeSafetensors([
    ['half', { data: Float32Array.from([1, 2, 3]), shape: [3], dtype: 'F16' }],
    ['full', { data: Float32Array.from([4, 5]), shape: [2] }],
  ]);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  assert.equal((8 + headerLength) % 8, 0);
  const st = parseSafetensors(bytes, LABEL);
  assert.equal(st.entries.get('full')!.begin, 0);
  assert.equal(st.entries.get('half')!.dtype, 'F16');
  assert.deepEqual([...readFloat32(st, 'half')], [1, 2, 3]);
  const full = readFloat32(st, 'full');
  assert.deepEqual([...full], [4, 5]);
  assert.equal(full.buffer, st.bytes.buffer, 'aligned F32 should be a view, not a copy');
});

test('hand-built F16 and BF16 tensors decode to the known float32 values', () => {
  const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x8000];
  const bf16 = [0x3f80, 0xc040, 0x4049, 0x0001, 0x7f80, 0xff80];
  const file = buildSafetensors(
    {
      h: { dtype: 'F16', shape: [2, 4], data_offsets: [0, 16] },
      b: { dtype: 'BF16', shape: [6], data_offsets: [16, 28] },
    },
    Buffer.concat([u16Bytes(f16), u16Bytes(bf16)]),
  );
  const st = parseSafetensors(file, LABEL);
  const h = readFloat32(st, 'h');
  assert.deepEqual(
    [...h],
    [1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, Infinity, -Infinity, -0],
  );
  assert.ok(Object.is(h[7], -0));
  assert.deepEqual([...readFloat32(st, 'b')], [1, -3, 3.140625, 2 ** -133, Infinity, -Infinity]);
});

test('tensors at unaligned offsets are copied, not misread', () => {
  // Header of odd length, so the data section (and the F32/I32 tensors) start unaligned.
  const header = {
    w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    n: { dtype: 'I32', shape: [2], data_offsets: [8, 16] },
    h: { dtype: 'F16', shape: [1], data_offsets: [16, 18] },
  };
  const ints = new Uint8Array(new Int32Array([-5, 1 << 30]).buffer);
  for (const padding of [0, 1, 2, 3]) {
    const file = buildSafetensors(
      header,
      Buffer.concat([f32Bytes([0.5, -7]), ints, u16Bytes([0xc000])]),
      padding,
    );
    const st = parseSafetensors(file, LABEL);
    assert.deepEqual([...readFloat32(st, 'w')], [0.5, -7], `padding ${padding}`);
    assert.deepEqual([...(readTypedArray(st, 'n') as Int32Array)], [-5, 1 << 30]);
    assert.deepEqual([...readFloat32(st, 'h')], [-2]);
  }
});

test('integer dtypes read as their typed arrays', async () => {
  const i64 = new Uint8Array(new BigInt64Array([-1n, 2n ** 40n]).buffer);
  const file = buildSafetensors(
    {
      ids: { dtype: 'I64', shape: [2], data_offsets: [0, 16] },
      q: { dtype: 'I8', shape: [3], data_offsets: [16, 19] },
      u: { dtype: 'U8', shape: [1], data_offsets: [19, 20] },
    },
    Buffer.concat([i64, Uint8Array.from([0xff, 0x7f, 0x80]), Uint8Array.from([200])]),
  );
  const st = parseSafetensors(file, LABEL);
  const ids = readTypedArray(st, 'ids');
  assert.ok(ids instanceof BigInt64Array);
  assert.deepEqual([...ids], [-1n, 2n ** 40n]);
  const q = readTypedArray(st, 'q');
  assert.ok(q instanceof Int8Array);
  assert.deepEqual([...q], [-1, 127, -128]);
  assert.deepEqual([...(readTypedArray(st, 'u') as Uint8Array)], [200]);
  await expectOctetError(() => readFloat32(st, 'q'), 'unsupported', LABEL, 'q', 'I8');
});

test('a file truncated at any point is an OctetError naming the file', () => {
  const whole = encodeSafetensors([
    ['a', { data: Float32Array.from([1, 2, 3]), shape: [3] }],
    ['b', { data: Float32Array.from([4, 5]), shape: [2], dtype: 'F16' }],
  ]);
  for (let length = 0; length < whole.length; length++) {
    let caught: unknown;
    try {
      parseSafetensors(whole.subarray(0, length), LABEL);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof OctetError, `cut at ${length}: ${String(caught)}`);
    assert.equal(caught.code, 'malformed-file', `cut at ${length}`);
    assert.ok(caught.message.includes(LABEL), caught.message);
  }
  assert.doesNotThrow(() => parseSafetensors(whole, LABEL));
});

test('reading a truncated file from disk names its path', () =>
  withTempDir(async (dir) => {
    const file = path.join(dir, 'cut.safetensors');
    const whole = encodeSafetensors([['a', { data: Float32Array.from([1, 2]), shape: [2] }]]);
    for (const length of [3, 12, whole.length - 1]) {
      await fsp.writeFile(file, whole.subarray(0, length));
      await expectOctetError(() => readSafetensors(file), 'malformed-file', file);
    }
    await expectOctetError(
      () => readSafetensors(path.join(dir, 'absent.safetensors')),
      'file-not-found',
      'absent.safetensors',
    );
  }));

test('corrupt headers are named OctetErrors', async () => {
  const eight = f32Bytes([1, 2]);
  const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  const cases: [string, Buffer, string, string[]][] = [
    [
      'invalid JSON',
      buildSafetensors('{"a": {"dtype": "F32",', eight),
      'malformed-file',
      ['not valid JSON'],
    ],
    ['not an object', buildSafetensors('[1, 2]', eight), 'malformed-file', ['not a JSON object']],
    ['entry not an object', buildSafetensors({ a: 5 }, eight), 'malformed-file', ['"a"']],
    [
      'offsets beyond the end',
      buildSafetensors({ a: { ...ok, shape: [4], data_offsets: [0, 16] } }, eight),
      'malformed-file',
      ['"a"', 'run past the end'],
    ],
    [
      'wrong size for shape',
      buildSafetensors({ a: { ...ok, shape: [3] } }, eight),
      'malformed-file',
      ['"a"', 'needs 12'],
    ],
    [
      'overlapping tensors',
      buildSafetensors(
        { a: ok, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } },
        eight,
      ),
      'malformed-file',
      ['overlap'],
    ],
    [
      'offsets reversed',
      buildSafetensors({ a: { ...ok, data_offsets: [8, 0] } }, eight),
      'malformed-file',
      ['"a"'],
    ],
    [
      'offsets not integers',
      buildSafetensors({ a: { ...ok, data_offsets: [0, '8'] } }, eight),
      'malformed-file',
      ['data_offsets'],
    ],
    [
      'negative dimension',
      buildSafetensors({ a: { ...ok, shape: [-2] } }, eight),
      'malformed-file',
      ['shape'],
    ],
    [
      'fractional dimension',
      buildSafetensors({ a: { ...ok, shape: [1.5] } }, eight),
      'malformed-file',
      ['shape'],
    ],
    [
      'unknown dtype',
      buildSafetensors({ a: { ...ok, dtype: 'Q4' } }, eight),
      'unsupported',
      ['"a"', 'Q4'],
    ],
    [
      'non-string metadata',
      buildSafetensors({ __metadata__: { format: 1 }, a: ok }, eight),
      'malformed-file',
      ['__metadata__'],
    ],
  ];
  for (const [what, bytes, code, fragments] of cases) {
    await expectOctetError(
      () => parseSafetensors(bytes, LABEL),
      code as 'malformed-file',
      LABEL,
      ...fragments,
    )
      .catch((e: Error) => assert.fail(`${what}: ${e.message}`));
  }
});

test('a header length larger than the file is caught before allocating', async () => {
  const bytes = Buffer.alloc(16);
  bytes.writeBigUInt64LE(2n ** 63n);
  await expectOctetError(
    () => parseSafetensors(bytes, LABEL),
    'malformed-file',
    LABEL,
    'header length',
  );
});

test('decoding rejects unsupported dtypes and unknown names', async () => {
  const file = buildSafetensors(
    { d: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } },
    new Uint8Array(8),
  );
  const st = parseSafetensors(file, LABEL);
  await expectOctetError(() => readTypedArray(st, 'd'), 'unsupported', LABEL, 'F64');
  await expectOctetError(() => readFloat32(st, 'd'), 'unsupported', LABEL, 'F64');
  await expectOctetError(() => readFloat32(st, 'nope'), 'invalid-argument', LABEL, 'nope');
});

test('writing checks shapes, names and dtypes', async () => {
  await expectOctetError(
    () => encodeSafetensors([['w', { data: new Float32Array(5), shape: [2, 3] }]]),
    'shape-mismatch',
    '"w"',
  );
  await expectOctetError(
    () => encodeSafetensors([['__metadata__', { data: new Float32Array(1), shape: [1] }]]),
    'invalid-argument',
  );
  await expectOctetError(
    () =>
      encodeSafetensors([
        ['w', { data: new Float32Array(1), shape: [1], dtype: 'BF16' as unknown as 'F16' }],
      ]),
    'unsupported',
    'BF16',
  );
});
