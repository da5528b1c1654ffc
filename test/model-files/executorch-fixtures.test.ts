import { describe, expect, test } from 'vitest';
import { EValueType, InstructionType, type ExecutionPlan, type Program, type TensorValue } from '../../native-models/js/format/program-schema.js';
import { readPtdBytes, writePtd } from '../../native-models/js/format/ptd.js';
import { readPte, writePte } from '../../native-models/js/format/pte.js';
import { ScalarType } from '../../native-models/js/format/scalar-type.js';
import { loadFixture, ptdFixtures, pteFixtures } from './fixtures.js';

function rootOffset(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
}

function countTypes(plan: ExecutionPlan): Record<string, number> {
  const names = Object.fromEntries(Object.entries(EValueType).map(([k, v]) => [v, k]));
  const out: Record<string, number> = {};
  for (const v of plan.values ?? []) out[names[v.val_type]] = (out[names[v.val_type]] ?? 0) + 1;
  return out;
}

function kernelNames(plan: ExecutionPlan): string[] {
  return (plan.chains?.[0].instructions ?? [])
    .filter((i) => i.instr_args_type === InstructionType.KernelCall)
    .map((i) => {
      const op = plan.operators![(i.instr_args as { op_index: number }).op_index];
      return `${op.name}.${op.overload}`;
    });
}

function floats(bytes: Uint8Array): number[] {
  return Array.from(new Float32Array(bytes.slice().buffer));
}

describe('genuine ExecuTorch .pte fixtures read with the values their README lists', () => {
  test('AddModel_model.pte (and its identical HelloExecuTorch copy)', () => {
    for (const file of ['AddModel_model.pte', 'HelloExecuTorch_model.pte']) {
      const bytes = loadFixture(file);
      const pte = readPte(bytes);
      expect(rootOffset(bytes)).toBe(60);
      expect(pte.header).toEqual({ headerLength: 32, programSize: 1040n, segmentBaseOffset: 1152n, segmentDataSize: 4n });
      const p: Program = pte.program;
      expect(p.version).toBe(0);
      expect(p.execution_plan).toHaveLength(1);
      const plan = p.execution_plan![0];
      expect(plan.name).toBe('forward');
      expect(countTypes(plan)).toEqual({ Tensor: 3, Int: 1 });
      expect(plan.inputs).toEqual([1]);
      expect(plan.outputs).toEqual([2]);
      expect(plan.chains).toHaveLength(1);
      expect(kernelNames(plan)).toEqual(['aten::add.out']);
      expect((plan.chains![0].instructions![0].instr_args as { args: number[] }).args).toEqual([1, 0, 3, 2, 2]);
      expect(plan.non_const_buffer_sizes).toEqual([0n, 32n]);
      expect(plan.delegates).toEqual([]);
      const constant = plan.values![0].val as TensorValue;
      expect([constant.scalar_type, constant.sizes, constant.data_buffer_idx]).toEqual([ScalarType.FLOAT, [], 1]);
      expect(p.segments).toEqual([{ offset: 0n, size: 4n }]);
      expect(p.constant_segment).toEqual({ segment_index: 0, offsets: [0n, 0n] });
      expect(p.constant_buffer).toEqual([]);
      expect(p.backend_delegate_data).toEqual([]);
      expect(p.mutable_data_segments).toBeUndefined();
      expect(p.named_data).toBeUndefined();
      expect(plan.container_meta_type?.encoded_out_str).toBe('[1, {"type": null, "context": null, "children_spec": []}]');
      expect(pte.segment(0)).toHaveLength(4);
      expect(bytes.length).toBe(1156);
    }
  });

  test('KeywordSpotting_model.pte', () => {
    const bytes = loadFixture('KeywordSpotting_model.pte');
    const pte = readPte(bytes);
    expect(rootOffset(bytes)).toBe(60);
    expect(pte.header).toEqual({ headerLength: 32, programSize: 14904n, segmentBaseOffset: 14976n, segmentDataSize: 39216n });
    const plan = pte.program.execution_plan![0];
    expect(plan.values).toHaveLength(289);
    expect(countTypes(plan)).toEqual({ Tensor: 111, Int: 136, IntList: 36, Bool: 3, Double: 2, Null: 1 });
    expect(plan.inputs).toEqual([83]);
    expect(plan.outputs).toEqual([283]);
    const kernels = kernelNames(plan);
    expect(kernels).toHaveLength(16);
    expect(new Set(kernels)).toEqual(new Set([
      'cortex_m::quantize_per_tensor.out', 'cortex_m::quantized_depthwise_conv2d.out', 'dim_order_ops::_clone_dim_order.out',
      'cortex_m::quantized_conv2d.out', 'cortex_m::pad.out', 'cortex_m::quantized_avg_pool2d.out', 'cortex_m::quantized_linear.out',
      'cortex_m::dequantize_per_tensor.out',
    ]));
    expect(plan.non_const_buffer_sizes).toEqual([0n, 16000n]);
    expect(plan.delegates).toEqual([]);
    expect(pte.program.segments).toEqual([{ offset: 0n, size: 39216n }]);
    const offsets = pte.program.constant_segment!.offsets!;
    expect(pte.program.constant_segment!.segment_index).toBe(0);
    expect(offsets).toHaveLength(64);
    expect(offsets.slice(0, 2)).toEqual([0n, 0n]);
    expect(offsets.every((o) => o % 16n === 0n)).toBe(true);
    expect(plan.values![94]).toEqual({ val_type: EValueType.IntList, val: { items: [92n, 93n] } });
    expect(plan.values![92]).toEqual({ val_type: EValueType.Int, val: { int_val: 2n } });
    expect(plan.values![93]).toEqual({ val_type: EValueType.Int, val: { int_val: 2n } });
    expect(bytes.length).toBe(14976 + 39216);
  });

  test('add.pte: no extended header, flatc layout, C++ pytree strings', () => {
    const bytes = loadFixture('add.pte');
    const pte = readPte(bytes);
    expect(rootOffset(bytes)).toBe(28);
    expect(pte.header).toBeUndefined();
    expect(pte.programSize).toBe(728);
    const plan = pte.program.execution_plan![0];
    expect(plan.name).toBe('forward');
    expect(countTypes(plan)).toEqual({ Tensor: 3, Int: 1 });
    expect(plan.inputs).toEqual([0, 1]);
    expect(plan.outputs).toEqual([2]);
    expect(kernelNames(plan)).toEqual(['aten::add.out']);
    expect((plan.chains![0].instructions![0].instr_args as { args: number[] }).args).toEqual([0, 1, 3, 2, 2]);
    expect(plan.non_const_buffer_sizes).toEqual([0n, 48n]);
    expect(pte.program.segments).toEqual([{ offset: 0n, size: 0n }]);
    expect(pte.program.constant_segment!.offsets).toEqual([0n]);
    expect(plan.container_meta_type).toEqual({ encoded_inp_str: 'T2#2#0(T2#1#1($,$),D0())', encoded_out_str: '$' });
  });

  test('ModuleLinear-no-constant-segment.pte: the deprecated inline constant_buffer', () => {
    const bytes = loadFixture('ModuleLinear-no-constant-segment.pte');
    const pte = readPte(bytes);
    expect(rootOffset(bytes)).toBe(36);
    expect(pte.header).toBeUndefined();
    const plan = pte.program.execution_plan![0];
    expect(countTypes(plan)).toEqual({ Tensor: 5, Int: 1 });
    expect(plan.inputs).toEqual([2]);
    expect(plan.outputs).toEqual([4]);
    expect(kernelNames(plan)).toEqual(['aten::mul.out', 'aten::add.out']);
    expect(plan.non_const_buffer_sizes).toEqual([0n, 32n]);
    const buffers = pte.program.constant_buffer!;
    expect(buffers).toHaveLength(3);
    expect(buffers[0].storage ?? new Uint8Array(0)).toHaveLength(0);
    expect(floats(buffers[1].storage!)).toEqual([3, 3, 3, 3]);
    expect(floats(buffers[2].storage!)).toEqual([2, 2, 2, 2]);
    expect(pte.program.segments).toEqual([]);
    expect(pte.program.constant_segment).toEqual({ segment_index: 0, offsets: [] });
  });

  test.each(pteFixtures)('$file re-writes byte for byte ($discipline builder)', ({ file, discipline }) => {
    const bytes = loadFixture(file);
    const pte = readPte(bytes);
    expect(Buffer.from(writePte(pte.program, pte.segmentData, { discipline })).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('synthetic .ptd test vectors', () => {
  test.each(ptdFixtures)('$file reads with its README header and values, and re-writes byte for byte', ({ file, segmentAlignment }) => {
    const bytes = loadFixture(file);
    const ptd = readPtdBytes(bytes);
    expect(rootOffset(bytes)).toBe(0x44);
    const base = segmentAlignment === 16 ? 304n : 384n;
    expect(ptd.header).toEqual({
      headerLength: 40, flatbufferOffset: 48n, flatbufferSize: 256n, segmentBaseOffset: base, segmentDataSize: segmentAlignment === 16 ? 32n : 144n,
    });
    expect(ptd.flatTensor.version).toBe(0);
    expect(ptd.entries.map((e) => e.key)).toEqual(['a', 'b']);
    for (const e of ptd.entries) {
      expect(e.layout?.scalar_type).toBe(ScalarType.FLOAT);
      expect(e.layout?.sizes).toEqual([2, 2]);
      expect(Array.from(e.layout!.dim_order!)).toEqual([0, 1]);
    }
    expect(floats(ptd.read('a'))).toEqual([3, 3, 3, 3]);
    expect(floats(ptd.read('b'))).toEqual([2, 2, 2, 2]);
    const rewritten = writePtd(ptd.flatTensor, bytes.subarray(Number(ptd.header.segmentBaseOffset)), segmentAlignment);
    expect(Buffer.from(rewritten).equals(Buffer.from(bytes))).toBe(true);
  });
});
