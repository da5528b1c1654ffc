/**
 * Can this app run a .pte/.ptd pair? Ours must delegate to our backend, carry every constant and have
 * every weight in the .ptd with exactly the planned type and shape. Genuine ExecuTorch exports are
 * recognised and explained.
 */
import { checkpointTensors } from '../checkpoint/tensor-names.js';
import { ModelFormatError } from '../format/errors.js';
import type { PtdFile } from '../format/ptd.js';
import type { Program } from '../format/program-schema.js';
import { scalarTypeName } from '../format/scalar-type.js';
import { FORMAT_VERSION } from '../pack/model-constants.js';
import { BACKEND_ID, REAL_METHODS } from '../pack/model-program.js';
import { planTensor, validateOptions, type PackOptions } from '../pack/storage-plan.js';
import type { MethodDescription } from './describe-program.js';
import { configFromConstants, readModelConstants } from './read-constants.js';

export interface Verdict {
  runnable: boolean;
  reason: string;
}

const FOREIGN_BACKENDS: Record<string, string> = {
  CudaBackend: 'an ExecuTorch CUDA (AOTInductor) export: its kernels are a compiled .so inside the .pte and its weights an AOTI blob (aoti_cuda_blob.ptd)',
  XnnpackBackend: 'an ExecuTorch XNNPACK (CPU) export: its weights and graph are an XNNPACK flatbuffer blob',
  MetalBackend: 'an ExecuTorch Metal (Apple GPU) export',
  MPSBackend: 'an ExecuTorch MPS (Apple GPU) export',
  VulkanBackend: 'an ExecuTorch Vulkan export',
  QnnBackend: 'an ExecuTorch Qualcomm QNN export',
  CoreMLBackend: 'an ExecuTorch Core ML export',
};

const NEEDS_RUNTIME = 'It needs the ExecuTorch runtime with that backend, which this app does not embed; pack the Mistral checkpoint with "voxtral pack" instead.';

function foreignVerdict(methods: MethodDescription[]): Verdict | undefined {
  const backends = [...new Set(methods.flatMap((m) => m.backends))].filter((b) => b !== BACKEND_ID);
  if (backends.length > 0) {
    const known = backends.map((b) => FOREIGN_BACKENDS[b]).filter(Boolean);
    const what = known.length > 0 ? known.join('; ') : `an ExecuTorch export delegating to ${backends.join(', ')}`;
    return { runnable: false, reason: `This is ${what}. ${NEEDS_RUNTIME}` };
  }
  const operators = [...new Set(methods.flatMap((m) => m.operators))];
  if (operators.length > 0) {
    return {
      runnable: false,
      reason: `This is an ExecuTorch program that runs kernels (${operators.slice(0, 4).join(', ')}${operators.length > 4 ? ', …' : ''}); it needs the ExecuTorch runtime and kernel library, which this app does not embed.`,
    };
  }
  return undefined;
}

function checkWeights(program: Program, ptd: PtdFile): string | undefined {
  const k = readModelConstants(program);
  if (k.format_version !== FORMAT_VERSION) return `model format version ${k.format_version} is not supported (this app reads version ${FORMAT_VERSION})`;
  const options: PackOptions = { dtype: k.weight_dtype as PackOptions['dtype'], quant: k.quant as PackOptions['quant'], groupSize: k.group_size };
  validateOptions(options);
  for (const tensor of checkpointTensors(configFromConstants(k))) {
    for (const want of planTensor(tensor, options).entries) {
      const got = ptd.entry(want.key);
      if (!got) return `model.ptd has no weight "${want.key}"`;
      const layout = got.layout;
      if (!layout || layout.scalar_type !== want.scalarType || (layout.sizes ?? []).join(',') !== want.sizes.join(',')) {
        const have = layout ? `${scalarTypeName(layout.scalar_type)} [${(layout.sizes ?? []).join(', ')}]` : 'no tensor layout';
        return `model.ptd weight "${want.key}" is ${have}; the program expects ${scalarTypeName(want.scalarType)} [${want.sizes.join(', ')}]`;
      }
    }
  }
  return undefined;
}

export function verdictFor(program: Program, methods: MethodDescription[], ptd: PtdFile | undefined): Verdict {
  const foreign = foreignVerdict(methods);
  if (foreign) return foreign;
  const names = new Set(methods.map((m) => m.name));
  const missing = REAL_METHODS.filter((m) => !names.has(m));
  if (missing.length > 0) return { runnable: false, reason: `Not a Voxtral Realtime program: method(s) ${missing.join(', ')} missing.` };
  try {
    const k = readModelConstants(program);
    if (!ptd) return { runnable: false, reason: 'A Voxtral Dictate program, but no .ptd was given: its weights live in model.ptd.' };
    const problem = checkWeights(program, ptd);
    if (problem) return { runnable: false, reason: `A Voxtral Dictate program, but ${problem}.` };
    return {
      runnable: true,
      reason: `Voxtral Dictate model pair (format ${k.format_version}): ${k.weight_dtype} weights, quant ${k.quant}` +
        `${k.quant === 'none' ? '' : ` (group ${k.group_size}, embedding ${k.embedding_quant})`}, decoder ${k.n_layers}×${k.dim}, encoder ${k.enc_n_layers}×${k.enc_dim}, vocab ${k.vocab_size}.`,
    };
  } catch (err) {
    if (err instanceof ModelFormatError) return { runnable: false, reason: `A Voxtral Dictate program with a problem: ${err.message}` };
    throw err;
  }
}
