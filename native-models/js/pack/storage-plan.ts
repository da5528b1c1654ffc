/**
 * How each checkpoint tensor is stored in model.ptd (the contract in docs/architecture.md): which
 * entries it becomes, with which scalar type and shape. Decided entirely from the config and options,
 * before any weight is read, so the .ptd header can be written first.
 */
import type { CheckpointTensor } from '../checkpoint/tensor-names.js';
import { ModelFormatError } from '../format/errors.js';
import { ScalarType } from '../format/scalar-type.js';
import type { QuantScheme } from './quantize.js';

export type WeightDtype = 'fp32' | 'bf16';
export type QuantOption = 'none' | QuantScheme;

export interface PackOptions {
  dtype: WeightDtype;
  quant: QuantOption;
  groupSize: number;
}

export type StoredForm =
  | { kind: 'float32' }
  | { kind: 'weight'; dtype: WeightDtype }
  | { kind: 'quantized'; scheme: QuantScheme };

export interface StoredEntry {
  key: string;
  scalarType: number;
  sizes: number[];
  byteLength: number;
}

export interface TensorPlan {
  tensor: CheckpointTensor;
  form: StoredForm;
  /** The weight entry, then `.scales` for quantized tensors. */
  entries: StoredEntry[];
}

export function embeddingQuant(options: PackOptions): 'none' | '8w' {
  return options.quant === 'none' ? 'none' : '8w';
}

function formFor(t: CheckpointTensor, o: PackOptions): StoredForm {
  switch (t.role) {
    case 'bias':
    case 'norm':
      return { kind: 'float32' };
    case 'conv':
    case 'ada':
      return { kind: 'weight', dtype: o.dtype };
    case 'linear':
    case 'adapter_out':
      return o.quant === 'none' ? { kind: 'weight', dtype: o.dtype } : { kind: 'quantized', scheme: o.quant };
    case 'embedding':
      return o.quant === 'none' ? { kind: 'weight', dtype: o.dtype } : { kind: 'quantized', scheme: '8w' };
  }
}

export function planTensor(t: CheckpointTensor, o: PackOptions): TensorPlan {
  const form = formFor(t, o);
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (form.kind === 'float32') return { tensor: t, form, entries: [{ key: t.name, scalarType: ScalarType.FLOAT, sizes: t.shape, byteLength: 4 * n }] };
  if (form.kind === 'weight') {
    const bf16 = form.dtype === 'bf16';
    return { tensor: t, form, entries: [{ key: t.name, scalarType: bf16 ? ScalarType.BFLOAT16 : ScalarType.FLOAT, sizes: t.shape, byteLength: (bf16 ? 2 : 4) * n }] };
  }
  const [rows, cols] = t.shape;
  const g = o.groupSize;
  if (cols % g !== 0) throw new ModelFormatError(`group size ${g} does not divide the input dimension ${cols} of "${t.name}"`);
  const weight: StoredEntry = form.scheme === '8w'
    ? { key: t.name, scalarType: ScalarType.CHAR, sizes: [rows, cols], byteLength: n }
    : { key: t.name, scalarType: ScalarType.QUINT4X2, sizes: [rows, cols / 2], byteLength: n / 2 };
  const scales: StoredEntry = { key: `${t.name}.scales`, scalarType: ScalarType.HALF, sizes: [rows, cols / g], byteLength: 2 * rows * (cols / g) };
  return { tensor: t, form, entries: [weight, scales] };
}

export function validateOptions(o: PackOptions): void {
  if (!['fp32', 'bf16'].includes(o.dtype)) throw new ModelFormatError(`--dtype must be fp32 or bf16 (got ${o.dtype})`);
  if (!['none', '8w', '4w'].includes(o.quant)) throw new ModelFormatError(`--quant must be none, 8w or 4w (got ${o.quant})`);
  if (!Number.isInteger(o.groupSize) || o.groupSize < 2 || o.groupSize % 2 !== 0) {
    throw new ModelFormatError(`--group-size must be an even integer ≥ 2 (got ${o.groupSize})`);
  }
}
