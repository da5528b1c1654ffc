/**
 * Builds model.pte: an ExecuTorch program shaped like ExecuTorch's Voxtral Realtime streaming export.
 * Three real methods, each a single DelegateCall to our backend (id VoxtralDictateBackend), then one
 * constant method per configuration value. Mirrors EXIR's choices: empty constant segment first,
 * delegate payloads extracted to segments, Python-builder byte layout.
 */
import { EValueType, InstructionType, DataLocation, type EValue, type ExecutionPlan, type Program, type TensorValue } from '../format/program-schema.js';
import { layoutSegments, writePte } from '../format/pte.js';
import { ScalarType } from '../format/scalar-type.js';
import { CONSTANT_KINDS, FORMAT_VERSION, type ConstantName, type ModelConstants } from './model-constants.js';

export const BACKEND_ID = 'VoxtralDictateBackend';
export const REAL_METHODS = ['encode_audio_chunk', 'text_decoder', 'token_embedding'] as const;

const utf8 = new TextEncoder();
const STATIC = 0;
const DYNAMIC_BOUND = 1;

function tensor(scalarType: number, sizes: number[], dynamism = STATIC): EValue {
  const t: TensorValue = {
    scalar_type: scalarType, storage_offset: 0, sizes, dim_order: Uint8Array.from(sizes.map((_, i) => i)),
    requires_grad: false, data_buffer_idx: 0, layout: 0, shape_dynamism: dynamism,
  };
  return { val_type: EValueType.Tensor, val: t };
}

interface MethodShape {
  inputs: EValue[];
  outputs: EValue[];
  /** Pytree specs in ExecuTorch's C++ string format. */
  inputSpec: string;
}

function methodShapes(k: ModelConstants): Record<(typeof REAL_METHODS)[number], MethodShape> {
  const seq = k.max_seq_len;
  return {
    encode_audio_chunk: {
      inputs: [tensor(ScalarType.FLOAT, [1, k.num_mel_bins, k.chunk_mel_len]), tensor(ScalarType.LONG, [k.chunk_mel_len / 2])],
      outputs: [tensor(ScalarType.FLOAT, [1, 1, k.dim])],
      inputSpec: 'T2#2#0(T2#1#1($,$),D0())',
    },
    text_decoder: {
      inputs: [tensor(ScalarType.FLOAT, [1, seq, k.dim], DYNAMIC_BOUND), tensor(ScalarType.LONG, [seq], DYNAMIC_BOUND)],
      outputs: [tensor(ScalarType.FLOAT, [1, seq, k.vocab_size], DYNAMIC_BOUND)],
      inputSpec: 'T2#2#0(T2#1#1($,$),D0())',
    },
    token_embedding: {
      inputs: [tensor(ScalarType.LONG, [1, seq], DYNAMIC_BOUND)],
      outputs: [tensor(ScalarType.FLOAT, [1, seq, k.dim], DYNAMIC_BOUND)],
      inputSpec: 'T2#2#0(T1#1($),D0())',
    },
  };
}

function delegatedMethod(name: string, shape: MethodShape, segmentIndex: number): ExecutionPlan {
  const values = [...shape.inputs, ...shape.outputs];
  const inputs = shape.inputs.map((_, i) => i);
  const outputs = shape.outputs.map((_, i) => shape.inputs.length + i);
  return {
    name,
    container_meta_type: { encoded_inp_str: shape.inputSpec, encoded_out_str: '$' },
    values,
    inputs,
    outputs,
    chains: [{
      inputs, outputs,
      instructions: [{ instr_args_type: InstructionType.DelegateCall, instr_args: { delegate_index: 0, args: [...inputs, ...outputs] } }],
    }],
    operators: [],
    delegates: [{
      id: BACKEND_ID,
      processed: { location: DataLocation.Segment, index: segmentIndex },
      compile_specs: [{ key: 'method_name', value: utf8.encode(name) }],
    }],
    non_const_buffer_sizes: [0n],
  };
}

function constantValue(name: ConstantName, value: number | string): EValue {
  switch (CONSTANT_KINDS[name]) {
    case 'Int': return { val_type: EValueType.Int, val: { int_val: BigInt(value) } };
    case 'Double': return { val_type: EValueType.Double, val: { double_val: Number(value) } };
    case 'String': return { val_type: EValueType.String, val: { string_val: String(value) } };
  }
}

function constantMethod(name: ConstantName, value: number | string): ExecutionPlan {
  return {
    name,
    container_meta_type: { encoded_inp_str: '', encoded_out_str: '$' },
    values: [constantValue(name, value)],
    inputs: [],
    outputs: [0],
    chains: [{ inputs: [], outputs: [], instructions: [] }],
    operators: [],
    delegates: [],
    non_const_buffer_sizes: [0n],
  };
}

/** The delegate payload of a method: a small JSON document naming the method and the weights file. */
function delegatePayload(method: string): Uint8Array {
  return utf8.encode(JSON.stringify({ format_version: FORMAT_VERSION, method, weights: 'model.ptd' }));
}

export function buildModelPte(constants: ModelConstants): Uint8Array {
  const shapes = methodShapes(constants);
  // Segment 0 is EXIR's (empty) constant segment; delegate payloads follow, one per method.
  const blobs = [new Uint8Array(0), ...REAL_METHODS.map(delegatePayload)];
  const { segments, data } = layoutSegments(blobs);
  const program: Program = {
    version: 0,
    execution_plan: [
      ...REAL_METHODS.map((m, i) => delegatedMethod(m, shapes[m], i + 1)),
      ...(Object.keys(CONSTANT_KINDS) as ConstantName[]).map((n) => constantMethod(n, constants[n])),
    ],
    constant_buffer: [],
    backend_delegate_data: [],
    segments,
    constant_segment: { segment_index: 0, offsets: [0n] },
  };
  return writePte(program, data);
}
