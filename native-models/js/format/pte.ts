/**
 * `.pte` (ExecuTorch Program) reader and writer: flatbuffer with identifier ET12, an optional `eh00`
 * extended header spliced in at byte 8, then segment data. Layout: pte-ptd-format.md §2.
 */
import { placeSegments, roundUp, segmentDataSize } from './align.js';
import { fail } from './errors.js';
import { decodeRoot } from './flatbuffer/decode.js';
import { encodeRoot, type Discipline } from './flatbuffer/encode.js';
import { spliceHeader } from './splice-header.js';
import { ProgramDef, type DataSegment, type Program } from './program-schema.js';

export const PTE_IDENTIFIER = 'ET12';
const HEADER_MAGIC = 'eh00';
const HEADER_LENGTH = 32;
const MIN_HEADER_LENGTH = 24;
const MIN_FILE_SIZE = 64;
const MAX_FLATBUFFER = 2 ** 31;

export interface PteHeader {
  headerLength: number;
  programSize: bigint;
  segmentBaseOffset: bigint;
  segmentDataSize: bigint;
}

export interface PteFile {
  program: Program;
  header?: PteHeader;
  /** Bytes [0, programSize): the flatbuffer including any spliced header. */
  programSize: number;
  segmentBaseOffset: number;
  /** The raw segment region (segments plus the padding between them). */
  segmentData: Uint8Array;
  /** Bytes of `program.segments[index]`. */
  segment(index: number): Uint8Array;
}

function magicAt(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

function toSafeNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} ${v} is too large`);
  return Number(v);
}

export function readPteHeader(bytes: Uint8Array): PteHeader | undefined {
  if (bytes.length < MIN_FILE_SIZE) fail(`.pte: file of ${bytes.length} bytes is shorter than the ${MIN_FILE_SIZE}-byte minimum`);
  const id = magicAt(bytes, 4);
  if (id !== PTE_IDENTIFIER) {
    if (/^ET\d\d$/.test(id)) fail(`.pte: program format ${id} is not supported (this app reads ${PTE_IDENTIFIER})`);
    fail(`.pte: not an ExecuTorch program (file identifier ${JSON.stringify(id)}, expected "${PTE_IDENTIFIER}")`);
  }
  if (magicAt(bytes, 8) !== HEADER_MAGIC) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(12, true);
  if (headerLength < MIN_HEADER_LENGTH) fail(`.pte: extended header length ${headerLength} is below the minimum ${MIN_HEADER_LENGTH}`);
  return {
    headerLength,
    programSize: view.getBigUint64(16, true),
    segmentBaseOffset: view.getBigUint64(24, true),
    segmentDataSize: headerLength >= 32 ? view.getBigUint64(32, true) : 0n,
  };
}

function checkSegments(segments: DataSegment[] | undefined, regionSize: number): void {
  for (const [i, seg] of (segments ?? []).entries()) {
    if (seg.offset + seg.size > BigInt(regionSize)) {
      fail(`.pte: segment ${i} [${seg.offset}, +${seg.size}) lies outside the ${regionSize}-byte segment data`);
    }
  }
}

export function readPte(bytes: Uint8Array): PteFile {
  const header = readPteHeader(bytes);
  let programSize = bytes.length;
  let segmentBaseOffset = 0;
  let segmentBytes = 0;
  if (header) {
    programSize = toSafeNumber(header.programSize, '.pte: program_size');
    segmentBaseOffset = toSafeNumber(header.segmentBaseOffset, '.pte: segment_base_offset');
    if (programSize > bytes.length) fail(`.pte: program_size ${programSize} exceeds the ${bytes.length}-byte file (truncated?)`);
    if (segmentBaseOffset !== 0) {
      if (segmentBaseOffset < programSize) fail(`.pte: segment_base_offset ${segmentBaseOffset} overlaps the ${programSize}-byte program`);
      const dataSize = toSafeNumber(header.segmentDataSize, '.pte: segment_data_size');
      // Older files may record 0 here; then the segments run to the end of the file.
      segmentBytes = dataSize > 0 ? dataSize : Math.max(0, bytes.length - segmentBaseOffset);
      if (segmentBaseOffset + segmentBytes > bytes.length) {
        fail(`.pte: segment data [${segmentBaseOffset}, +${segmentBytes}) exceeds the ${bytes.length}-byte file (truncated?)`);
      }
    }
  }
  if (programSize >= MAX_FLATBUFFER) fail(`.pte: program of ${programSize} bytes exceeds the 2 GiB flatbuffer limit`);
  const program = decodeRoot(bytes, programSize, ProgramDef, PTE_IDENTIFIER) as unknown as Program;
  checkSegments(program.segments, segmentBytes);
  const segmentData = bytes.subarray(segmentBaseOffset, segmentBaseOffset + segmentBytes);
  return {
    program,
    ...(header ? { header } : {}),
    programSize,
    segmentBaseOffset,
    segmentData,
    segment(index) {
      const seg = program.segments?.[index];
      if (!seg) fail(`.pte: segment index ${index} is out of range (${program.segments?.length ?? 0} segments)`);
      return segmentData.subarray(Number(seg.offset), Number(seg.offset + seg.size));
    },
  };
}

export interface PteWriteOptions {
  discipline?: Discipline;
  segmentAlignment?: number;
  /** Bytes the extended header occupies after padding (32 rounded up to the largest force_align). */
  headerPadding?: number;
}

/**
 * Serialize `program` with `segmentData` (the whole segment region, already laid out as the program's
 * `segments` describe). With no segment data the file is the bare flatbuffer, as EXIR writes it.
 */
export function writePte(program: Program, segmentData: Uint8Array, options: PteWriteOptions = {}): Uint8Array {
  const fb = encodeRoot(ProgramDef, program as unknown as Record<string, unknown>, PTE_IDENTIFIER, options.discipline ?? 'python');
  if (segmentData.length === 0) return fb;
  const pad = options.headerPadding ?? HEADER_LENGTH;
  const programSize = pad + fb.length;
  const segmentBase = roundUp(programSize, options.segmentAlignment ?? 128);
  const out = spliceHeader(fb, {
    magic: HEADER_MAGIC, length: HEADER_LENGTH, fields: [BigInt(programSize), BigInt(segmentBase), BigInt(segmentData.length)],
  }, pad, segmentBase + segmentData.length);
  out.set(segmentData, segmentBase);
  return out;
}

/** Lay blobs out as consecutive segments (EXIR's rule) and return their table and region bytes. */
export function layoutSegments(blobs: readonly Uint8Array[], segmentAlignment = 128): { segments: DataSegment[]; data: Uint8Array } {
  const placements = placeSegments(blobs.map((b) => ({ size: BigInt(b.length) })), segmentAlignment);
  const data = new Uint8Array(Number(segmentDataSize(placements)));
  placements.forEach((p, i) => data.set(blobs[i], Number(p.offset)));
  return { segments: placements, data };
}
