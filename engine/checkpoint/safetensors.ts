// The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}},
// then raw little-endian tensor bytes. Unlike pickle it is pure data, which is why Octet reads
// only this format. Every header field is checked before any byte is interpreted, so a damaged
// file fails with an OctetError naming the file and tensor rather than a RangeError or garbage.
import { promises as fsp } from 'node:fs';
import { OctetError } from '../errors';
import { errnoCode } from '../fs/errno';
import { writeFileAtomic } from '../fs/atomic';
import { decodeBF16, decodeF16, encodeF16 } from './half-float';

/** Every dtype the format defines; only some can be decoded (see readTypedArray). */
export type SafetensorsDtype =
  | 'BOOL' | 'U8' | 'I8' | 'F8_E5M2' | 'F8_E4M3' | 'I16' | 'U16' | 'F16' | 'BF16'
  | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  F64: 8, I64: 8, U64: 8,
};

/** The format's own limit; a larger length means a damaged file, not a big model. */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range relative to the start of the data section (after the header). */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  /** Path (or label) used in error messages. */
  file: string;
  metadata: Record<string, string>;
  /** Header entries, in header order. */
  entries: Map<string, TensorEntry>;
  /** The whole file. Decoded F32/I8/U8/I32/I64 arrays may be views into it. */
  bytes: Buffer;
  /** Offset of the data section within `bytes`. */
  dataStart: number;
}

export type DecodedArray = Float32Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;

export type WritableDtype = 'F32' | 'F16';

export interface TensorToWrite {
  data: Float32Array;
  shape: readonly number[];
  /** Stored precision; F32 by default. F16 rounds to nearest even (overflow becomes ±Infinity). */
  dtype?: WritableDtype;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Reads and validates a safetensors file; tensors are decoded on demand (readFloat32 & co). */
export async function readSafetensors(file: string): Promise<SafetensorsFile> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(file);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') {
      throw new OctetError('file-not-found', 'file does not exist', { file });
    }
    if (errnoCode(e) === 'ERR_FS_FILE_TOO_LARGE') {
      throw new OctetError('unsupported', 'file is over 2 GiB, more than Octet reads at once', {
        file,
      });
    }
    throw e;
  }
  return parseSafetensors(bytes, file);
}

/** Validates the header of an in-memory safetensors file. `file` is used in error messages. */
export function parseSafetensors(bytes: Buffer, file: string): SafetensorsFile {
  if (bytes.length < 8) {
    throw malformed(
      file,
      `file is ${bytes.length} bytes, too short for the 8-byte header length that starts a ` +
        'safetensors file (truncated?)',
    );
  }
  const headerLength = bytes.readBigUInt64LE(0);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw malformed(
      file,
      `header length ${headerLength} runs past the end of the file (${bytes.length} bytes): ` +
        'the file is truncated or not a safetensors file',
    );
  }
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw malformed(file, `header length ${headerLength} exceeds the format's 100 MB limit`);
  }
  const dataStart = 8 + Number(headerLength);
  const { metadata, entries } = parseHeaderJson(bytes.subarray(8, dataStart), bytes.length - dataStart, file);
  return { file, metadata, entries, bytes, dataStart };
}

/** The header's tensors and metadata, validated against the size of the data section. */
function parseHeaderJson(headerBytes: Buffer, dataLength: number, file: string): Pick<SafetensorsFile, 'metadata' | 'entries'> {
  let header: unknown;
  try {
    header = JSON.parse(headerBytes.toString('utf8'));
  } catch (e) {
    throw malformed(file, `header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) throw malformed(file, 'header is not a JSON object');

  const metadata = parseMetadata(header[METADATA_KEY], file);
  const entries = new Map<string, TensorEntry>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === METADATA_KEY) continue;
    entries.set(name, parseEntry(name, raw, dataLength, file));
  }
  checkNoOverlap([...entries.values()], file);
  return { metadata, entries };
}

export interface SafetensorsHeader extends Pick<SafetensorsFile, 'file' | 'metadata' | 'entries'> {
  /** File size in bytes. */
  size: number;
}

/**
 * Reads and validates only the header (8-byte length + JSON): a few kilobytes even for a large
 * model, so an editor can check a model file on every keystroke without reading its weights.
 * Same checks and messages as readSafetensors.
 */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') throw new OctetError('file-not-found', 'file does not exist', { file });
    throw e;
  }
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
    const headerBytes = Buffer.alloc(Number(headerLength));
    await handle.read(headerBytes, 0, headerBytes.length, 8);
    return { file, size, ...parseHeaderJson(headerBytes, size - 8 - headerBytes.length, file) };
  } finally {
    await handle.close();
  }
}

/**
 * Decodes a floating-point tensor (F32, F16 or BF16) to float32. An aligned F32 tensor is returned
 * as a view into `st.bytes` without copying: writes to it change that buffer, and transferring
 * its `.buffer` to a worker would detach every other view, so `.slice()` it first if needed.
 */
export function readFloat32(st: SafetensorsFile, name: string): Float32Array {
  const entry = entryOf(st, name);
  const count = elementCount(entry);
  switch (entry.dtype) {
    case 'F32':
      return littleEndianArray(st, entry, Float32Array);
    case 'F16': {
      const out = new Float32Array(count);
      decodeF16(st.bytes, st.dataStart + entry.begin, count, out);
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(count);
      decodeBF16(st.bytes, st.dataStart + entry.begin, count, out);
      return out;
    }
    default:
      throw new OctetError(
        'unsupported',
        `dtype ${entry.dtype} cannot be read as float32 (supported: F32, F16, BF16)`,
        { file: st.file, field: `tensor "${name}"` },
      );
  }
}

/** Decodes any supported dtype: F32/F16/BF16 as Float32Array, I8, U8, I32, I64 as their arrays. */
export function readTypedArray(st: SafetensorsFile, name: string): DecodedArray {
  const entry = entryOf(st, name);
  switch (entry.dtype) {
    case 'F32':
    case 'F16':
    case 'BF16':
      return readFloat32(st, name);
    case 'I8':
      return littleEndianArray(st, entry, Int8Array);
    case 'U8':
      return littleEndianArray(st, entry, Uint8Array);
    case 'I32':
      return littleEndianArray(st, entry, Int32Array);
    case 'I64':
      return littleEndianArray(st, entry, BigInt64Array);
    default:
      throw new OctetError(
        'unsupported',
        `dtype ${entry.dtype} is not supported (supported: F32, F16, BF16, I8, U8, I32, I64)`,
        { file: st.file, field: `tensor "${name}"` },
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Encodes tensors as safetensors chunks: the header, then each tensor's bytes. F32 data is not
 * copied (chunks are views of the callers' arrays), so a large model is never held twice.
 * F32 tensors are placed before F16 ones so every tensor stays aligned to its element size.
 */
export function encodeSafetensorsChunks(
  tensors: Iterable<readonly [string, TensorToWrite]>,
  metadata: Record<string, string> = {},
  file = 'safetensors data',
): Uint8Array[] {
  const all = [...tensors];
  for (const [name, t] of all) checkWritable(name, t, file);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new OctetError('invalid-argument', `metadata value of "${key}" must be a string`, {
        file,
        field: METADATA_KEY,
      });
    }
  }
  const ordered = [
    ...all.filter(([, t]) => (t.dtype ?? 'F32') === 'F32'),
    ...all.filter(([, t]) => t.dtype === 'F16'),
  ];

  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  const bodies: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of ordered) {
    const body = t.dtype === 'F16' ? encodeF16(t.data) : float32Bytes(t.data);
    header[name] = {
      dtype: t.dtype ?? 'F32',
      shape: [...t.shape],
      data_offsets: [offset, offset + body.byteLength],
    };
    offset += body.byteLength;
    bodies.push(body);
  }

  let json = Buffer.from(JSON.stringify(header), 'utf8');
  // Pad with spaces (allowed by the format) so the data section starts 8-byte aligned.
  const padding = (8 - (json.length % 8)) % 8;
  if (padding > 0) json = Buffer.concat([json, Buffer.alloc(padding, 0x20)]);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  return [prefix, json, ...bodies];
}

/** Encodes tensors as one safetensors Buffer (copies; prefer writeSafetensors for big models). */
export function encodeSafetensors(
  tensors: Iterable<readonly [string, TensorToWrite]>,
  metadata: Record<string, string> = {},
): Buffer {
  return Buffer.concat(encodeSafetensorsChunks(tensors, metadata));
}

/** Writes a safetensors file atomically (see engine/fs/atomic.ts). */
export async function writeSafetensors(
  file: string,
  tensors: Iterable<readonly [string, TensorToWrite]>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(file, encodeSafetensorsChunks(tensors, metadata, file));
}

// ---------------------------------------------------------------------------------------------
// Header validation

function parseMetadata(raw: unknown, file: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw malformed(file, 'must be an object of strings', METADATA_KEY);
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') {
      throw malformed(file, `value of "${key}" must be a string`, METADATA_KEY);
    }
  }
  return { ...(raw as Record<string, string>) };
}

function parseEntry(name: string, raw: unknown, dataLength: number, file: string): TensorEntry {
  const field = `tensor "${name}"`;
  if (!isPlainObject(raw)) throw malformed(file, 'header entry is not an object', field);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
    throw new OctetError('unsupported', `unknown dtype ${JSON.stringify(dtype)}`, { file, field });
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw malformed(
      file,
      `shape ${JSON.stringify(shape)} is not a list of non-negative integers`,
      field,
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw malformed(
      file,
      `data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`,
      field,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) {
    throw malformed(file, `data_offsets [${begin}, ${end}] end before they begin`, field);
  }
  if (end > dataLength) {
    throw malformed(
      file,
      `data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes): ` +
        'the file is truncated or the header is wrong',
      field,
    );
  }
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  const expected = elements * DTYPE_BYTES[dtype as SafetensorsDtype];
  if (expected !== end - begin) {
    throw malformed(
      file,
      `data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${dtype} shape ` +
        `[${shape.join(', ')}] needs ${expected}`,
      field,
    );
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], begin, end };
}

function checkNoOverlap(entries: TensorEntry[], file: string): void {
  const nonEmpty = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < nonEmpty.length; i++) {
    const prev = nonEmpty[i - 1];
    const cur = nonEmpty[i];
    if (cur.begin < prev.end) {
      throw malformed(
        file,
        `data_offsets [${cur.begin}, ${cur.end}] overlap tensor "${prev.name}" ` +
          `[${prev.begin}, ${prev.end}]`,
        `tensor "${cur.name}"`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

interface ArrayCtor<T> {
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
}

/**
 * A typed array over a tensor's little-endian bytes: a view into the file buffer when it is
 * suitably aligned (no copy), otherwise one copy into a fresh (aligned) buffer.
 */
function littleEndianArray<T>(st: SafetensorsFile, entry: TensorEntry, Ctor: ArrayCtor<T>): T {
  const size = Ctor.BYTES_PER_ELEMENT;
  const count = elementCount(entry);
  const start = st.dataStart + entry.begin;
  const absolute = st.bytes.byteOffset + start;
  if (LITTLE_ENDIAN && absolute % size === 0) return new Ctor(st.bytes.buffer, absolute, count);
  const copy = new Uint8Array(entry.end - entry.begin);
  copy.set(st.bytes.subarray(start, st.dataStart + entry.end));
  if (!LITTLE_ENDIAN) swapBytes(copy, size);
  return new Ctor(copy.buffer, 0, count);
}

function float32Bytes(data: Float32Array): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN) return view;
  const copy = Uint8Array.from(view);
  swapBytes(copy, 4);
  return copy;
}

/** Reverses each `size`-byte group in place (big-endian hosts only). */
function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

function checkWritable(name: string, t: TensorToWrite, file: string): void {
  const field = `tensor "${name}"`;
  if (name === METADATA_KEY) {
    throw new OctetError('invalid-argument', `"${METADATA_KEY}" is reserved`, { file, field });
  }
  const dtype = t.dtype ?? 'F32';
  if (dtype !== 'F32' && dtype !== 'F16') {
    throw new OctetError('unsupported', `cannot write dtype ${String(dtype)} (only F32, F16)`, {
      file,
      field,
    });
  }
  if (!(t.data instanceof Float32Array)) {
    throw new OctetError('invalid-argument', 'data must be a Float32Array', { file, field });
  }
  if (!t.shape.every((d) => isCount(d))) {
    throw new OctetError('invalid-argument', `shape [${t.shape.join(', ')}] is not valid`, {
      file,
      field,
    });
  }
  const elements = t.shape.reduce((a, b) => a * b, 1);
  if (elements !== t.data.length) {
    throw new OctetError(
      'shape-mismatch',
      `shape [${t.shape.join(', ')}] has ${elements} elements but data has ${t.data.length}`,
      { file, field },
    );
  }
}

function entryOf(st: SafetensorsFile, name: string): TensorEntry {
  const entry = st.entries.get(name);
  if (!entry) {
    throw new OctetError('invalid-argument', 'no such tensor in the file', {
      file: st.file,
      field: `tensor "${name}"`,
    });
  }
  return entry;
}

function elementCount(entry: TensorEntry): number {
  return entry.shape.reduce((a, b) => a * b, 1);
}

function malformed(file: string, message: string, field?: string): OctetError {
  const location = field === undefined ? { file } : { file, field };
  return new OctetError('malformed-file', message, location);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
