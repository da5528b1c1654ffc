/**
 * `.ptd` (ExecuTorch FlatTensor) reader and writer: flatbuffer with identifier FT01, a mandatory `FH01`
 * header spliced in at byte 8, then segment data. Layout: pte-ptd-format.md §5. Reads go through a
 * ByteSource so multi-GB files are never loaded whole; 64-bit offsets are kept exact.
 */
import { placeSegments, roundUp, segmentDataSize, type SegmentPlacement } from './align.js';
import { bytesSource, type ByteSource } from './byte-source.js';
import { fail } from './errors.js';
import { decodeRoot } from './flatbuffer/decode.js';
import { encodeRoot } from './flatbuffer/encode.js';
import { FlatTensorDef, type FlatTensor, type PtdNamedData, type TensorLayout } from './flat-tensor-schema.js';
import { spliceHeader } from './splice-header.js';
import { elementSize, scalarTypeName } from './scalar-type.js';

export const PTD_IDENTIFIER = 'FT01';
const HEADER_MAGIC = 'FH01';
const HEADER_LENGTH = 40;
const MIN_FILE_SIZE = 64;
const MAX_FLATBUFFER = 2 ** 31;
/** Python EXIR pads the 40-byte header to 48. */
export const PTD_HEADER_PADDING = 48;

export interface PtdHeader {
  headerLength: number;
  flatbufferOffset: bigint;
  flatbufferSize: bigint;
  segmentBaseOffset: bigint;
  segmentDataSize: bigint;
}

export interface PtdEntry {
  key: string;
  segmentIndex: number;
  layout?: TensorLayout;
  /** Absolute file offset and size of the entry's bytes. */
  offset: number;
  size: number;
}

export interface PtdFile {
  flatTensor: FlatTensor;
  header: PtdHeader;
  entries: PtdEntry[];
  entry(key: string): PtdEntry | undefined;
  /** The bytes stored under `key` (first match, as the runtime does). */
  read(key: string): Uint8Array;
  source: ByteSource;
}

function magic(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

export function readPtdHeader(head: Uint8Array, fileSize: number): PtdHeader {
  const id = magic(head, 4);
  if (id !== PTD_IDENTIFIER) fail(`.ptd: not a FlatTensor file (file identifier ${JSON.stringify(id)}, expected "${PTD_IDENTIFIER}")`);
  if (magic(head, 8) !== HEADER_MAGIC) fail(`.ptd: missing "${HEADER_MAGIC}" header at byte 8`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const header: PtdHeader = {
    headerLength: view.getUint32(12, true),
    flatbufferOffset: view.getBigUint64(16, true),
    flatbufferSize: view.getBigUint64(24, true),
    segmentBaseOffset: view.getBigUint64(32, true),
    segmentDataSize: view.getBigUint64(40, true),
  };
  if (header.headerLength < HEADER_LENGTH) fail(`.ptd: header length ${header.headerLength} is below the minimum ${HEADER_LENGTH}`);
  const size = BigInt(fileSize);
  const fbEnd = header.flatbufferOffset + header.flatbufferSize;
  if (header.flatbufferOffset < 8n + BigInt(HEADER_LENGTH)) fail(`.ptd: flatbuffer_offset ${header.flatbufferOffset} overlaps the header`);
  if (fbEnd > size) fail(`.ptd: flatbuffer [0, ${fbEnd}) exceeds the ${fileSize}-byte file (truncated?)`);
  if (fbEnd >= BigInt(MAX_FLATBUFFER)) fail(`.ptd: flatbuffer of ${fbEnd} bytes exceeds the 2 GiB limit`);
  if (header.segmentBaseOffset < fbEnd) fail(`.ptd: segment_base_offset ${header.segmentBaseOffset} overlaps the flatbuffer`);
  if (header.segmentBaseOffset + header.segmentDataSize > size) {
    fail(`.ptd: segment data [${header.segmentBaseOffset}, +${header.segmentDataSize}) exceeds the ${fileSize}-byte file (truncated?)`);
  }
  return header;
}

function checkLayout(layout: TensorLayout, key: string, size: number): void {
  const sizes = layout.sizes ?? fail(`.ptd: tensor layout of "${key}" has no sizes`);
  const dimOrder = layout.dim_order ?? fail(`.ptd: tensor layout of "${key}" has no dim_order`);
  if (dimOrder.length !== sizes.length) fail(`.ptd: tensor "${key}" has ${sizes.length} sizes but ${dimOrder.length} dim_order entries`);
  const elem = elementSize(layout.scalar_type) ?? fail(`.ptd: tensor "${key}" has unknown scalar type ${layout.scalar_type}`);
  let numel = 1;
  for (const d of sizes) {
    if (d < 0) fail(`.ptd: tensor "${key}" has negative size ${d}`);
    numel *= d;
  }
  for (const d of dimOrder) if (d >= sizes.length) fail(`.ptd: tensor "${key}" has dim_order entry ${d} ≥ rank ${sizes.length}`);
  if (numel * elem > size) {
    fail(`.ptd: tensor "${key}" (${scalarTypeName(layout.scalar_type)} [${sizes.join(', ')}]) needs ${numel * elem} bytes but its segment holds ${size}`);
  }
}

export function readPtd(source: ByteSource): PtdFile {
  if (source.size < MIN_FILE_SIZE) fail(`.ptd: file of ${source.size} bytes is shorter than the ${MIN_FILE_SIZE}-byte minimum`);
  const header = readPtdHeader(source.read(0, MIN_FILE_SIZE, '.ptd header'), source.size);
  const fbEnd = Number(header.flatbufferOffset + header.flatbufferSize);
  const fb = source.read(0, fbEnd, '.ptd flatbuffer');
  const flatTensor = decodeRoot(fb, fbEnd, FlatTensorDef, PTD_IDENTIFIER) as unknown as FlatTensor;
  const segments = flatTensor.segments ?? fail('.ptd: FlatTensor.segments is missing');
  const named = flatTensor.named_data ?? fail('.ptd: FlatTensor.named_data is missing');
  const base = Number(header.segmentBaseOffset);
  const entries = named.map((nd: PtdNamedData, i): PtdEntry => {
    const key = nd.key ?? fail(`.ptd: named_data[${i}] has no key`);
    const seg = segments[nd.segment_index] ?? fail(`.ptd: "${key}" refers to segment ${nd.segment_index} of ${segments.length}`);
    if (seg.offset + seg.size > header.segmentDataSize) {
      fail(`.ptd: segment ${nd.segment_index} of "${key}" [${seg.offset}, +${seg.size}) lies outside the ${header.segmentDataSize}-byte segment data`);
    }
    const size = Number(seg.size);
    if (nd.tensor_layout) checkLayout(nd.tensor_layout, key, size);
    return { key, segmentIndex: nd.segment_index, ...(nd.tensor_layout ? { layout: nd.tensor_layout } : {}), offset: base + Number(seg.offset), size };
  });
  const byKey = new Map<string, PtdEntry>();
  for (const e of entries) if (!byKey.has(e.key)) byKey.set(e.key, e);
  return {
    flatTensor,
    header,
    entries,
    entry: (key) => byKey.get(key),
    read(key) {
      const e = byKey.get(key) ?? fail(`.ptd: no entry named "${key}"`);
      return source.read(e.offset, e.size, `.ptd entry "${key}"`);
    },
    source,
  };
}

export function readPtdBytes(bytes: Uint8Array): PtdFile {
  return readPtd(bytesSource(bytes));
}

export interface PtdPrefix {
  /** Header, flatbuffer and padding: the file's bytes before segment_base_offset. */
  prefix: Uint8Array;
  segmentBaseOffset: bigint;
  segmentDataSize: bigint;
}

/**
 * Everything of a .ptd that precedes its segment data. The segment table must already be final, so a
 * packer can write this first and then stream each segment's bytes at its offset.
 */
export function encodePtdPrefix(flatTensor: FlatTensor, segmentAlignment = 128, headerPadding = PTD_HEADER_PADDING): PtdPrefix {
  const fb = encodeRoot(FlatTensorDef, flatTensor as unknown as Record<string, unknown>, PTD_IDENTIFIER, 'flatc');
  const dataSize = segmentDataSize(flatTensor.segments ?? []);
  const base = roundUp(headerPadding + fb.length, segmentAlignment);
  const prefix = spliceHeader(fb, {
    magic: HEADER_MAGIC, length: HEADER_LENGTH, fields: [BigInt(headerPadding), BigInt(fb.length), BigInt(base), dataSize],
  }, headerPadding, base);
  return { prefix, segmentBaseOffset: BigInt(base), segmentDataSize: dataSize };
}

export function writePtd(flatTensor: FlatTensor, segmentData: Uint8Array, segmentAlignment = 128): Uint8Array {
  const { prefix, segmentDataSize: size } = encodePtdPrefix(flatTensor, segmentAlignment);
  if (BigInt(segmentData.length) !== size) fail(`.ptd: segment data is ${segmentData.length} bytes but the segment table needs ${size}`);
  const out = new Uint8Array(prefix.length + segmentData.length);
  out.set(prefix);
  out.set(segmentData, prefix.length);
  return out;
}

export interface PtdTensorSpec {
  key: string;
  layout?: TensorLayout;
  byteLength: number;
  alignment?: number;
}

/** One segment per entry, placed with EXIR's rule; returns the FlatTensor and each entry's placement. */
export function planPtd(specs: readonly PtdTensorSpec[], segmentAlignment = 128): { flatTensor: FlatTensor; placements: SegmentPlacement[] } {
  const placements = placeSegments(specs.map((t) => ({ size: BigInt(t.byteLength), alignment: t.alignment ?? 1 })), segmentAlignment);
  return {
    flatTensor: {
      version: 0,
      segments: placements,
      named_data: specs.map((t, i) => ({ key: t.key, segment_index: i, ...(t.layout ? { tensor_layout: t.layout } : {}) })),
    },
    placements,
  };
}
