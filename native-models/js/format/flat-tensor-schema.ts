/**
 * ExecuTorch `extension/flat_tensor/serialize/flat_tensor.fbs` (file identifier FT01) as data for the
 * generic codec, plus the decoded TypeScript shapes. See pte-ptd-format.md §5.2.
 */
import { s, str, tbl, vec, vtbl, type TableDef } from './flatbuffer/schema.js';
import { DataSegmentDef, type DataSegment } from './program-schema.js';

export interface TensorLayout { scalar_type: number; sizes?: number[]; dim_order?: Uint8Array }
export interface PtdNamedData { key?: string; segment_index: number; tensor_layout?: TensorLayout }
export interface FlatTensor { version: number; segments?: DataSegment[]; named_data?: PtdNamedData[] }

const TensorLayoutDef: TableDef = { name: 'TensorLayout', fields: [s('scalar_type', 0, 'i8'), vec('sizes', 1, 'i32'), vec('dim_order', 2, 'u8')] };
const NamedDataDef: TableDef = { name: 'NamedData', fields: [str('key', 0), s('segment_index', 1, 'u32'), tbl('tensor_layout', 2, () => TensorLayoutDef)] };

export const FlatTensorDef: TableDef = {
  name: 'FlatTensor',
  fields: [s('version', 0, 'u32'), vtbl('segments', 1, () => DataSegmentDef), vtbl('named_data', 2, () => NamedDataDef)],
};
