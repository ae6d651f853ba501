import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeBF16,
  decodeF16,
  halfBitsToNumber,
  numberToHalfBits,
} from '../../../engine/checkpoint/half-float';
import { u16Bytes } from './helpers';

function decodeAll(decode: typeof decodeF16, bits: number[]): number[] {
  const out = new Float32Array(bits.length);
  decode(u16Bytes(bits), 0, bits.length, out);
  return [...out];
}

test('F16 decodes normals, subnormals, zeros, infinities and NaN exactly', () => {
  const cases: [number, number][] = [
    [0x0000, 0],
    [0x8000, -0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0x0400, 2 ** -14], // smallest normal
    [0x0001, 2 ** -24], // smallest subnormal
    [0x8001, -(2 ** -24)],
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ];
  const decoded = decodeAll(decodeF16, cases.map(([bits]) => bits));
  cases.forEach(([bits, value], i) => {
    assert.ok(
      Object.is(decoded[i], value),
      `0x${bits.toString(16)} -> ${decoded[i]}, want ${value}`,
    );
  });
  assert.ok(Number.isNaN(decodeAll(decodeF16, [0x7e00])[0]));
  assert.ok(Number.isNaN(decodeAll(decodeF16, [0xfc01])[0]));
});

test('BF16 decodes normals, float32 subnormals, zeros, infinities and NaN exactly', () => {
  const cases: [number, number][] = [
    [0x0000, 0],
    [0x8000, -0],
    [0x3f80, 1],
    [0xc040, -3],
    [0x4049, 3.140625],
    [0x7f7f, (2 - 2 ** -7) * 2 ** 127], // largest finite
    [0x0080, 2 ** -126], // smallest normal
    [0x0001, 2 ** -133], // smallest subnormal
    [0x007f, 127 * 2 ** -133],
    [0x7f80, Infinity],
    [0xff80, -Infinity],
  ];
  const decoded = decodeAll(decodeBF16, cases.map(([bits]) => bits));
  cases.forEach(([bits, value], i) => {
    assert.ok(
      Object.is(decoded[i], value),
      `0x${bits.toString(16)} -> ${decoded[i]}, want ${value}`,
    );
  });
  assert.ok(Number.isNaN(decodeAll(decodeBF16, [0x7fc0])[0]));
});

test('decoders honour the byte offset', () => {
  const bytes = new Uint8Array([0xaa, ...u16Bytes([0x3c00, 0xc000])]);
  const out = new Float32Array(2);
  decodeF16(bytes, 1, 2, out);
  assert.deepEqual([...out], [1, -2]);
});

test('every non-NaN half survives float32 and back', () => {
  for (let h = 0; h < 0x10000; h++) {
    const value = halfBitsToNumber(h);
    if (Number.isNaN(value)) continue;
    assert.equal(numberToHalfBits(value), h, `0x${h.toString(16)}`);
  }
});

test('float32 -> half rounds to nearest even, overflows to infinity, underflows to zero', () => {
  assert.equal(numberToHalfBits(1 + 2 ** -11), 0x3c00); // tie, 1 is even
  assert.equal(numberToHalfBits(1 + 3 * 2 ** -11), 0x3c02); // tie, rounds up to even
  assert.equal(numberToHalfBits(1 + 2 ** -11 + 2 ** -20), 0x3c01); // above the tie
  assert.equal(numberToHalfBits(65519), 0x7bff);
  assert.equal(numberToHalfBits(65520), 0x7c00);
  assert.equal(numberToHalfBits(-1e10), 0xfc00);
  assert.equal(numberToHalfBits(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal
  assert.equal(numberToHalfBits(1.5 * 2 ** -25), 0x0001);
  assert.equal(numberToHalfBits(3 * 2 ** -25), 0x0002); // 1.5 units: tie, rounds to even 2
  assert.equal(numberToHalfBits(-1e-10), 0x8000);
  assert.equal(numberToHalfBits(NaN) & 0x7c00, 0x7c00);
  assert.notEqual(numberToHalfBits(NaN) & 0x3ff, 0);
});
