// IEEE half (F16) and bfloat16 (BF16) <-> float32, for checkpoints saved in 16-bit formats.
// Every F16 and BF16 value is exactly representable as float32, so decoding is lossless.

let f16Table: Float32Array | undefined;

/** float32 value of each of the 65536 half-precision bit patterns (built once; 256 KiB). */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = halfBitsToNumber(h);
  f16Table = table;
  return table;
}

export function halfBitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Decodes little-endian F16 bytes `bytes[offset .. offset + 2*count)` into `out`. */
export function decodeF16(
  bytes: Uint8Array,
  offset: number,
  count: number,
  out: Float32Array,
): void {
  const table = halfTable();
  for (let i = 0, p = offset; i < count; i++, p += 2) {
    out[i] = table[bytes[p] | (bytes[p + 1] << 8)];
  }
}

/** Decodes little-endian BF16 bytes: a bfloat16 is the top 16 bits of the float32 it stands for. */
export function decodeBF16(
  bytes: Uint8Array,
  offset: number,
  count: number,
  out: Float32Array,
): void {
  // Uint32Array and Float32Array views share the platform's byte order, so this is portable.
  const bits = new Uint32Array(out.buffer, out.byteOffset, count);
  for (let i = 0, p = offset; i < count; i++, p += 2) {
    bits[i] = ((bytes[p] | (bytes[p + 1] << 8)) << 16) >>> 0;
  }
}

const scratch = new DataView(new ArrayBuffer(4));

/** float32 -> half bits, rounding to nearest even; overflow gives infinity, NaN stays NaN. */
export function numberToHalfBits(value: number): number {
  scratch.setFloat32(0, value);
  const x = scratch.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const exp32 = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp32 === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const exp = exp32 - 127 + 15;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    // Result is a half subnormal (or zero): value = m * 2^-24 with m = full mantissa >> shift.
    if (exp < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - exp;
    return sign | roundShift(full, shift);
  }
  // A carry out of the mantissa correctly bumps the exponent (and 65520+ up to infinity).
  return (sign | (exp << 10)) + roundShift(mant, 13);
}

function roundShift(value: number, shift: number): number {
  const kept = Math.floor(value / 2 ** shift);
  const rest = value - kept * 2 ** shift;
  const half = 2 ** (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** Encodes float32 values as little-endian F16 bytes. */
export function encodeF16(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const h = numberToHalfBits(values[i]);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >> 8;
  }
  return out;
}
