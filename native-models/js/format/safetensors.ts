/**
 * safetensors reader and writer: u64 header length, JSON header, raw little-endian tensor bytes.
 * The reader validates the whole header before anything is read and then reads tensors (or row ranges
 * of them) on demand, so an 8.9 GB checkpoint is never loaded whole.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { fileSource, type ByteSource } from './byte-source.js';
import { fail } from './errors.js';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const dtypeSize: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export interface SafetensorsTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute file offset of the first byte. */
  offset: number;
  byteLength: number;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
  /** All bytes of one tensor. */
  read(name: string): Uint8Array;
  /** Bytes of rows [start, start+count) of a tensor, a row being everything after the first dimension. */
  readRows(name: string, start: number, count: number): Uint8Array;
  close(): void;
}

const MAX_HEADER = 100 * 1024 * 1024;

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function parseEntry(name: string, raw: unknown, dataStart: number, dataSize: number): SafetensorsTensor {
  const what = `safetensors: tensor "${name}"`;
  if (typeof raw !== 'object' || raw === null) fail(`${what} has no description`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in dtypeSize)) fail(`${what} has unsupported dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`${what} has an invalid shape`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`${what} has invalid data_offsets`);
  }
  const [begin, end] = offsets as [number, number];
  const expected = numel(shape) * dtypeSize[dtype as SafetensorsDtype];
  if (end < begin || end - begin !== expected) fail(`${what}: data_offsets [${begin}, ${end}) do not hold ${dtype} [${shape.join(', ')}] (${expected} bytes)`);
  if (end > dataSize) fail(`${what}: data [${begin}, ${end}) runs past the end of the file (truncated?)`);
  return { name, dtype: dtype as SafetensorsDtype, shape: shape as number[], offset: dataStart + begin, byteLength: expected };
}

export function readSafetensors(source: ByteSource): SafetensorsFile {
  if (source.size < 8) fail(`safetensors: file of ${source.size} bytes is too short`);
  const headerLength = new DataView(source.read(0, 8, 'safetensors header length').slice().buffer).getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER, source.size - 8))) fail(`safetensors: header length ${headerLength} is larger than the file allows`);
  const headerText = new TextDecoder().decode(source.read(8, Number(headerLength), 'safetensors header'));
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (err) {
    fail(`safetensors: header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('safetensors: header is not a JSON object');
  const dataStart = 8 + Number(headerLength);
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    tensors.set(name, parseEntry(name, raw, dataStart, source.size - dataStart));
  }
  const get = (name: string) => tensors.get(name) ?? fail(`safetensors: no tensor named "${name}"`);
  return {
    tensors,
    metadata,
    read: (name) => {
      const t = get(name);
      return source.read(t.offset, t.byteLength, `safetensors tensor "${name}"`);
    },
    readRows: (name, start, count) => {
      const t = get(name);
      const rows = t.shape[0] ?? 1;
      if (start < 0 || count < 0 || start + count > rows) fail(`safetensors: rows [${start}, ${start + count}) of "${name}" are out of range`);
      const rowBytes = rows === 0 ? 0 : t.byteLength / rows;
      return source.read(t.offset + start * rowBytes, count * rowBytes, `safetensors tensor "${name}"`);
    },
    close: () => source.close(),
  };
}

export function openSafetensors(path: string): SafetensorsFile {
  const source = fileSource(path);
  try {
    return readSafetensors(source);
  } catch (err) {
    source.close();
    throw err;
  }
}

export interface SafetensorsSpec {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
}

/**
 * Write a safetensors file whose tensor bytes are produced in chunks by `produce`, one tensor at a
 * time in the given order; memory stays at one chunk. The header is padded to 8 bytes with spaces.
 */
export function writeSafetensors(
  path: string,
  specs: readonly SafetensorsSpec[],
  produce: (spec: SafetensorsSpec, emit: (bytes: Uint8Array) => void) => void,
  metadata: Record<string, string> = { format: 'pt' },
): void {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const s of specs) {
    const size = numel(s.shape) * dtypeSize[s.dtype];
    header[s.name] = { dtype: s.dtype, shape: s.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const prefix = new Uint8Array(8 + headerBytes.length);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  prefix.set(headerBytes, 8);
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, prefix);
    for (const s of specs) {
      let written = 0;
      produce(s, (bytes) => {
        writeAll(fd, bytes);
        written += bytes.length;
      });
      const size = numel(s.shape) * dtypeSize[s.dtype];
      if (written !== size) throw new Error(`safetensors writer: "${s.name}" produced ${written} bytes, expected ${size}`);
    }
  } finally {
    closeSync(fd);
  }
}

export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}
