/**
 * Generic, bounds-checked FlatBuffers decoder driven by a TableDef. Every read is checked and names
 * the field it was reading; hostile inputs (huge counts, deep nesting, exponential sharing) end in a
 * ModelFormatError before anything large is allocated.
 */
import { fail } from '../errors.js';
import { isWide, scalarSize, type FieldDef, type ScalarKind, type TableDef } from './schema.js';

export type Decoded = Record<string, unknown>;

const MAX_DEPTH = 64;

interface Ctx {
  bytes: Uint8Array;
  view: DataView;
  /** Readable extent (the flatbuffer region); nothing beyond it is touched. */
  end: number;
  /** Remaining objects and vector elements we are willing to decode (guards against shared subtrees). */
  budget: number;
  textDecoder: TextDecoder;
}

function need(ctx: Ctx, pos: number, size: number, what: string): void {
  if (!Number.isInteger(pos) || pos < 0 || size < 0 || pos + size > ctx.end) {
    fail(`${what}: ${size} bytes at offset ${pos} lie outside the ${ctx.end}-byte flatbuffer`);
  }
}

function spend(ctx: Ctx, n: number, what: string): void {
  ctx.budget -= n;
  if (ctx.budget < 0) fail(`${what}: too many objects for the file size (shared or cyclic structure?)`);
}

function readScalar(ctx: Ctx, pos: number, kind: ScalarKind, what: string): number | bigint | boolean {
  need(ctx, pos, scalarSize[kind], what);
  const v = ctx.view;
  switch (kind) {
    case 'bool': return v.getUint8(pos) !== 0;
    case 'u8': return v.getUint8(pos);
    case 'i8': return v.getInt8(pos);
    case 'u16': return v.getUint16(pos, true);
    case 'i16': return v.getInt16(pos, true);
    case 'u32': return v.getUint32(pos, true);
    case 'i32': return v.getInt32(pos, true);
    case 'u64': return v.getBigUint64(pos, true);
    case 'i64': return v.getBigInt64(pos, true);
    case 'f64': return v.getFloat64(pos, true);
  }
}

function defaultScalar(kind: ScalarKind): number | bigint | boolean {
  if (kind === 'bool') return false;
  return isWide(kind) ? 0n : 0;
}

/** Follow a uoffset stored at `pos`; the target must be forward and inside the buffer. */
function follow(ctx: Ctx, pos: number, what: string): number {
  need(ctx, pos, 4, what);
  const rel = ctx.view.getUint32(pos, true);
  if (rel === 0) fail(`${what}: null offset`);
  const target = pos + rel;
  if (target >= ctx.end) fail(`${what}: offset ${rel} at ${pos} points past the end of the flatbuffer`);
  return target;
}

function readString(ctx: Ctx, pos: number, what: string): string {
  need(ctx, pos, 4, `${what} length`);
  const len = ctx.view.getUint32(pos, true);
  need(ctx, pos + 4, len + 1, `${what} (${len} bytes)`);
  if (ctx.bytes[pos + 4 + len] !== 0) fail(`${what}: string is not NUL-terminated`);
  spend(ctx, 1, what);
  return ctx.textDecoder.decode(ctx.bytes.subarray(pos + 4, pos + 4 + len));
}

function vectorHeader(ctx: Ctx, pos: number, elemSize: number, what: string): number {
  need(ctx, pos, 4, `${what} count`);
  const count = ctx.view.getUint32(pos, true);
  // The count must fit in the remaining bytes before anything is allocated.
  if (count * elemSize > ctx.end - (pos + 4)) fail(`${what}: ${count} elements do not fit in the remaining bytes`);
  spend(ctx, count, what);
  return count;
}

function readScalarVector(ctx: Ctx, pos: number, kind: ScalarKind, what: string): unknown {
  const size = scalarSize[kind];
  const count = vectorHeader(ctx, pos, size, what);
  const start = pos + 4;
  if (kind === 'u8') return ctx.bytes.slice(start, start + count);
  const out: unknown[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = readScalar(ctx, start + i * size, kind, what);
  return out;
}

function readTable(ctx: Ctx, def: TableDef, pos: number, depth: number, what: string): Decoded {
  if (depth > MAX_DEPTH) fail(`${what}: nesting deeper than ${MAX_DEPTH}`);
  spend(ctx, 1, what);
  need(ctx, pos, 4, `${what} (${def.name}) vtable offset`);
  const vtable = pos - ctx.view.getInt32(pos, true);
  need(ctx, vtable, 4, `${what} (${def.name}) vtable`);
  const vtableSize = ctx.view.getUint16(vtable, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0) fail(`${what} (${def.name}): bad vtable size ${vtableSize}`);
  need(ctx, vtable, vtableSize, `${what} (${def.name}) vtable`);
  // The inline size is not checked: the Python builder shares vtables between tables of different
  // sizes (pte-ptd-format.md §9.1), so it is not reliable. Each field read is bounds-checked instead.
  const out: Decoded = {};
  for (const field of def.fields) {
    const slot = 4 + 2 * field.id;
    const rel = slot < vtableSize ? ctx.view.getUint16(vtable + slot, true) : 0;
    out[field.name] = readField(ctx, field, rel === 0 ? -1 : pos + rel, out, depth, `${what}.${field.name}`);
  }
  return out;
}

function readField(ctx: Ctx, field: FieldDef, at: number, siblings: Decoded, depth: number, what: string): unknown {
  const t = field.type;
  if (at < 0) return t.kind === 'scalar' ? defaultScalar(t.scalar) : undefined;
  switch (t.kind) {
    case 'scalar': return readScalar(ctx, at, t.scalar, what);
    case 'string': return readString(ctx, follow(ctx, at, what), what);
    case 'table': return readTable(ctx, t.table(), follow(ctx, at, what), depth + 1, what);
    case 'union': {
      const type = siblings[t.typeField];
      const member = t.members()[type as number];
      if (!member) fail(`${what}: unknown union member type ${String(type)}`);
      return readTable(ctx, member, follow(ctx, at, what), depth + 1, what);
    }
    case 'vector': return readScalarVector(ctx, follow(ctx, at, what), t.element, what);
    case 'vectorOfStrings':
    case 'vectorOfTables': {
      const vpos = follow(ctx, at, what);
      const count = vectorHeader(ctx, vpos, 4, what);
      const out: unknown[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const elemWhat = `${what}[${i}]`;
        const target = follow(ctx, vpos + 4 + 4 * i, elemWhat);
        out[i] = t.kind === 'vectorOfStrings' ? readString(ctx, target, elemWhat) : readTable(ctx, t.table(), target, depth + 1, elemWhat);
      }
      return out;
    }
  }
}

/**
 * Decode the root table of a flatbuffer occupying bytes [0, end) of `bytes` (a spliced-in ExecuTorch
 * header is fine: offsets are relative). `identifier` is checked at bytes 4..7.
 */
export function decodeRoot(bytes: Uint8Array, end: number, def: TableDef, identifier: string): Decoded {
  if (end > bytes.length) fail(`${def.name}: flatbuffer extent ${end} exceeds the ${bytes.length}-byte file`);
  if (end < 8) fail(`${def.name}: flatbuffer of ${end} bytes is too short`);
  const id = String.fromCharCode(...bytes.subarray(4, 8));
  if (id !== identifier) fail(`${def.name}: file identifier is ${JSON.stringify(id)}, expected ${JSON.stringify(identifier)}`);
  const ctx: Ctx = {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    end,
    budget: 2 * end + 64,
    textDecoder: new TextDecoder('utf-8'),
  };
  const root = follow(ctx, 0, `${def.name} root`);
  if (root < 8) fail(`${def.name}: root offset ${root} points into the file header`);
  return readTable(ctx, def, root, 0, def.name);
}
