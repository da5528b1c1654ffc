/**
 * ExecuTorch `schema/program.fbs` (file identifier ET12) as data for the generic codec, plus the
 * TypeScript shapes of the decoded objects. Absent references are `undefined` (absent ≠ empty),
 * absent scalars read as their default 0; 64-bit integers are bigint. See pte-ptd-format.md §3.
 */
import { s, str, tbl, union, vec, vtbl, type TableDef } from './flatbuffer/schema.js';

export const EValueType = {
  None: 0, Null: 1, Int: 2, Bool: 3, Double: 4, Tensor: 5, String: 6,
  IntList: 7, DoubleList: 8, BoolList: 9, TensorList: 10, OptionalTensorList: 11,
} as const;

export const InstructionType = { None: 0, KernelCall: 1, DelegateCall: 2, MoveCall: 3, JumpFalseCall: 4, FreeCall: 5 } as const;

export const DataLocation = { Inline: 0, Segment: 1 } as const;
export const TensorDataLocation = { Segment: 0, External: 1 } as const;

export interface AllocationDetails { memory_id: number; memory_offset_low: number; memory_offset_high: number }
export interface ExtraTensorInfo { mutable_data_segments_idx: bigint; fully_qualified_name?: string; location: number; device_type: number; device_index: number }
export interface TensorValue {
  scalar_type: number; storage_offset: number; sizes?: number[]; dim_order?: Uint8Array; requires_grad: boolean;
  data_buffer_idx: number; allocation_info?: AllocationDetails; layout: number; shape_dynamism: number; extra_tensor_info?: ExtraTensorInfo;
}
export type EValueMember =
  | Record<string, never>
  | { int_val: bigint }
  | { bool_val: boolean }
  | { double_val: number }
  | TensorValue
  | { string_val?: string }
  | { items?: bigint[] | number[] | boolean[] };
export interface EValue { val_type: number; val?: EValueMember }
export interface KernelCall { op_index: number; args?: number[] }
export interface DelegateCall { delegate_index: number; args?: number[] }
export interface Instruction { instr_args_type: number; instr_args?: Record<string, unknown> }
export interface Frame { filename?: string; lineno: number; name?: string; context?: string }
export interface FrameList { items?: Frame[] }
export interface Chain { inputs?: number[]; outputs?: number[]; instructions?: Instruction[]; stacktrace?: FrameList[] }
export interface Operator { name?: string; overload?: string }
export interface CompileSpec { key?: string; value?: Uint8Array }
export interface BackendDelegateDataReference { location: number; index: number }
export interface BackendDelegate { id?: string; processed?: BackendDelegateDataReference; compile_specs?: CompileSpec[] }
export interface ContainerMetadata { encoded_inp_str?: string; encoded_out_str?: string }
export interface NonConstBufferDevice { buffer_idx: number; device_type: number; device_index: number }
export interface ExecutionPlan {
  name?: string; container_meta_type?: ContainerMetadata; values?: EValue[]; inputs?: number[]; outputs?: number[];
  chains?: Chain[]; operators?: Operator[]; delegates?: BackendDelegate[]; non_const_buffer_sizes?: bigint[];
  non_const_buffer_device?: NonConstBufferDevice[];
}
export interface Buffer { storage?: Uint8Array }
export interface BackendDelegateInlineData { data?: Uint8Array }
export interface DataSegment { offset: bigint; size: bigint }
export interface SubsegmentOffsets { segment_index: number; offsets?: bigint[] }
export interface PteNamedData { key?: string; segment_index: number }
export interface Program {
  version: number; execution_plan?: ExecutionPlan[]; constant_buffer?: Buffer[]; backend_delegate_data?: BackendDelegateInlineData[];
  segments?: DataSegment[]; constant_segment?: SubsegmentOffsets; mutable_data_segments?: SubsegmentOffsets[]; named_data?: PteNamedData[];
}

const Null: TableDef = { name: 'Null', fields: [] };
const Int: TableDef = { name: 'Int', fields: [s('int_val', 0, 'i64')] };
const Bool: TableDef = { name: 'Bool', fields: [s('bool_val', 0, 'bool')] };
const Double: TableDef = { name: 'Double', fields: [s('double_val', 0, 'f64')] };
const StringT: TableDef = { name: 'String', fields: [str('string_val', 0)] };
const IntList: TableDef = { name: 'IntList', fields: [vec('items', 0, 'i64')] };
const DoubleList: TableDef = { name: 'DoubleList', fields: [vec('items', 0, 'f64')] };
const BoolList: TableDef = { name: 'BoolList', fields: [vec('items', 0, 'bool')] };
const TensorList: TableDef = { name: 'TensorList', fields: [vec('items', 0, 'i32')] };
const OptionalTensorList: TableDef = { name: 'OptionalTensorList', fields: [vec('items', 0, 'i32')] };
const AllocationDetailsT: TableDef = { name: 'AllocationDetails', fields: [s('memory_id', 0, 'u32'), s('memory_offset_low', 1, 'u32'), s('memory_offset_high', 2, 'u32')] };
const ExtraTensorInfoT: TableDef = {
  name: 'ExtraTensorInfo',
  fields: [s('mutable_data_segments_idx', 0, 'u64'), str('fully_qualified_name', 1), s('location', 2, 'i8'), s('device_type', 3, 'i8'), s('device_index', 4, 'i8')],
};
const Tensor: TableDef = {
  name: 'Tensor',
  fields: [
    s('scalar_type', 0, 'i8'), s('storage_offset', 1, 'i32'), vec('sizes', 2, 'i32'), vec('dim_order', 3, 'u8'),
    s('requires_grad', 4, 'bool'), s('data_buffer_idx', 5, 'u32'), tbl('allocation_info', 6, () => AllocationDetailsT),
    s('layout', 7, 'i8'), s('shape_dynamism', 8, 'i8'), tbl('extra_tensor_info', 9, () => ExtraTensorInfoT),
  ],
  jsonOrder: ['scalar_type', 'storage_offset', 'sizes', 'dim_order', 'requires_grad', 'layout', 'data_buffer_idx', 'allocation_info', 'shape_dynamism', 'extra_tensor_info'],
};
const EValueT: TableDef = {
  name: 'EValue',
  fields: [s('val_type', 0, 'u8'), union('val', 1, 'val_type', () => ({
    1: Null, 2: Int, 3: Bool, 4: Double, 5: Tensor, 6: StringT, 7: IntList, 8: DoubleList, 9: BoolList, 10: TensorList, 11: OptionalTensorList,
  }))],
  jsonOrder: ['val', 'val_type'],
};
const KernelCallT: TableDef = { name: 'KernelCall', fields: [s('op_index', 0, 'i32'), vec('args', 1, 'i32')] };
const DelegateCallT: TableDef = { name: 'DelegateCall', fields: [s('delegate_index', 0, 'i32'), vec('args', 1, 'i32')] };
const MoveCall: TableDef = { name: 'MoveCall', fields: [s('move_from', 0, 'i32'), s('move_to', 1, 'i32')] };
const JumpFalseCall: TableDef = { name: 'JumpFalseCall', fields: [s('cond_value_index', 0, 'i32'), s('destination_instruction', 1, 'i32')] };
const FreeCall: TableDef = { name: 'FreeCall', fields: [s('value_index', 0, 'i32')] };
const InstructionT: TableDef = {
  name: 'Instruction',
  fields: [s('instr_args_type', 0, 'u8'), union('instr_args', 1, 'instr_args_type', () => ({ 1: KernelCallT, 2: DelegateCallT, 3: MoveCall, 4: JumpFalseCall, 5: FreeCall }))],
  jsonOrder: ['instr_args', 'instr_args_type'],
};
const FrameT: TableDef = { name: 'Frame', fields: [str('filename', 0), s('lineno', 1, 'i32'), str('name', 2), str('context', 3)] };
const FrameListT: TableDef = { name: 'FrameList', fields: [vtbl('items', 0, () => FrameT)] };
const ChainT: TableDef = {
  name: 'Chain',
  fields: [vec('inputs', 0, 'i32'), vec('outputs', 1, 'i32'), vtbl('instructions', 2, () => InstructionT), vtbl('stacktrace', 3, () => FrameListT)],
};
const OperatorT: TableDef = { name: 'Operator', fields: [str('name', 0), str('overload', 1)] };
const CompileSpecT: TableDef = { name: 'CompileSpec', fields: [str('key', 0), vec('value', 1, 'u8')] };
const DelegateRef: TableDef = { name: 'BackendDelegateDataReference', fields: [s('location', 0, 'i8'), s('index', 1, 'u32')] };
const BackendDelegateT: TableDef = {
  name: 'BackendDelegate',
  fields: [str('id', 0), tbl('processed', 1, () => DelegateRef), vtbl('compile_specs', 2, () => CompileSpecT)],
};
const ContainerMetadataT: TableDef = { name: 'ContainerMetadata', fields: [str('encoded_inp_str', 0), str('encoded_out_str', 1)] };
const NonConstBufferDeviceT: TableDef = { name: 'NonConstBufferDevice', fields: [s('buffer_idx', 0, 'i32'), s('device_type', 1, 'i8'), s('device_index', 2, 'i8')] };
const ExecutionPlanT: TableDef = {
  name: 'ExecutionPlan',
  fields: [
    str('name', 0), tbl('container_meta_type', 1, () => ContainerMetadataT), vtbl('values', 2, () => EValueT),
    vec('inputs', 3, 'i32'), vec('outputs', 4, 'i32'), vtbl('chains', 5, () => ChainT), vtbl('operators', 6, () => OperatorT),
    vtbl('delegates', 7, () => BackendDelegateT), vec('non_const_buffer_sizes', 8, 'i64'), vtbl('non_const_buffer_device', 9, () => NonConstBufferDeviceT),
  ],
};
const BufferT: TableDef = { name: 'Buffer', fields: [vec('storage', 0, 'u8', 16)] };
const InlineDataT: TableDef = { name: 'BackendDelegateInlineData', fields: [vec('data', 0, 'u8', 16)] };
export const DataSegmentDef: TableDef = { name: 'DataSegment', fields: [s('offset', 0, 'u64'), s('size', 1, 'u64')] };
const SubsegmentOffsetsT: TableDef = { name: 'SubsegmentOffsets', fields: [s('segment_index', 0, 'u32'), vec('offsets', 1, 'u64')] };
const PteNamedDataT: TableDef = { name: 'NamedData', fields: [str('key', 0), s('segment_index', 1, 'u32')] };

export const ProgramDef: TableDef = {
  name: 'Program',
  fields: [
    s('version', 0, 'u32'), vtbl('execution_plan', 1, () => ExecutionPlanT), vtbl('constant_buffer', 2, () => BufferT),
    vtbl('backend_delegate_data', 3, () => InlineDataT), vtbl('segments', 4, () => DataSegmentDef),
    tbl('constant_segment', 5, () => SubsegmentOffsetsT), vtbl('mutable_data_segments', 6, () => SubsegmentOffsetsT),
    vtbl('named_data', 7, () => PteNamedDataT),
  ],
};
