/**
 * Generic FlatBuffers encoder driven by a TableDef, following one of the two builder disciplines EXIR
 * uses (pte-ptd-format.md §9): 'python' (the flatbuffers Python builder, current .pte writer) or
 * 'flatc' (flatc --binary from JSON: older .pte files and every .ptd).
 */
import { FlatBufferBuilder } from './builder.js';
import { scalarSize, type FieldDef, type ScalarKind, type TableDef } from './schema.js';
import type { Decoded } from './decode.js';

export type Discipline = 'python' | 'flatc';

const utf8 = new TextEncoder();

function isDefault(value: unknown): boolean {
  return value === undefined || value === 0 || value === 0n || value === false;
}

function pushScalar(b: FlatBufferBuilder, kind: ScalarKind, value: unknown): void {
  b.prep(scalarSize[kind], 0);
  switch (kind) {
    case 'bool': b.placeU8(value ? 1 : 0); break;
    case 'u8': b.placeU8(Number(value)); break;
    case 'i8': b.placeI8(Number(value)); break;
    case 'u16': b.placeU16(Number(value)); break;
    case 'i16': b.placeU16(Number(value) & 0xffff); break;
    case 'u32': b.placeU32(Number(value)); break;
    case 'i32': b.placeI32(Number(value)); break;
    case 'u64': b.placeU64(BigInt(value as bigint | number)); break;
    case 'i64': b.placeI64(BigInt(value as bigint | number)); break;
    case 'f64': b.placeF64(Number(value)); break;
  }
}

function inlineSize(field: FieldDef): number {
  return field.type.kind === 'scalar' ? scalarSize[field.type.scalar] : 4;
}

class Encoder {
  constructor(private readonly b: FlatBufferBuilder, private readonly discipline: Discipline) {}

  /** Creates the child object of a reference field; returns its offset. */
  private child(field: FieldDef, value: unknown, parent: Decoded): number {
    const b = this.b;
    const t = field.type;
    switch (t.kind) {
      case 'scalar': throw new Error('scalars have no child object');
      case 'string': return b.createString(utf8.encode(value as string));
      case 'table': return this.table(t.table(), value as Decoded);
      case 'union': return this.table(t.members()[parent[t.typeField] as number], value as Decoded);
      case 'vector': {
        const size = scalarSize[t.element];
        if (value instanceof Uint8Array) {
          b.startVector(1, value.length, t.forceAlign ?? 1);
          b.placeBytes(value);
          return b.endVector(value.length);
        }
        const items = value as unknown[];
        b.startVector(size, items.length, t.forceAlign ?? size);
        for (let i = items.length - 1; i >= 0; i--) pushScalar(b, t.element, items[i]);
        return b.endVector(items.length);
      }
      case 'vectorOfStrings':
      case 'vectorOfTables': {
        const items = value as unknown[];
        const offsets = items.map((item) =>
          t.kind === 'vectorOfStrings' ? b.createString(utf8.encode(item as string)) : this.table(t.table(), item as Decoded));
        b.startVector(4, offsets.length, 4);
        for (let i = offsets.length - 1; i >= 0; i--) b.pushUOffset(offsets[i]);
        return b.endVector(offsets.length);
      }
    }
  }

  table(def: TableDef, obj: Decoded): number {
    const order = this.discipline === 'flatc' && def.jsonOrder
      ? def.jsonOrder.map((n) => def.fields.find((f) => f.name === n)!)
      : def.fields;
    const children = new Map<string, number>();
    for (const field of order) {
      const value = obj[field.name];
      if (field.type.kind !== 'scalar' && value !== undefined && value !== null) children.set(field.name, this.child(field, value, obj));
    }
    const addOrder = this.discipline === 'python'
      ? order
      : [8, 4, 2, 1].flatMap((size) => [...order].reverse().filter((f) => inlineSize(f) === size));
    const b = this.b;
    b.startTable();
    for (const field of addOrder) {
      if (field.type.kind === 'scalar') {
        const value = obj[field.name];
        if (isDefault(value)) continue;
        pushScalar(b, field.type.scalar, value);
      } else {
        const at = children.get(field.name);
        if (at === undefined) continue;
        b.pushUOffset(at);
      }
      b.slot(field.id);
    }
    return b.endTable(this.discipline);
  }
}

/** Serialize `root` as a complete flatbuffer with the given 4-byte file identifier. */
export function encodeRoot(def: TableDef, root: Decoded, identifier: string, discipline: Discipline): Uint8Array {
  const builder = new FlatBufferBuilder();
  const enc = new Encoder(builder, discipline);
  const rootOffset = enc.table(def, root);
  return builder.finish(rootOffset, identifier);
}
