/**
 * Turns rows of a checkpoint tensor (any float dtype safetensors holds) into the bytes of its stored
 * form(s). Works on row ranges so the packer streams large tensors in bounded memory.
 */
import { bf16BytesToF32, f32FromBytes, f32ToBf16Bytes, f32ToBytes, halfBitsToF32 } from '../format/numeric.js';
import { ModelFormatError } from '../format/errors.js';
import type { SafetensorsDtype } from '../format/safetensors.js';
import { quantizeRows } from './quantize.js';
import type { StoredForm } from './storage-plan.js';

export function toFloat32(bytes: Uint8Array, dtype: SafetensorsDtype, name: string): Float32Array {
  switch (dtype) {
    case 'F32': return f32FromBytes(bytes);
    case 'BF16': return bf16BytesToF32(bytes);
    case 'F16': {
      const out = new Float32Array(bytes.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = halfBitsToF32(bytes[2 * i] | (bytes[2 * i + 1] << 8));
      return out;
    }
    default: throw new ModelFormatError(`tensor "${name}" has dtype ${dtype}; expected BF16, F16 or F32`);
  }
}

/** Stored bytes for these rows: one array per entry of the plan (weight, then scales if quantized). */
export function convertRows(raw: Uint8Array, dtype: SafetensorsDtype, name: string, form: StoredForm, rows: number, cols: number, groupSize: number): Uint8Array[] {
  if (form.kind === 'weight' && form.dtype === 'bf16' && dtype === 'BF16') return [raw]; // exact, no round trip
  const values = toFloat32(raw, dtype, name);
  switch (form.kind) {
    case 'float32': return [f32ToBytes(values)];
    case 'weight': return [form.dtype === 'bf16' ? f32ToBf16Bytes(values) : f32ToBytes(values)];
    case 'quantized': {
      const q = quantizeRows(values, rows, cols, groupSize, form.scheme);
      return [q.data, new Uint8Array(q.scales.buffer, q.scales.byteOffset, q.scales.byteLength)];
    }
  }
}
