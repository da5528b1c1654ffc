/**
 * A plain, JSON-friendly description of any ExecuTorch program's methods: their inputs and outputs,
 * the backends they delegate to, the kernels they call, and the value of constant methods.
 */
import { EValueType, InstructionType, type EValue, type ExecutionPlan, type Program, type TensorValue } from '../format/program-schema.js';
import { scalarTypeName } from '../format/scalar-type.js';

export type ValueDescription =
  | { type: 'Tensor'; dtype: string; sizes: number[]; dynamic: boolean }
  | { type: string };

export type ConstantJson = number | string | boolean | null | ConstantJson[];

export interface MethodDescription {
  name: string;
  inputs: ValueDescription[];
  outputs: ValueDescription[];
  backends: string[];
  operators: string[];
  constant: ConstantJson;
}

const typeNames: Record<number, string> = Object.fromEntries(Object.entries(EValueType).map(([k, v]) => [v, k]));

function describeValue(v: EValue | undefined): ValueDescription {
  if (!v) return { type: 'missing' };
  if (v.val_type === EValueType.Tensor && v.val) {
    const t = v.val as TensorValue;
    return { type: 'Tensor', dtype: scalarTypeName(t.scalar_type), sizes: t.sizes ?? [], dynamic: t.shape_dynamism !== 0 };
  }
  return { type: typeNames[v.val_type] ?? `unknown(${v.val_type})` };
}

function bigintJson(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** The JSON value of a scalar EValue, or undefined when it is not a literal (tensors, lists of tensors). */
export function literalValue(v: EValue | undefined): ConstantJson | undefined {
  if (!v) return undefined;
  const val = (v.val ?? {}) as Record<string, unknown>;
  switch (v.val_type) {
    case EValueType.Null: return null;
    case EValueType.Int: return bigintJson((val.int_val as bigint | undefined) ?? 0n);
    case EValueType.Bool: return Boolean(val.bool_val);
    case EValueType.Double: return (val.double_val as number | undefined) ?? 0;
    case EValueType.String: return (val.string_val as string | undefined) ?? '';
    case EValueType.DoubleList: return ((val.items as number[] | undefined) ?? []).slice();
    case EValueType.BoolList: return ((val.items as boolean[] | undefined) ?? []).slice();
    default: return undefined;
  }
}

/** A constant method: no inputs, no instructions, only literal outputs. */
export function constantOf(plan: ExecutionPlan): ConstantJson | undefined {
  const instructions = (plan.chains ?? []).reduce((a, c) => a + (c.instructions?.length ?? 0), 0);
  if ((plan.inputs?.length ?? 0) > 0 || instructions > 0) return undefined;
  const outs = (plan.outputs ?? []).map((i) => literalValue(plan.values?.[i]));
  if (outs.length === 0 || outs.some((o) => o === undefined)) return undefined;
  return outs.length === 1 ? outs[0]! : (outs as ConstantJson[]);
}

export function describeMethod(plan: ExecutionPlan): MethodDescription {
  const usedDelegates = new Set<number>();
  const usedOperators = new Set<number>();
  for (const chain of plan.chains ?? []) {
    for (const ins of chain.instructions ?? []) {
      const args = ins.instr_args as { delegate_index?: number; op_index?: number } | undefined;
      if (ins.instr_args_type === InstructionType.DelegateCall) usedDelegates.add(args?.delegate_index ?? 0);
      if (ins.instr_args_type === InstructionType.KernelCall) usedOperators.add(args?.op_index ?? 0);
    }
  }
  const ops = plan.operators ?? [];
  const delegates = plan.delegates ?? [];
  return {
    name: plan.name ?? '(unnamed)',
    inputs: (plan.inputs ?? []).map((i) => describeValue(plan.values?.[i])),
    outputs: (plan.outputs ?? []).map((i) => describeValue(plan.values?.[i])),
    backends: [...new Set([...usedDelegates].map((d) => delegates[d]?.id ?? `(missing delegate ${d})`))],
    operators: [...new Set([...usedOperators].map((o) => {
      const op = ops[o];
      if (!op) return `(missing operator ${o})`;
      return op.overload ? `${op.name}.${op.overload}` : (op.name ?? '');
    }))],
    constant: constantOf(plan) ?? null,
  };
}

export function describeProgram(program: Program): MethodDescription[] {
  return (program.execution_plan ?? []).map(describeMethod);
}
