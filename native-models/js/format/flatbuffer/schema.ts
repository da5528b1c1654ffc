/**
 * A small data description of FlatBuffers tables, enough for the .pte and .ptd schemas. One generic
 * decoder and one generic encoder walk these descriptions, so the schemas live in one place as data.
 */

export type ScalarKind = 'bool' | 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64' | 'f64';

export type FieldType =
  | { kind: 'scalar'; scalar: ScalarKind }
  | { kind: 'string' }
  | { kind: 'table'; table: () => TableDef }
  | { kind: 'union'; typeField: string; members: () => Record<number, TableDef> }
  | { kind: 'vector'; element: ScalarKind; forceAlign?: number }
  | { kind: 'vectorOfStrings' }
  | { kind: 'vectorOfTables'; table: () => TableDef };

export interface FieldDef {
  name: string;
  id: number;
  type: FieldType;
}

export interface TableDef {
  name: string;
  /** In schema declaration order (= id order here). */
  fields: FieldDef[];
  /**
   * Field names in the key order of EXIR's JSON (Python dataclass order), when it differs from the
   * schema; flatc builds children and adds fields following this order (pte-ptd-format.md §9.2).
   */
  jsonOrder?: string[];
}

export const scalarSize: Record<ScalarKind, number> = {
  bool: 1, u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8, i64: 8, f64: 8,
};

export function isWide(kind: ScalarKind): kind is 'u64' | 'i64' {
  return kind === 'u64' || kind === 'i64';
}

/** Shorthands used by the schema files. */
export const s = (name: string, id: number, scalar: ScalarKind): FieldDef => ({ name, id, type: { kind: 'scalar', scalar } });
export const str = (name: string, id: number): FieldDef => ({ name, id, type: { kind: 'string' } });
export const tbl = (name: string, id: number, table: () => TableDef): FieldDef => ({ name, id, type: { kind: 'table', table } });
export const vec = (name: string, id: number, element: ScalarKind, forceAlign?: number): FieldDef =>
  ({ name, id, type: forceAlign ? { kind: 'vector', element, forceAlign } : { kind: 'vector', element } });
export const vtbl = (name: string, id: number, table: () => TableDef): FieldDef => ({ name, id, type: { kind: 'vectorOfTables', table } });
export const union = (name: string, id: number, typeField: string, members: () => Record<number, TableDef>): FieldDef =>
  ({ name, id, type: { kind: 'union', typeField, members } });
