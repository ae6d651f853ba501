// Reads only the header of a safetensors file (8-byte length + JSON), which is a few tens of
// kilobytes even for a large model: enough to tell a damaged or truncated file, and which tensors
// it holds with which shapes, without reading hundreds of megabytes of weights on a keystroke.
// The checks mirror engine/checkpoint/safetensors.ts, which validates the same header when
// training loads the file.
import { promises as fsp } from 'node:fs';
import { OctetError } from '../engine/errors';

const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  F64: 8, I64: 8, U64: 8,
};

/** The format's own limit; a larger length means a damaged file, not a big model. */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

export interface HeaderTensor {
  dtype: string;
  shape: number[];
}

export interface SafetensorsHeader {
  file: string;
  /** File size in bytes. */
  size: number;
  tensors: Map<string, HeaderTensor>;
}

/** @throws OctetError 'malformed-file' or 'unsupported' naming `file`, or the fs error */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const handle = await fsp.open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 8) {
      throw malformed(file, `file is ${size} bytes, too short for the 8-byte header length that starts a safetensors file (truncated?)`);
    }
    const prefix = Buffer.alloc(8);
    await handle.read(prefix, 0, 8, 0);
    const headerLength = prefix.readBigUInt64LE(0);
    if (headerLength > BigInt(size - 8)) {
      throw malformed(file, `header length ${headerLength} runs past the end of the file (${size} bytes): the file is truncated or not a safetensors file`);
    }
    if (headerLength > BigInt(MAX_HEADER_BYTES)) throw malformed(file, `header length ${headerLength} exceeds the format's 100 MB limit`);
    const header = Buffer.alloc(Number(headerLength));
    await handle.read(header, 0, header.length, 8);
    const dataLength = size - 8 - header.length;
    return { file, size, tensors: parseHeader(header, dataLength, file) };
  } finally {
    await handle.close();
  }
}

function parseHeader(bytes: Buffer, dataLength: number, file: string): Map<string, HeaderTensor> {
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw malformed(file, `header is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(header)) throw malformed(file, 'header is not a JSON object');
  const tensors = new Map<string, HeaderTensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === METADATA_KEY) continue;
    const where = `tensor "${name}"`;
    if (!isRecord(raw)) throw malformed(file, `${where}: header entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw;
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
      throw new OctetError('unsupported', `${where}: unknown dtype ${JSON.stringify(dtype)}`, { file });
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw malformed(file, `${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      throw malformed(file, `${where}: data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) {
      throw malformed(file, `${where}: data_offsets [${begin}, ${end}] lie outside the ${dataLength} bytes of data: the file is truncated or the header is wrong`);
    }
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    if (expected !== end - begin) {
      throw malformed(file, `${where}: data_offsets span ${end - begin} bytes but ${dtype} shape [${shape.join(', ')}] needs ${expected}`);
    }
    tensors.set(name, { dtype, shape: [...(shape as number[])] });
  }
  return tensors;
}

function malformed(file: string, message: string): OctetError {
  return new OctetError('malformed-file', message, { file });
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
